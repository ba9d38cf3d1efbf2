// An HTML report of a run, for people: one self-contained page (no network, no external file)
// with the summary, a filter by status and tag, each failure with its step and message, the
// transcripts per connection and the targets' stderr. Written by `parley run --html FILE`;
// docs/runner.md describes it.
#ifndef PARLEY_HARNESS_REPORT_HTML_REPORT_H_
#define PARLEY_HARNESS_REPORT_HTML_REPORT_H_

#include <chrono>
#include <string>
#include <vector>

#include "harness/play/result.h"

namespace parley::harness {

// The page for `results` (in plan order). `interrupted_by_signal` is 0, or the signal that
// stopped the run early.
std::string HtmlReport(const std::vector<ScenarioResult>& results, std::chrono::nanoseconds elapsed,
                       int interrupted_by_signal);

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_REPORT_HTML_REPORT_H_
