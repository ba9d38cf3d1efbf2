#include "harness/catalog.h"

#include <fnmatch.h>

#include <algorithm>
#include <filesystem>
#include <set>

namespace parley::harness {
namespace fs = std::filesystem;

std::vector<const Scenario*> Catalog::All() const {
  std::vector<const Scenario*> all;
  for (const Scenario& s : scenarios)
    all.push_back(&s);
  return all;
}

bool ExcludedBy(const std::string& pattern, const std::string& path) {
  if (pattern.find('/') == std::string::npos) {
    return ::fnmatch(pattern.c_str(), fs::path(path).filename().c_str(), 0) == 0;
  }
  std::string normal = fs::path(pattern).lexically_normal().string();
  while (normal.size() > 1 && normal.back() == '/')
    normal.pop_back();
  for (fs::path p = fs::path(path); !p.empty(); p = p.parent_path()) {
    if (::fnmatch(normal.c_str(), p.c_str(), 0) == 0) return true;
    if (p == p.parent_path()) break;
  }
  return false;
}

bool FindScenarioFiles(const std::vector<std::string>& paths,
                       const std::vector<std::string>& excludes, std::vector<ScenarioFile>* files,
                       std::string* error) {
  std::vector<ScenarioFile> found;
  auto excluded = [&](const std::string& path) {
    return std::any_of(excludes.begin(), excludes.end(),
                       [&](const std::string& pattern) { return ExcludedBy(pattern, path); });
  };
  for (const std::string& path : paths) {
    std::error_code ec;
    if (fs::is_regular_file(path, ec)) {
      std::string normal = fs::path(path).lexically_normal().string();
      if (!excluded(normal)) found.push_back({normal, false});
      continue;
    }
    if (!fs::is_directory(path, ec)) {
      *error = "no such file or folder: " + path;
      return false;
    }
    std::vector<std::string> in_folder;
    for (auto it = fs::recursive_directory_iterator(
             path, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      // A folder below with a targets file of its own is a suite of its own (its scenarios
      // need its targets): it is played by naming it.
      if (it->is_directory(ec) && (fs::is_regular_file(it->path() / "targets.yaml", ec) ||
                                   fs::is_regular_file(it->path() / "targets.yml", ec))) {
        it.disable_recursion_pending();
        continue;
      }
      if (!it->is_regular_file(ec)) continue;
      fs::path p = it->path();
      std::string ext = p.extension().string();
      std::string name = p.filename().string();
      std::string normal = p.lexically_normal().string();
      if ((ext == ".yaml" || ext == ".yml") && name != "targets.yaml" && name != "targets.yml" &&
          !excluded(normal)) {
        in_folder.push_back(normal);
      }
    }
    if (ec) {
      *error = "cannot read folder " + path + ": " + ec.message();
      return false;
    }
    std::sort(in_folder.begin(), in_folder.end());
    for (std::string& f : in_folder)
      found.push_back({std::move(f), true});
  }
  for (ScenarioFile& f : found) {
    auto same = [&](const ScenarioFile& other) { return other.path == f.path; };
    if (std::none_of(files->begin(), files->end(), same)) files->push_back(std::move(f));
  }
  return true;
}

Catalog LoadCatalog(const std::vector<ScenarioFile>& files, const LoadOptions& options) {
  Catalog catalog;
  for (const ScenarioFile& file : files) {
    LoadOptions file_options = options;
    file_options.discovered = file.discovered;
    LoadResult result = LoadScenarioFile(file.path, file_options);
    if (result.steps_file && result.ok()) {
      catalog.steps_files.push_back(file.path);
      continue;
    }
    if (!result.skipped.empty() && result.ok()) {
      catalog.warnings.push_back(file.path + ": skipped, " + result.skipped);
      continue;
    }
    catalog.files.push_back(file.path);
    catalog.errors.insert(catalog.errors.end(), result.errors.begin(), result.errors.end());
    for (Scenario& s : result.scenarios)
      catalog.scenarios.push_back(std::move(s));
  }
  // A steps file nobody includes may be a scenario that lost its name.
  std::set<std::string> included;
  for (const Scenario& s : catalog.scenarios) {
    for (const Step& step : s.steps) {
      std::error_code ec;
      if (!step.file.empty()) included.insert(fs::weakly_canonical(step.file, ec).string());
    }
  }
  for (const std::string& steps_file : catalog.steps_files) {
    std::error_code ec;
    if (catalog.errors.empty() &&
        included.count(fs::weakly_canonical(steps_file, ec).string()) == 0) {
      catalog.warnings.push_back(steps_file +
                                 ": a steps file (for include) that no scenario played here "
                                 "includes; if it is meant as a scenario, give it a 'name'");
    }
  }
  return catalog;
}

std::string FindTargetsFile(const std::vector<std::string>& paths) {
  if (paths.empty()) return "";
  std::error_code ec;
  fs::path start = fs::absolute(paths[0], ec);
  if (ec) return "";
  fs::path dir = fs::is_directory(start, ec) ? start : start.parent_path();
  for (int depth = 0; depth < 64 && !dir.empty(); ++depth) {
    for (const char* name : {"targets.yaml", "targets.yml"}) {
      if (fs::is_regular_file(dir / name, ec)) {
        // Show it relative to where parley runs when it is below it.
        fs::path found = dir / name;
        fs::path relative = found.lexically_relative(fs::current_path(ec));
        if (!relative.empty() && relative.string().rfind("..", 0) != 0) return relative.string();
        return found.string();
      }
    }
    if (dir == dir.root_path()) break;
    dir = dir.parent_path();
  }
  return "";
}

std::vector<LoadError> CheckTargetNames(const Catalog& catalog,
                                        const std::function<bool(const std::string&)>& known,
                                        const std::string& known_list) {
  std::vector<LoadError> errors;
  for (const Scenario& s : catalog.scenarios) {
    for (const TargetUse& use : s.targets) {
      if (known(use.name)) continue;
      errors.push_back(LoadError{s.file, use.where.line, use.where.column,
                                 "unknown target '" + use.name + "' (" + known_list + ")"});
    }
  }
  return errors;
}

}  // namespace parley::harness
