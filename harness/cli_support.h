// What the `parley` commands share on their command lines: the options that select scenarios
// and targets, parsing them (Boost.Program_options), and loading what they name (SetUpRun).
// Errors in the command line are thrown as program_options errors, which RunParley prints
// with a hint and turns into exit code 2.
#ifndef PARLEY_HARNESS_CLI_SUPPORT_H_
#define PARLEY_HARNESS_CLI_SUPPORT_H_

#include <boost/program_options.hpp>
#include <map>
#include <string>
#include <vector>

#include "harness/play/target_pool.h"
#include "harness/run_setup.h"
#include "harness/scenario/template.h"

namespace parley::harness {

struct Options {
  std::vector<std::string> paths;
  std::vector<std::string> filters;
  std::vector<std::string> tags;
  std::vector<std::string> exclude_tags;
  std::vector<std::string> excludes;
  std::vector<std::string> vars;
  std::vector<std::string> external;
  std::string shard;
  std::string targets_file;
  std::string bin_dir;
  // run
  int jobs = 0;
  int repeat = 1;
  int rerun_failed = 0;
  bool fail_fast = false;
  double timeout_scale = 1.0;
  bool verbose = false;
  std::string junit;
  std::string json;
  std::string html;
  std::string color = "auto";
  std::string max_receive = "64MiB";
  // export-seeds
  std::string out;
};

// What a command works with: the variables and running targets named on the command line, and
// the scenarios, targets file and plan they lead to.
struct Loaded {
  Variables vars;
  std::map<std::string, Endpoint> external;
  RunSetup setup;
};

// --filter, --tag, --exclude-tag, --shard, --var, --targets, --target.
boost::program_options::options_description SelectionOptions(Options* o);

[[noreturn]] void UsageError(const std::string& command, const std::string& message);

// Parses `args` for `command` (PATHS are positional); false when --help was given (and
// printed).
bool Parse(const std::string& command, const std::vector<std::string>& args,
           const boost::program_options::options_description& options, Options* o);

// The folder of the running parley binary (${bin} by default).
std::string SelfDirectory();

// "NAME=VALUE" -> NAME, VALUE; false without '=' or with an empty NAME.
bool SplitNameValue(const std::string& text, std::string* name, std::string* value);

void PrintSetupError(const RunSetupError& error);

// Parses the options that say what to load, then loads and checks it (SetUpRun). Returns
// kExitPassed, or kExitUsage after printing every error.
int Load(const std::string& command, const Options& o, Loaded* loaded, int repeat);

// Writes `text` to `path`; false (after saying so on stderr) when it cannot.
bool WriteFile(const std::string& path, const std::string& text);

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_CLI_SUPPORT_H_
