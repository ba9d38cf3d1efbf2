// YAML text -> a small tree with a position on every node, built from yaml-cpp's parser events.
// It exists so that nothing the loader is given can crash or hang it: the text size, the nesting
// depth and the number of nodes (after expanding aliases) are capped, duplicate keys are errors,
// and every failure is a value with a line and column. Scalars remember whether they were
// quoted, so the loader can tell `2` (a bare number) from `"2"`, and where a double-quoted one
// holds a `\xHH` escape of 0x80 or above (YAML makes that the character U+00HH, two bytes in
// UTF-8, where parley's own escape would be one byte), so the loader can refuse the ambiguity.
#ifndef PARLEY_HARNESS_SCENARIO_YAML_TREE_H_
#define PARLEY_HARNESS_SCENARIO_YAML_TREE_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace parley::harness {

struct YamlEntry;

struct YamlNode {
  enum class Kind { kNull, kScalar, kSequence, kMap };

  Kind kind = Kind::kNull;
  int line = 0;         // 1-based
  int column = 0;       // 1-based
  bool quoted = false;  // a scalar written in quotes or as a block literal
  std::string scalar;
  std::vector<YamlNode> items;     // kSequence
  std::vector<YamlEntry> entries;  // kMap, in document order
  std::size_t size = 1;            // nodes in this subtree
  // The first `\xHH` escape with HH >= 0x80 in a double-quoted scalar: its value (0 when there
  // is none) and where it is written.
  int high_escape = 0;
  int high_escape_line = 0;
  int high_escape_column = 0;

  bool is_scalar() const { return kind == Kind::kScalar; }
  bool is_map() const { return kind == Kind::kMap; }
  bool is_sequence() const { return kind == Kind::kSequence; }
  bool is_null() const { return kind == Kind::kNull; }
  // The value of the map entry with this (scalar) key, or nullptr.
  const YamlNode* Find(std::string_view key) const;
};

// A key (always a scalar) and its value.
struct YamlEntry {
  YamlNode first;
  YamlNode second;
};

struct YamlLimits {
  std::size_t max_bytes = 4 * 1024 * 1024;
  std::size_t max_depth = 64;
  std::size_t max_nodes = 200'000;  // after expanding aliases
  std::size_t max_documents = 1000;
};

struct YamlError {
  int line = 0;  // 1-based; 0 when unknown
  int column = 0;
  std::string message;
};

// Parses every document in `text`. Never throws. On success fills `*documents` (empty
// documents are kept as null nodes) and returns true.
bool ParseYaml(std::string_view text, const YamlLimits& limits, std::vector<YamlNode>* documents,
               YamlError* error);

// "a mapping", "a list", "a string", "nothing": for messages.
std::string DescribeKind(const YamlNode& node);

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_SCENARIO_YAML_TREE_H_
