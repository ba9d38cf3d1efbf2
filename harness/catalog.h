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

struct Catalog {
  std::vector<std::string> files;
  std::deque<Scenario> scenarios;  // a deque: pointers to scenarios stay valid
  std::vector<LoadError> errors;

  std::vector<const Scenario*> All() const;
};

// The scenario files under `paths`: a file as given; a folder searched recursively for
// *.yaml and *.yml, leaving out files named targets.yaml or targets.yml. Sorted, without
// duplicates. A path that does not exist is an error.
bool FindScenarioFiles(const std::vector<std::string>& paths, std::vector<std::string>* files,
                       std::string* error);

// Loads every file; a file with an error contributes its error and no scenarios.
Catalog LoadCatalog(const std::vector<std::string>& files, const LoadOptions& options);

// The nearest targets.yaml in the folder of the first path or a folder above it; empty when
// there is none.
std::string FindTargetsFile(const std::vector<std::string>& paths);

// Errors for targets the scenarios use that `known` does not know.
std::vector<LoadError> CheckTargetNames(const Catalog& catalog,
                                        const std::function<bool(const std::string&)>& known,
                                        const std::string& known_list);

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_CATALOG_H_
