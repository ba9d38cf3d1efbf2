// `parley init [DIR]`: scaffolds a user's repository for parley: a targets.yaml for their
// server, one example scenario and a CI workflow, which `parley validate` accepts as written.
// It never overwrites a file (without --force). docs/runner.md describes what it writes.
#ifndef PARLEY_HARNESS_INIT_COMMAND_H_
#define PARLEY_HARNESS_INIT_COMMAND_H_

#include <string>
#include <vector>

namespace parley::harness {

// Exit codes: 0 the files were written; 1 a file could not be written; 2 bad command line, or
// a file exists (without --force).
int CommandInit(const std::vector<std::string>& args);

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_INIT_COMMAND_H_
