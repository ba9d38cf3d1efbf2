// What a `parley fuzz` campaign folder keeps between runs, besides report.md and the findings
// themselves (finding.h):
//   findings/<id>/report.txt   its "signature:" line tells a resumed campaign what it has seen;
//   queue/<id of a point>/     the inputs of one fuzz point that reached new coverage, one
//                              .bin file each (the bytes as sent; a split is not kept), and
//                              point.txt naming the point. Workers (--jobs) write theirs side by
//                              side (w<worker>-<n>.bin); a resumed campaign gives every worker
//                              all of them.
#ifndef PARLEY_HARNESS_NETFUZZ_CAMPAIGN_FILES_H_
#define PARLEY_HARNESS_NETFUZZ_CAMPAIGN_FILES_H_

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "harness/netfuzz/campaign.h"

namespace parley::harness {

// The signatures of the findings an earlier campaign in `out` saved.
std::vector<std::string> KnownSignatures(const std::filesystem::path& out);

// Writes the queues of `workers` (which share their points) under out/queue/; false with
// `*error` when a file cannot be written.
bool SaveQueues(const std::filesystem::path& out, const std::vector<const Campaign*>& workers,
                std::string* error);

// Puts back into `campaign` the queues saved under out/queue/; returns how many inputs.
std::size_t LoadQueues(const std::filesystem::path& out, Campaign* campaign);

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_NETFUZZ_CAMPAIGN_FILES_H_
