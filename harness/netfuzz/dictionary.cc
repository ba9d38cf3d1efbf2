#include "harness/netfuzz/dictionary.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "harness/scenario/payload_loader.h"

namespace parley::harness {
namespace {

bool IsWordByte(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '/' || c == '.';
}

// Parses one line; false with `*error` (and `*column`, 1-based) when it is malformed.
bool ParseLine(std::string_view line, std::vector<std::string>* tokens, std::string* error,
               std::size_t* column) {
  std::size_t i = 0;
  while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'))
    ++i;
  if (i == line.size() || line[i] == '#') return true;
  std::size_t quote = line.find('"', i);
  if (quote == std::string_view::npos) {
    *column = i + 1;
    *error = "expected a quoted token, e.g. \"GET\" or name=\"GET\"";
    return false;
  }
  if (quote != i) {  // name="value": the name is letters, digits, '_' and '@' (a level)
    std::size_t eq = line.find_last_not_of(" \t", quote - 1);
    if (eq == std::string_view::npos || line[eq] != '=') {
      *column = quote + 1;
      *error = "expected '=' before the quoted token";
      return false;
    }
  }
  std::string value;
  std::size_t bad = 0;  // unused: a bad \xNN is reported as an unknown escape
  std::size_t j = quote + 1;
  for (;; ++j) {
    if (j >= line.size()) {
      *column = line.size() + 1;
      *error = "the token has no closing '\"'";
      return false;
    }
    char c = line[j];
    if (c == '"') break;
    if (c != '\\') {
      value += c;
      continue;
    }
    if (j + 1 >= line.size()) continue;  // reported as unclosed above on the next turn
    char e = line[++j];
    if (e == '\\' || e == '"') {
      value += e;
    } else if (std::string byte;
               e == 'x' && j + 2 < line.size() && DecodeHex(line.substr(j + 1, 2), &byte, &bad)) {
      value += byte;
      j += 2;
    } else {
      *column = j;
      *error = "unknown escape '\\" + std::string(1, e) + "' (known: \\\\ \\\" \\xNN)";
      return false;
    }
  }
  for (std::size_t k = j + 1; k < line.size(); ++k) {
    if (line[k] != ' ' && line[k] != '\t' && line[k] != '\r') {
      *column = k + 1;
      *error = "unexpected text after the token";
      return false;
    }
  }
  if (!value.empty()) tokens->push_back(std::move(value));
  return true;
}

}  // namespace

bool ParseDictionary(std::string_view text, std::vector<std::string>* tokens, std::string* error) {
  std::size_t line_number = 0;
  while (!text.empty()) {
    ++line_number;
    std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    std::size_t column = 0;
    std::string what;
    if (!ParseLine(line, tokens, &what, &column)) {
      *error = std::to_string(line_number) + ":" + std::to_string(column) + ": " + what;
      return false;
    }
  }
  return true;
}

bool LoadDictionary(const std::string& path, std::vector<std::string>* tokens, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = "cannot read dictionary " + path;
    return false;
  }
  std::stringstream text;
  text << in.rdbuf();
  std::string what;
  if (!ParseDictionary(text.str(), tokens, &what)) {
    *error = path + ":" + what;
    return false;
  }
  return true;
}

void AddPayloadTokens(std::string_view payload, std::vector<std::string>* tokens) {
  constexpr std::size_t kLongest = 64;
  for (std::size_t i = 0; i < payload.size();) {
    if (!IsWordByte(payload[i])) {
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < payload.size() && IsWordByte(payload[end]))
      ++end;
    std::size_t size = end - i;
    if (end < payload.size() && payload[end] == ':') ++size;  // a field name, with its colon
    if (size >= 2 && size <= kLongest) tokens->emplace_back(payload.substr(i, size));
    i = end;
  }
  if (payload.find("\r\n") != std::string_view::npos) tokens->emplace_back("\r\n");
  if (payload.find("\r\n\r\n") != std::string_view::npos) tokens->emplace_back("\r\n\r\n");
}

void TidyTokens(std::vector<std::string>* tokens, std::size_t most) {
  std::sort(tokens->begin(), tokens->end());
  tokens->erase(std::unique(tokens->begin(), tokens->end()), tokens->end());
  std::erase_if(*tokens, [](const std::string& t) { return t.empty(); });
  if (tokens->size() <= most) return;
  std::stable_sort(tokens->begin(), tokens->end(),
                   [](const std::string& a, const std::string& b) { return a.size() < b.size(); });
  tokens->resize(most);
}

}  // namespace parley::harness
