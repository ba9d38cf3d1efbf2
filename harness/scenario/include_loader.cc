#include "harness/scenario/include_loader.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "harness/scenario/loader.h"
#include "harness/scenario/step_loader.h"
#include "harness/scenario/yaml_checks.h"

namespace parley::harness {
namespace {

constexpr std::size_t kMaxIncludeDepth = 8;

// The files being included, outermost first, for loops and for messages.
struct IncludeFrame {
  std::string file;   // as named in messages
  std::string dir;    // relative includes start here
  SourcePosition at;  // the include step, in the file of the frame before
};

bool IsInclude(const YamlNode& node) {
  return node.is_map() && node.entries.size() == 1 && node.entries[0].first.scalar == "include";
}

// Replaces each `${PARAM}` of `params` in the scalars of `node`; `$${` stays as written.
void Substitute(const std::map<std::string, std::string>& params, YamlNode* node) {
  if (node->is_scalar()) {
    std::string& text = node->scalar;
    std::string out;
    std::size_t i = 0;
    while (i < text.size()) {
      if (text.compare(i, 3, "$${") == 0) {
        out += "$${";
        i += 3;
        continue;
      }
      const std::size_t close = text.find('}', i + 2);
      if (text.compare(i, 2, "${") == 0 && close != std::string::npos) {
        auto it = params.find(text.substr(i + 2, close - i - 2));
        if (it != params.end()) {
          out += it->second;
          i = close + 1;
          continue;
        }
      }
      out += text[i++];
    }
    text = std::move(out);
    return;
  }
  for (YamlNode& item : node->items)
    Substitute(params, &item);
  for (YamlEntry& entry : node->entries)
    Substitute(params, &entry.second);
}

std::string ReadIncluded(const std::string& name, const std::string& path, const YamlNode& at,
                         std::size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) Fail(at, "cannot read the included file " + Quote(name) + " (looked for " + path + ")");
  std::string text;
  char buffer[65536];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    text.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (text.size() > max_bytes) {
      Fail(at, "the included file " + Quote(name) + " is larger than " + std::to_string(max_bytes) +
                   " bytes");
    }
  }
  return text;
}

void LoadItems(const YamlNode& list, LoadScope& scope, std::vector<IncludeFrame>& frames,
               std::vector<Step>* steps);

// The steps file's `params`: each name, and its default when it has one.
std::map<std::string, std::optional<std::string>> DeclaredParameters(const YamlNode& root) {
  std::map<std::string, std::optional<std::string>> declared;
  const YamlNode* params = root.Find("params");
  if (params == nullptr) return declared;
  if (params->is_map()) {
    for (const auto& [key, value] : params->entries) {
      std::optional<std::string>& default_value = declared[RequireName(key, "a parameter name")];
      if (!value.is_null()) default_value = RequireString(value, "a parameter's default");
    }
    return declared;
  }
  for (const YamlNode* item : ListOrOne(*params))
    declared[RequireName(*item, "a parameter name")] = std::nullopt;
  return declared;
}

// The value of every parameter: from `with` (in the including file), else the default.
std::map<std::string, std::string> ParameterValues(
    const std::map<std::string, std::optional<std::string>>& declared, const YamlNode& include,
    const YamlNode* with, const std::string& name) {
  std::map<std::string, std::string> values;
  if (with != nullptr) {
    RequireMap(*with, "'with'");
    for (const auto& [key, value] : with->entries) {
      if (declared.count(key.scalar) == 0) {
        Fail(key, Quote(name) + " has no parameter " + Quote(key.scalar) +
                      (declared.empty() ? " (it declares none under 'params')" : ""));
      }
      values[key.scalar] = RequireString(value, "a parameter's value");
    }
  }
  for (const auto& [param, default_value] : declared) {
    if (values.count(param) != 0) continue;
    if (!default_value) {
      Fail(with != nullptr ? *with : include,
           Quote(name) + " needs a value for its parameter " + Quote(param) + " under 'with'");
    }
    values[param] = *default_value;
  }
  return values;
}

// Locates `failure` in the included file `frame` unless it is located already.
void LocateInIncludedFile(const IncludeFrame& frame, const std::string& includer,
                          YamlFailure* failure) {
  if (!failure->file.empty()) return;
  failure->file = frame.file;
  failure->message += " (included from " + includer + ":" + std::to_string(frame.at.line) + ")";
}

// Runs `load`, locating its failures in the included file `frame`.
template <typename Load>
void InsideIncludedFile(const IncludeFrame& frame, const std::string& includer, Load load) {
  try {
    load();
  } catch (YamlFailure& failure) {
    LocateInIncludedFile(frame, includer, &failure);
    throw;
  }
}

// Whether the steps after a step that failed to load can still be checked: the step changes
// nothing they depend on (no connection opened or closed, no variable captured).
bool LaterStepsStandAlone(const YamlNode& step) {
  if (!step.is_map() || step.entries.size() != 1) return false;
  const std::string& action = step.entries[0].first.scalar;
  const YamlNode& value = step.entries[0].second;
  if (action == "send" || action == "sleep" || action == "signal") return true;
  return action == "expect" && value.is_map() && value.Find("capture") == nullptr;
}

// The steps of one include step, loaded in place.
void LoadInclude(const YamlNode& node, LoadScope& scope, std::vector<IncludeFrame>& frames,
                 std::vector<Step>* steps) {
  const YamlNode& value = node.entries[0].second;
  const YamlNode* file = &value;
  const YamlNode* with = nullptr;
  if (value.is_map()) {
    CheckKeys(value, {"file", "with"}, "'include'");
    file = value.Find("file");
    if (file == nullptr) Fail(value, "'include' needs a 'file'");
    with = value.Find("with");
  }
  const std::string& name = RequireString(*file, "'include'");
  if (name.empty()) Fail(*file, "'include' needs a file name");
  if (!scope.check_files()) Fail(*file, "'include' reads a file, and files are not read here");
  if (frames.size() > kMaxIncludeDepth) {
    Fail(*file, "includes nest more than " + std::to_string(kMaxIncludeDepth) + " deep");
  }
  std::filesystem::path path(name);
  if (path.is_relative() && !frames.back().dir.empty()) path = frames.back().dir / path;
  IncludeFrame frame{path.lexically_normal().string(), path.parent_path().string(),
                     PositionOf(node)};
  std::error_code ec;
  const std::filesystem::path real = std::filesystem::weakly_canonical(path, ec);
  for (const IncludeFrame& outer : frames) {
    std::error_code outer_ec;
    if (std::filesystem::weakly_canonical(outer.file, outer_ec) == real) {
      Fail(*file, Quote(frame.file) + " is already being included (by " + Quote(outer.file) +
                      "): includes must not loop");
    }
  }
  const std::string text = ReadIncluded(name, frame.file, *file, scope.limits().max_bytes);
  const std::string includer = frames.back().file;

  std::vector<YamlNode> documents;
  std::map<std::string, std::optional<std::string>> declared;
  InsideIncludedFile(frame, includer, [&] {
    YamlError error;
    if (!ParseYaml(text, scope.limits(), &documents, &error)) {
      throw YamlFailure{error.line, error.column, error.message};
    }
    if (documents.size() != 1 || !documents[0].is_map()) {
      throw YamlFailure{1, 1, "a steps file holds one mapping with 'steps' (and 'params')"};
    }
    CheckKeys(documents[0], {"params", "steps", "description"}, "a steps file");
    const YamlNode* list = documents[0].Find("steps");
    if (list == nullptr) Fail(documents[0], "a steps file needs 'steps'");
    if (!list->is_sequence() || list->items.empty()) {
      Fail(*list, "'steps' must be a list of at least one step");
    }
    declared = DeclaredParameters(documents[0]);
  });
  YamlNode expanded = *documents[0].Find("steps");
  Substitute(ParameterValues(declared, node, with, name), &expanded);
  frames.push_back(frame);
  InsideIncludedFile(frame, includer, [&] { LoadItems(expanded, scope, frames, steps); });
  frames.pop_back();
}

void LoadItems(const YamlNode& list, LoadScope& scope, std::vector<IncludeFrame>& frames,
               std::vector<Step>* steps) {
  for (const YamlNode& item : list.items) {
    if (IsInclude(item)) {
      LoadInclude(item, scope, frames, steps);
      continue;
    }
    try {
      Step step = LoadStep(item, scope);
      if (frames.size() > 1) step.file = frames.back().file;
      steps->push_back(std::move(step));
    } catch (YamlFailure& failure) {
      if (!LaterStepsStandAlone(item) || scope.errors().size() + 1 >= kMaxErrorsPerFile) throw;
      if (frames.size() > 1) {
        LocateInIncludedFile(frames.back(), frames[frames.size() - 2].file, &failure);
      }
      scope.Record(std::move(failure));
    }
  }
}

}  // namespace

void LoadStepList(const YamlNode& list, LoadScope& scope, std::vector<Step>* steps) {
  std::vector<IncludeFrame> frames = {{scope.scenario().file, scope.scenario().dir, {}}};
  LoadItems(list, scope, frames, steps);
}

}  // namespace parley::harness
