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

// One scenario: its own keys first, then each step, checked against what those set up.
Scenario LoadScenario(const YamlNode& node, int index, const LoadOptions& options,
                      const std::string& file, const std::string& dir) {
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
  LoadSteps(node, scope, &s);
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

// Loads every scenario of `documents` into `*scenarios`; throws YamlFailure on the first error.
void LoadDocuments(const std::vector<YamlNode>& documents, const std::string& file,
                   const LoadOptions& options, std::vector<Scenario>* scenarios) {
  std::string dir = std::filesystem::path(file).parent_path().string();
  std::map<std::string, int> names;  // the line of each scenario's name
  int index = 0;
  for (const YamlNode& document : documents) {
    if (document.is_null()) continue;
    for (const YamlNode* item : ScenarioNodes(document)) {
      Scenario s = LoadScenario(*item, index++, options, file, dir);
      auto [it, inserted] = names.emplace(s.name, s.where.line);
      if (!inserted) {
        FailAt(s.where, "another scenario in this file is named " + Quote(s.name) + " (line " +
                            std::to_string(it->second) + ")");
      }
      scenarios->push_back(std::move(s));
    }
  }
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
      return result;
    }
    LoadDocuments(documents, file_name, options, &result.scenarios);
    if (result.scenarios.empty()) {
      result.error = LoadError{file_name, 0, 0, "the file holds no scenario"};
    }
  } catch (const YamlFailure& f) {
    result.scenarios.clear();
    result.error = LoadError{f.file.empty() ? file_name : f.file, f.line, f.column, f.message};
  } catch (const std::exception& e) {
    result.scenarios.clear();
    result.error = LoadError{file_name, 0, 0, std::string("cannot load: ") + e.what()};
  }
  return result;
}

LoadResult LoadScenarioFile(const std::string& path, const LoadOptions& options) noexcept {
  try {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      LoadResult result;
      result.error = LoadError{path, 0, 0, "cannot read the file"};
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
    return result;
  }
}

}  // namespace parley::harness
