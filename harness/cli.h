// The `parley` command: parses the command line (Boost.Program_options) and runs one of
// run, list, validate or export-seeds. See docs/runner.md.
//
// Exit codes: 0 every scenario passed; 1 a scenario failed; 2 the scenarios could not be loaded
// or the command line is wrong; 3 a target could not be started; 128+N when stopped by signal
// N (130 for Ctrl-C, 143 for SIGTERM), after stopping the targets and writing the reports.
#ifndef PARLEY_HARNESS_CLI_H_
#define PARLEY_HARNESS_CLI_H_

namespace parley::harness {

inline constexpr int kExitPassed = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitTarget = 3;

int RunParley(int argc, char** argv);

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_CLI_H_
