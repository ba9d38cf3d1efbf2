#include "harness/scenario/loader.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>

#include "harness/scenario/include_loader.h"
#include "harness/scenario/load_scope.h"
#include "harness/scenario/yaml_checks.h"

namespace parley::harness {
namespace {

void LoadName(const YamlNode& scenario, Scenario* s) {
  const YamlNode* name = scenario.Find("name");
  if (name == nullptr) Fail(scenario, "a scenario needs a 'name'");
  s->name = RequireString(*name, "'name'");
  if (s->name.empty()) Fail(*name, "'name' must not be empty");
  if (s->name.size() > 200) Fail(*name, "'name' is longer than 200 characters");
}

bool IsTagChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.';
}

void LoadTags(const YamlNode& node, Scenario* s) {
  for (const YamlNode* item : ListOrOne(node)) {
    const std::string& tag = RequireString(*item, "a tag");
    if (tag.empty() || tag.size() > 64 || !std::all_of(tag.begin(), tag.end(), IsTagChar)) {
      Fail(*item, "tag " + Quote(tag) + " must be a word of letters, digits, _ - and .");
    }
    if (!s->HasTag(tag)) s->tags.push_back(tag);
  }
}

void LoadSkip(const YamlNode& node, Scenario* s) {
  s->skip = RequireString(node, "'skip'");
  if (s->skip.empty() || (!node.quoted && (s->skip == "true" || s->skip == "false"))) {
    Fail(node, "'skip' takes the reason for skipping, e.g. skip: \"flaky on loaded machines\"");
  }
}

// `target: NAME` or `target: {name, args, fresh}`.
void LoadTarget(const YamlNode& node, LoadScope& scope) {
  TargetUse use;
  use.where = PositionOf(node);
  if (node.is_scalar()) {
    use.name = RequireName(node, "'target'");
    scope.UseDefaultTarget(std::move(use));
    return;
  }
  RequireMap(node, "'target'");
  CheckKeys(node, {"name", "args", "fresh"}, "'target'");
  const YamlNode* name = node.Find("name");
  if (name == nullptr) Fail(node, "'target' needs a 'name'");
  use.name = RequireName(*name, "the target's 'name'");
  if (const YamlNode* args = node.Find("args")) {
    if (!args->is_sequence()) Fail(*args, "'args' must be a list of strings");
    for (const YamlNode& arg : args->items)
      use.args.push_back(scope.ReadTemplate(arg, "an argument", false));
    use.fresh = true;
  }
  if (const YamlNode* fresh = node.Find("fresh")) {
    bool f = RequireBool(*fresh, "'fresh'");
    if (!f && !use.args.empty()) {
      Fail(*fresh, "a target with 'args' always gets a process of its own; remove 'fresh: false'");
    }
    use.fresh = use.fresh || f;
  }
  scope.UseDefaultTarget(std::move(use));
}

void LoadVars(const YamlNode& node, LoadScope& scope, Scenario* s) {
  RequireMap(node, "'vars'");
  for (const auto& [key, value] : node.entries) {
    if (!IsValidVariableName(key.scalar) || key.scalar.find('.') != std::string::npos) {
      Fail(key, "variable name " + Quote(key.scalar) +
                    " must be a word of letters, digits, _ and - (no dots)");
    }
    s->vars.emplace_back(key.scalar, scope.ReadTemplate(value, "a variable's value", true));
    scope.Define(key.scalar);
  }
}

void LoadSteps(const YamlNode& scenario, LoadScope& scope, Scenario* s) {
  const YamlNode* steps = scenario.Find("steps");
  if (steps == nullptr) Fail(scenario, "a scenario needs 'steps'");
  if (!steps->is_sequence() || steps->items.empty()) {
    Fail(*steps, "'steps' must be a list of at least one step");
  }
  LoadStepList(*steps, scope, &s->steps);
  scope.Finish();
}

// One scenario: its own keys first, then each step, checked against what those set up. Throws
// the error that ends the check; errors of steps the check went on after are added to
// `*errors`.
Scenario LoadScenario(const YamlNode& node, int index, const LoadOptions& options,
                      const std::string& file, const std::string& dir,
                      std::vector<YamlFailure>* errors) {
  RequireMap(node, "a scenario");
  CheckKeys(node, {"name", "description", "tags", "skip", "target", "timeout", "vars", "steps"},
            "a scenario");
  Scenario s;
  s.file = file;
  s.dir = dir;
  s.where = PositionOf(node);
  s.index = index;
  LoadName(node, &s);
  if (const YamlNode* n = node.Find("description"))
    s.description = RequireString(*n, "'description'");
  if (const YamlNode* n = node.Find("tags")) LoadTags(*n, &s);
  if (const YamlNode* n = node.Find("skip")) LoadSkip(*n, &s);
  if (const YamlNode* n = node.Find("timeout")) s.timeout = RequireDuration(*n, "'timeout'");
  LoadScope scope(options, &s);
  if (const YamlNode* n = node.Find("target")) LoadTarget(*n, scope);
  if (const YamlNode* n = node.Find("vars")) LoadVars(*n, scope, &s);
  try {
    LoadSteps(node, scope, &s);
  } catch (YamlFailure&) {
    errors->insert(errors->end(), scope.errors().begin(), scope.errors().end());
    throw;
  }
  errors->insert(errors->end(), scope.errors().begin(), scope.errors().end());
  return s;
}

// The scenarios of one YAML document: a mapping is one, a list holds several.
std::vector<const YamlNode*> ScenarioNodes(const YamlNode& document) {
  if (document.is_map()) return {&document};
  if (!document.is_sequence()) {
    Fail(document, "a scenario file holds a scenario (a mapping) or a list of them, not " +
                       DescribeKind(document));
  }
  std::vector<const YamlNode*> items;
  for (const YamlNode& item : document.items)
    items.push_back(&item);
  return items;
}

// Loads every scenario of `documents` into `*scenarios`, and every error into `*errors`: a
// scenario with an error is left out, and the next one is checked.
void LoadDocuments(const std::vector<YamlNode>& documents, const std::string& file,
                   const LoadOptions& options, std::vector<Scenario>* scenarios,
                   std::vector<YamlFailure>* errors) {
  std::string dir = std::filesystem::path(file).parent_path().string();
  std::map<std::string, int> names;  // the line of each scenario's name
  int index = 0;
  for (const YamlNode& document : documents) {
    if (document.is_null()) continue;
    std::vector<const YamlNode*> items;
    try {
      items = ScenarioNodes(document);
    } catch (YamlFailure& failure) {
      errors->push_back(std::move(failure));
      continue;
    }
    for (const YamlNode* item : items) {
      if (errors->size() >= kMaxErrorsPerFile) return;
      const std::size_t errors_before = errors->size();
      try {
        Scenario s = LoadScenario(*item, index++, options, file, dir, errors);
        auto [it, inserted] = names.emplace(s.name, s.where.line);
        if (!inserted) {
          FailAt(s.where, "another scenario in this file is named " + Quote(s.name) + " (line " +
                              std::to_string(it->second) + ")");
        }
        if (errors->size() == errors_before) scenarios->push_back(std::move(s));
      } catch (YamlFailure& failure) {
        errors->push_back(std::move(failure));
      }
    }
  }
}

bool LooksLikeAScenario(const YamlNode& node) {
  return node.is_map() && (node.Find("name") != nullptr || node.Find("steps") != nullptr);
}

// A steps file (for `include`): one mapping with `steps` and nothing a scenario would have
// besides (no `name`): only `params` and `description`.
// Returns its mapping, or nullptr.
const YamlNode* StepsFileRoot(const std::vector<YamlNode>& documents) {
  const YamlNode* only = nullptr;
  for (const YamlNode& document : documents) {
    if (document.is_null()) continue;
    if (only != nullptr) return nullptr;
    only = &document;
  }
  if (only == nullptr || !only->is_map() || only->Find("steps") == nullptr) return nullptr;
  const bool steps_keys_only =
      std::all_of(only->entries.begin(), only->entries.end(), [](const YamlEntry& e) {
        return e.first.scalar == "steps" || e.first.scalar == "params" ||
               e.first.scalar == "description";
      });
  return steps_keys_only ? only : nullptr;
}

// Why `documents` are plainly not scenarios (no mapping with `name` or `steps` at the top, nor
// in a top-level list), or "" when they may be.
std::string NotAScenarioFile(const std::vector<YamlNode>& documents) {
  for (const YamlNode& document : documents) {
    if (LooksLikeAScenario(document)) return "";
    if (document.is_sequence() &&
        std::any_of(document.items.begin(), document.items.end(), LooksLikeAScenario)) {
      return "";
    }
  }
  return "not a scenario file: no mapping with 'name' and 'steps' in it";
}

}  // namespace

std::string LoadError::ToString() const {
  if (line <= 0) return file + ": " + message;
  return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + message;
}

LoadResult LoadScenarios(std::string_view text, std::string_view file,
                         const LoadOptions& options) noexcept {
  LoadResult result;
  std::string file_name(file);
  try {
    std::vector<YamlNode> documents;
    YamlError yaml_error;
    if (!ParseYaml(text, options.limits, &documents, &yaml_error)) {
      result.error = LoadError{file_name, yaml_error.line, yaml_error.column, yaml_error.message};
      result.errors = {*result.error};
      return result;
    }
    // Named on the command line, a file without `params` may be a scenario without its name.
    const YamlNode* steps_root = StepsFileRoot(documents);
    if (steps_root != nullptr && (options.discovered || steps_root->Find("params") != nullptr)) {
      result.steps_file = true;
      result.skipped = "a steps file (for include), not a scenario file";
      if (!options.discovered) {
        result.error = LoadError{file_name, 0, 0,
                                 "a steps file holds no scenario to play: include it from a "
                                 "scenario ('- include: FILE')"};
        result.errors.push_back(*result.error);
      }
      return result;
    }
    if (std::string why = NotAScenarioFile(documents); options.discovered && !why.empty()) {
      result.skipped = why;
      return result;
    }
    std::vector<YamlFailure> failures;
    LoadDocuments(documents, file_name, options, &result.scenarios, &failures);
    for (const YamlFailure& f : failures) {
      result.errors.push_back(
          LoadError{f.file.empty() ? file_name : f.file, f.line, f.column, f.message});
    }
    if (failures.empty() && result.scenarios.empty()) {
      result.errors.push_back(LoadError{file_name, 0, 0, "the file holds no scenario"});
    }
    if (!result.errors.empty()) {
      result.scenarios.clear();
      result.error = result.errors.front();
    }
  } catch (const YamlFailure& f) {
    result.scenarios.clear();
    result.error = LoadError{f.file.empty() ? file_name : f.file, f.line, f.column, f.message};
    result.errors = {*result.error};
  } catch (const std::exception& e) {
    result.scenarios.clear();
    result.error = LoadError{file_name, 0, 0, std::string("cannot load: ") + e.what()};
    result.errors = {*result.error};
  }
  return result;
}

LoadResult LoadScenarioFile(const std::string& path, const LoadOptions& options) noexcept {
  try {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      LoadResult result;
      result.error = LoadError{path, 0, 0, "cannot read the file"};
      result.errors = {*result.error};
      return result;
    }
    std::string text;
    char buffer[65536];
    while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
      text.append(buffer, static_cast<std::size_t>(in.gcount()));
      if (text.size() > options.limits.max_bytes) break;
    }
    return LoadScenarios(text, path, options);
  } catch (const std::exception& e) {
    LoadResult result;
    result.error = LoadError{path, 0, 0, std::string("cannot read the file: ") + e.what()};
    result.errors = {*result.error};
    return result;
  }
}

}  // namespace parley::harness
