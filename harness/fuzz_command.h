// `parley fuzz`: the selected scenarios become a network fuzz campaign (netfuzz/campaign.h)
// against the targets they name, in-tree or external; findings and DIR/report.md go under
// --out. See docs/network-fuzzing.md.
#ifndef PARLEY_HARNESS_FUZZ_COMMAND_H_
#define PARLEY_HARNESS_FUZZ_COMMAND_H_

#include <string>
#include <vector>

namespace parley::harness {

// Exit codes: 0 no finding, 1 findings, 2 bad command line or scenarios (nothing fuzzed), 3 a
// target could not be started or kept alive, 128+N after SIGINT/SIGTERM (report written).
int CommandFuzz(const std::vector<std::string>& args);

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_FUZZ_COMMAND_H_
