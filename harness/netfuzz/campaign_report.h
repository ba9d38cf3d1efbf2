// DIR/report.md of a `parley fuzz` campaign: what a security engineer reads in the morning.
// How long it ran and why it stopped, iterations and iterations per second, each fuzz point's
// share, and every finding (kind, where, how often, the head of the target's stack, the file
// to replay); with coverage feedback, the edges seen over time (a table, and coverage.svg).
#ifndef PARLEY_HARNESS_NETFUZZ_CAMPAIGN_REPORT_H_
#define PARLEY_HARNESS_NETFUZZ_CAMPAIGN_REPORT_H_

#include <string>
#include <vector>

#include "harness/netfuzz/campaign.h"

namespace parley::harness {

struct ReportContext {
  std::string command;  // the command line, to run it again
  std::uint64_t seed = 0;
  std::uint64_t earlier_iterations = 0;  // of the campaign this one resumed
  std::string mode = "black-box";        // what feedback guided it
  int jobs = 1;                          // workers (--jobs)
};

// `workers`: the campaign's workers (one without --jobs), which share `book`.
std::string CampaignReport(const std::vector<const Campaign*>& workers, const FindingBook& book,
                           const ReportContext& context);

// DIR/coverage.svg: edges seen over the campaign's seconds, a self-contained line chart; empty
// when the campaign had no coverage feedback.
std::string CoverageChart(const CampaignStats& stats);

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_NETFUZZ_CAMPAIGN_REPORT_H_
