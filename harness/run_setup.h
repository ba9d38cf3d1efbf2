// What every command that reads scenarios (run, list, validate, export-seeds) does first: find
// the scenario files under the paths, load and check them, load the targets file, check that
// every target the scenarios use is declared there or runs already, and plan the runs. Nothing
// is started or played here, and nothing is printed: errors come back as values.
#ifndef PARLEY_HARNESS_RUN_SETUP_H_
#define PARLEY_HARNESS_RUN_SETUP_H_

#include <set>
#include <string>
#include <vector>

#include "harness/catalog.h"
#include "harness/scenario/loader.h"
#include "harness/scenario/plan.h"
#include "harness/scenario/target_config.h"

namespace parley::harness {

// What the command line asks for.
struct RunRequest {
  std::vector<std::string> paths;          // scenario files and folders (FindScenarioFiles)
  std::vector<std::string> excludes;       // globs of files left out (--exclude, ExcludedBy)
  std::string targets_file;                // empty: the nearest one (FindTargetsFile)
  std::vector<std::string> variables;      // names given a value on the command line (--var)
  std::set<std::string> external_targets;  // played against servers that run already (--target)
  Selection selection;
};

struct RunSetup {
  Catalog catalog;
  TargetsConfig targets;
  bool have_targets = false;     // a targets file was found and loaded
  std::vector<PlannedRun> plan;  // points into `catalog`
};

struct RunSetupError {
  // Set when the paths cannot be searched; then nothing was loaded and `errors` is empty.
  std::string message;
  // Otherwise every mistake found: in scenario files, in the targets file, unknown targets.
  std::vector<LoadError> errors;
};

// Fills `*setup`. On failure returns false with `*error` set; `*setup` is then incomplete.
bool SetUpRun(const RunRequest& request, RunSetup* setup, RunSetupError* error);

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_RUN_SETUP_H_
