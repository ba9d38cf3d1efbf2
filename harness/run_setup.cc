#include "harness/run_setup.h"

namespace parley::harness {
namespace {

// The targets a scenario may use, for the message about one it may not: "known: a, b", or why
// none is.
std::string KnownTargets(const RunRequest& request, const RunSetup& setup,
                         const std::string& targets_file) {
  std::string known;
  for (const std::string& name : request.external_targets)
    known += (known.empty() ? "" : ", ") + name;
  for (const auto& [name, spec] : setup.targets.targets) {
    if (request.external_targets.count(name) == 0) known += (known.empty() ? "" : ", ") + name;
  }
  if (!known.empty()) return "known: " + known;
  return targets_file.empty()
             ? "no targets file was found; give --targets FILE or --target NAME=HOST:PORT"
             : "no target is declared";
}

// Loads the targets file the request names, or the nearest one; returns its name (empty when
// there is none).
std::string LoadTargetsFor(const RunRequest& request, RunSetup* setup,
                           std::vector<LoadError>* errors) {
  std::string file =
      request.targets_file.empty() ? FindTargetsFile(request.paths) : request.targets_file;
  if (file.empty()) return file;
  LoadError error;
  if (LoadTargetsFile(file, &setup->targets, &error)) {
    setup->have_targets = true;
  } else {
    errors->push_back(error);
  }
  return file;
}

}  // namespace

bool SetUpRun(const RunRequest& request, RunSetup* setup, RunSetupError* error) {
  std::vector<ScenarioFile> files;
  if (!FindScenarioFiles(request.paths, request.excludes, &files, &error->message)) return false;
  LoadOptions load_options;
  load_options.variables = request.variables;
  setup->catalog = LoadCatalog(files, load_options);
  error->errors = setup->catalog.errors;
  std::string targets_file = LoadTargetsFor(request, setup, &error->errors);
  auto is_known = [&](const std::string& name) {
    return request.external_targets.count(name) != 0 || setup->targets.targets.count(name) != 0;
  };
  for (LoadError& e :
       CheckTargetNames(setup->catalog, is_known, KnownTargets(request, *setup, targets_file)))
    error->errors.push_back(std::move(e));
  if (!error->errors.empty()) return false;
  setup->plan = PlanRuns(setup->catalog.All(), request.selection);
  return true;
}

}  // namespace parley::harness
