#include "harness/scenario/template.h"

#include <algorithm>
#include <cstdlib>

#include "harness/text/bytes_text.h"

namespace parley::harness {
namespace {

bool IsWordChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

// The offset of the first escape sequence in `piece` that UnescapeText rejects.
std::size_t FailingEscape(std::string_view piece) {
  std::size_t at = piece.find('\\');
  while (at != std::string_view::npos) {
    std::size_t length = (at + 1 < piece.size() && piece[at + 1] == 'x') ? 4 : 2;
    std::size_t end = std::min(piece.size(), at + length);
    std::string probe;
    std::string ignored;
    if (!UnescapeText(piece.substr(at, end - at), &probe, &ignored)) return at;
    at = piece.find('\\', end);
  }
  return 0;
}

// Applies the escapes to one literal piece; `base` is the piece's offset in the source.
bool AddLiteral(std::string_view piece, std::size_t base, bool unescape,
                std::vector<Template::Part>* parts, Template::ParseError* error) {
  if (piece.empty()) return true;
  std::string bytes;
  if (unescape) {
    std::string message;
    if (!UnescapeText(piece, &bytes, &message)) {
      error->offset = base + FailingEscape(piece);
      error->message = message;
      return false;
    }
  } else {
    bytes.assign(piece);
  }
  if (!parts->empty() && !parts->back().is_variable) {
    parts->back().text += bytes;
  } else {
    parts->push_back({false, std::move(bytes)});
  }
  return true;
}

}  // namespace

const std::string* Variables::Find(const std::string& name) const {
  auto it = values_.find(name);
  if (it != values_.end()) return &it->second;
  auto cached = computed_.find(name);
  if (cached != computed_.end()) return &cached->second;
  if (source_) {
    if (std::optional<std::string> value = source_(name)) {
      return &computed_.emplace(name, std::move(*value)).first->second;
    }
  }
  if (name.size() > 4 && name.compare(0, 4, "env.") == 0) {
    const char* value = std::getenv(name.c_str() + 4);
    if (value == nullptr) return nullptr;
    return &computed_.emplace(name, value).first->second;
  }
  return nullptr;
}

bool IsValidVariableName(std::string_view name) {
  if (name.empty()) return false;
  char first = name[0];
  if (!((first >= 'a' && first <= 'z') || (first >= 'A' && first <= 'Z') || first == '_')) {
    return false;
  }
  bool after_dot = false;
  for (char c : name) {
    if (c == '.') {
      if (after_dot) return false;
      after_dot = true;
    } else if (IsWordChar(c)) {
      after_dot = false;
    } else {
      return false;
    }
  }
  return !after_dot;
}

Template Template::Literal(std::string bytes) {
  Template t;
  t.source_ = bytes;
  if (!bytes.empty()) t.parts_.push_back({false, std::move(bytes)});
  return t;
}

std::optional<Template> Template::Parse(std::string_view source, bool unescape, ParseError* error) {
  Template t;
  t.source_.assign(source);
  std::size_t literal_start = 0;
  std::size_t i = 0;
  while (i < source.size()) {
    if (source[i] != '$') {
      ++i;
      continue;
    }
    if (source.compare(i, 3, "$${") == 0) {
      if (!AddLiteral(source.substr(literal_start, i - literal_start), literal_start, unescape,
                      &t.parts_, error)) {
        return std::nullopt;
      }
      if (!AddLiteral("${", i, false, &t.parts_, error)) return std::nullopt;
      i += 3;
      literal_start = i;
      continue;
    }
    if (source.compare(i, 2, "${") != 0) {
      ++i;
      continue;
    }
    std::size_t close = source.find('}', i + 2);
    if (close == std::string_view::npos) {
      error->offset = i;
      error->message = "'${' is not closed by '}' (write $${ for a literal ${)";
      return std::nullopt;
    }
    std::string_view name = source.substr(i + 2, close - i - 2);
    std::optional<std::string> fallback;
    if (const std::size_t dash = name.find(":-");
        dash != std::string_view::npos && name.starts_with("env.")) {
      fallback.emplace(name.substr(dash + 2));
      name = name.substr(0, dash);
    }
    if (!IsValidVariableName(name)) {
      error->offset = i;
      error->message = "'${" + std::string(name) +
                       "}' is not a variable name (letters, digits, _ and -, in dotted words)";
      return std::nullopt;
    }
    if (!AddLiteral(source.substr(literal_start, i - literal_start), literal_start, unescape,
                    &t.parts_, error)) {
      return std::nullopt;
    }
    t.parts_.push_back({true, std::string(name), std::move(fallback)});
    i = close + 1;
    literal_start = i;
  }
  if (!AddLiteral(source.substr(literal_start), literal_start, unescape, &t.parts_, error)) {
    return std::nullopt;
  }
  return t;
}

std::optional<std::string> Template::Render(const Variables& vars, std::string* error,
                                            const Quote& quote) const {
  std::string out;
  for (const Part& part : parts_) {
    if (!part.is_variable) {
      out += part.text;
      continue;
    }
    const std::string* value = vars.Find(part.text);
    if (value == nullptr && part.fallback) value = &*part.fallback;
    if (value == nullptr) {
      if (part.text.compare(0, 4, "env.") == 0) {
        *error = "environment variable " + part.text.substr(4) + " is not set (used as ${" +
                 part.text + "})";
      } else {
        *error = "variable ${" + part.text + "} is not defined";
      }
      return std::nullopt;
    }
    out += quote ? quote(*value) : *value;
  }
  return out;
}

std::string Template::RenderWith(
    const std::function<std::string(const std::string&)>& placeholder) const {
  std::string out;
  for (const Part& part : parts_)
    out += part.is_variable ? placeholder(part.text) : part.text;
  return out;
}

bool Template::has_variables() const {
  for (const Part& part : parts_) {
    if (part.is_variable) return true;
  }
  return false;
}

}  // namespace parley::harness
