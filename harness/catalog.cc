#include "harness/catalog.h"

#include <algorithm>
#include <filesystem>

namespace parley::harness {
namespace fs = std::filesystem;

std::vector<const Scenario*> Catalog::All() const {
  std::vector<const Scenario*> all;
  for (const Scenario& s : scenarios)
    all.push_back(&s);
  return all;
}

bool FindScenarioFiles(const std::vector<std::string>& paths, std::vector<std::string>* files,
                       std::string* error) {
  std::vector<std::string> found;
  for (const std::string& path : paths) {
    std::error_code ec;
    if (fs::is_regular_file(path, ec)) {
      found.push_back(fs::path(path).lexically_normal().string());
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
      if (!it->is_regular_file(ec)) continue;
      fs::path p = it->path();
      std::string ext = p.extension().string();
      std::string name = p.filename().string();
      if ((ext == ".yaml" || ext == ".yml") && name != "targets.yaml" && name != "targets.yml") {
        in_folder.push_back(p.lexically_normal().string());
      }
    }
    if (ec) {
      *error = "cannot read folder " + path + ": " + ec.message();
      return false;
    }
    std::sort(in_folder.begin(), in_folder.end());
    found.insert(found.end(), in_folder.begin(), in_folder.end());
  }
  for (const std::string& f : found) {
    if (std::find(files->begin(), files->end(), f) == files->end()) files->push_back(f);
  }
  return true;
}

Catalog LoadCatalog(const std::vector<std::string>& files, const LoadOptions& options) {
  Catalog catalog;
  catalog.files = files;
  for (const std::string& file : files) {
    LoadResult result = LoadScenarioFile(file, options);
    if (!result.ok()) {
      catalog.errors.push_back(*result.error);
      continue;
    }
    for (Scenario& s : result.scenarios)
      catalog.scenarios.push_back(std::move(s));
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
