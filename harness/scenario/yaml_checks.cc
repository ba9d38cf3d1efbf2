#include "harness/scenario/yaml_checks.h"

#include <algorithm>

#include "harness/scenario/template.h"

namespace parley::harness {

[[noreturn]] void Fail(const YamlNode& node, std::string message) {
  throw YamlFailure{node.line, node.column, std::move(message)};
}

[[noreturn]] void FailAt(SourcePosition at, std::string message) {
  throw YamlFailure{at.line, at.column, std::move(message)};
}

SourcePosition PositionOf(const YamlNode& node) {
  return {node.line, node.column};
}

std::size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j)
    row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string Join(std::initializer_list<std::string_view> words) {
  std::string out;
  for (std::string_view w : words) {
    if (!out.empty()) out += ", ";
    out += w;
  }
  return out;
}

std::string Quote(std::string_view text) {
  std::string out = "'";
  for (char c : text.substr(0, 60))
    out += (static_cast<unsigned char>(c) < 0x20) ? '?' : c;
  if (text.size() > 60) out += "...";
  return out + "'";
}

// A key that is not in `allowed` is an error naming the allowed ones, and the closest one when
// it looks like a typo.
void CheckKeys(const YamlNode& map, std::initializer_list<std::string_view> allowed,
               std::string_view context) {
  for (const auto& [key, value] : map.entries) {
    if (std::find(allowed.begin(), allowed.end(), key.scalar) != allowed.end()) continue;
    std::string message = "unknown key " + Quote(key.scalar) + " in " + std::string(context);
    std::string_view best;
    std::size_t best_distance = 3;
    for (std::string_view candidate : allowed) {
      std::size_t d = EditDistance(key.scalar, candidate);
      if (d < best_distance) {
        best_distance = d;
        best = candidate;
      }
    }
    if (!best.empty()) {
      message += " (did you mean '" + std::string(best) + "'?)";
    } else {
      message += " (expected one of: " + Join(allowed) + ")";
    }
    Fail(key, message);
  }
}

const YamlNode& RequireMap(const YamlNode& node, std::string_view what) {
  if (!node.is_map())
    Fail(node, std::string(what) + " must be a mapping, not " + DescribeKind(node));
  return node;
}

const std::string& RequireString(const YamlNode& node, std::string_view what) {
  if (!node.is_scalar())
    Fail(node, std::string(what) + " must be a string, not " + DescribeKind(node));
  return node.scalar;
}

std::string RequireName(const YamlNode& node, std::string_view what) {
  const std::string& text = RequireString(node, what);
  if (text.empty() || text.size() > 64 || !IsValidVariableName(text) ||
      text.find('.') != std::string::npos) {
    Fail(node, std::string(what) + " " + Quote(text) +
                   " must be a word of letters, digits, _ and - (starting with a letter)");
  }
  return text;
}

bool RequireBool(const YamlNode& node, std::string_view what) {
  if (node.is_scalar() && !node.quoted) {
    if (node.scalar == "true") return true;
    if (node.scalar == "false") return false;
  }
  Fail(node, std::string(what) + " must be true or false");
}

std::int64_t RequireInt(const YamlNode& node, std::string_view what, std::int64_t min,
                        std::int64_t max) {
  if (!node.is_scalar() || node.quoted || node.scalar.empty() || node.scalar.size() > 12 ||
      !std::all_of(node.scalar.begin(), node.scalar.end(),
                   [](char c) { return c >= '0' && c <= '9'; })) {
    Fail(node, std::string(what) + " must be a whole number");
  }
  std::int64_t value = std::stoll(node.scalar);
  if (value < min || value > max) {
    Fail(node, std::string(what) + " must be between " + std::to_string(min) + " and " +
                   std::to_string(max));
  }
  return value;
}

Duration RequireDuration(const YamlNode& node, std::string_view what) {
  if (!node.is_scalar()) {
    Fail(node,
         std::string(what) + " must be a duration such as 250ms or 2s, not " + DescribeKind(node));
  }
  std::string error;
  auto d = ParseDuration(node.scalar, &error);
  if (!d) Fail(node, std::string(what) + ": " + error);
  return *d;
}

namespace {

// In double quotes YAML reads \xe9 as the character U+00E9 (two bytes in UTF-8) before parley
// sees it; parley's own \xe9 is one byte. The same text meaning two things is refused.
[[noreturn]] void RejectHighEscape(const YamlNode& node) {
  auto hex = [](int value, const char* digits) {
    return std::string{digits[(value >> 4) & 0xf], digits[value & 0xf]};
  };
  const char* lower = "0123456789abcdef";
  const char* upper = "0123456789ABCDEF";
  int c = node.high_escape;
  std::string byte = hex(c, lower);
  throw YamlFailure{node.high_escape_line, node.high_escape_column,
                    "\"\\x" + byte + "\" in double quotes is YAML's escape for the character U+00" +
                        hex(c, upper) + " (the two bytes " + hex(0xc0 | (c >> 6), lower) + " " +
                        hex(0x80 | (c & 0x3f), lower) + " in UTF-8), not the byte 0x" + byte +
                        ": for the byte, use single quotes ('...\\x" + byte +
                        "...'); for the character, write \\u00" + hex(c, upper)};
}

}  // namespace

Template RequireTemplate(const YamlNode& node, std::string_view what, bool unescape) {
  if (!node.is_scalar())
    Fail(node, std::string(what) + " must be a string, not " + DescribeKind(node));
  if (node.high_escape != 0) RejectHighEscape(node);
  Template::ParseError error;
  auto t = Template::Parse(node.scalar, unescape, &error);
  if (!t) {
    int column = node.column;
    if (node.scalar.find('\n') == std::string::npos) {
      column += static_cast<int>(error.offset) + (node.quoted ? 1 : 0);
    }
    throw YamlFailure{node.line, column, std::string(what) + ": " + error.message};
  }
  return std::move(*t);
}

std::vector<const YamlNode*> ListOrOne(const YamlNode& node) {
  std::vector<const YamlNode*> out;
  if (node.is_sequence()) {
    for (const YamlNode& item : node.items)
      out.push_back(&item);
  } else {
    out.push_back(&node);
  }
  return out;
}

}  // namespace parley::harness
