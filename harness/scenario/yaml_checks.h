// Reading a YamlTree into typed values, for the scenario and targets loaders: each function
// checks one node and, when it is wrong, throws YamlFailure naming the node's line and column
// and what was expected. The loaders catch YamlFailure at their entry points; it never leaves
// them.
#ifndef PARLEY_HARNESS_SCENARIO_YAML_CHECKS_H_
#define PARLEY_HARNESS_SCENARIO_YAML_CHECKS_H_

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "harness/scenario/duration.h"
#include "harness/scenario/scenario.h"
#include "harness/scenario/template.h"
#include "harness/scenario/yaml_tree.h"

namespace parley::harness {

struct YamlFailure {
  YamlFailure(int line_, int column_, std::string message_, std::string file_ = "")
      : line(line_), column(column_), message(std::move(message_)), file(std::move(file_)) {}

  int line = 0;
  int column = 0;
  std::string message;
  std::string file;  // empty: the file being loaded; else an included file
};

[[noreturn]] void Fail(const YamlNode& node, std::string message);
[[noreturn]] void FailAt(SourcePosition at, std::string message);
SourcePosition PositionOf(const YamlNode& node);

// Levenshtein distance, for "did you mean" suggestions.
std::size_t EditDistance(std::string_view a, std::string_view b);
std::string Join(std::initializer_list<std::string_view> words);
// 'text' in single quotes, cut at 60 characters, control bytes shown as '?'.
std::string Quote(std::string_view text);

// Fails on a key of `map` not in `allowed`, suggesting the closest allowed key.
void CheckKeys(const YamlNode& map, std::initializer_list<std::string_view> allowed,
               std::string_view context);
const YamlNode& RequireMap(const YamlNode& node, std::string_view what);
const std::string& RequireString(const YamlNode& node, std::string_view what);
// A word of letters, digits, _ and -, starting with a letter or _ (connection, target,
// variable names).
std::string RequireName(const YamlNode& node, std::string_view what);
bool RequireBool(const YamlNode& node, std::string_view what);
std::int64_t RequireInt(const YamlNode& node, std::string_view what, std::int64_t min,
                        std::int64_t max);
Duration RequireDuration(const YamlNode& node, std::string_view what);
// A string split at its ${name} references (Template::Parse; with `unescape`, the scenario
// escapes apply), failing at the column of the mistake. A double-quoted `\xHH` with HH >= 0x80
// fails too: YAML has already made it the character U+00HH, where parley's escape is one byte.
Template RequireTemplate(const YamlNode& node, std::string_view what, bool unescape);
// The items of a list, or the node itself when it is not a list.
std::vector<const YamlNode*> ListOrOne(const YamlNode& node);

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_SCENARIO_YAML_CHECKS_H_
