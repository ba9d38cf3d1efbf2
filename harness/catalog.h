// The scenarios of a run: the files found under the paths given on the command line, loaded
// and checked, and the targets file that goes with them.
#ifndef PARLEY_HARNESS_CATALOG_H_
#define PARLEY_HARNESS_CATALOG_H_

#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "harness/scenario/loader.h"
#include "harness/scenario/scenario.h"

namespace parley::harness {

// A file to load, and whether it was found by searching a folder (`discovered`) or named.
struct ScenarioFile {
  std::string path;
  bool discovered = false;
};

struct Catalog {
  std::vector<std::string> files;  // the scenario files loaded
  std::deque<Scenario> scenarios;  // a deque: pointers to scenarios stay valid
  std::vector<LoadError> errors;
  // Files found in folders and left out: steps files (for include), and files that are plainly
  // not scenario files (with a warning).
  std::vector<std::string> steps_files;
  std::vector<std::string> warnings;

  std::vector<const Scenario*> All() const;
};

// The scenario files under `paths`: a file as given; a folder searched recursively for
// *.yaml and *.yml, leaving out files named targets.yaml or targets.yml, folders below it that
// hold a targets file of their own (suites of their own), and files `excludes` match
// (ExcludedBy). Sorted, without duplicates. A path that does not exist is an error.
bool FindScenarioFiles(const std::vector<std::string>& paths,
                       const std::vector<std::string>& excludes, std::vector<ScenarioFile>* files,
                       std::string* error);

// Whether the glob `pattern` (fnmatch: *, ?, [..]) leaves out `path`: it matches the path as
// found, or one of the folders it is in, or, for a pattern without a slash, the file name.
bool ExcludedBy(const std::string& pattern, const std::string& path);

// Loads every file; a file with errors contributes its errors and no scenarios. A discovered
// file that is plainly not a scenario file is skipped with a warning, a discovered steps file
// without one (unless no scenario includes it: then it may be a scenario without a name).
Catalog LoadCatalog(const std::vector<ScenarioFile>& files, const LoadOptions& options);

// The nearest targets.yaml in the folder of the first path or a folder above it; empty when
// there is none.
std::string FindTargetsFile(const std::vector<std::string>& paths);

// Errors for targets the scenarios use that `known` does not know.
std::vector<LoadError> CheckTargetNames(const Catalog& catalog,
                                        const std::function<bool(const std::string&)>& known,
                                        const std::string& known_list);

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_CATALOG_H_
