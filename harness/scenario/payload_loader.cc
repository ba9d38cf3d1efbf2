#include "harness/scenario/payload_loader.h"

#include <filesystem>
#include <utility>

#include "harness/scenario/payload.h"
#include "harness/scenario/yaml_checks.h"

namespace parley::harness {
namespace {

using Piece = Payload::Piece;

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void LoadHex(const YamlNode& value, Piece* piece) {
  piece->kind = Piece::Kind::kHex;
  const std::string& hex = RequireString(value, "'hex'");
  std::size_t bad = 0;
  if (!DecodeHex(hex, &piece->bytes, &bad)) {
    int column = value.column + (value.quoted ? 1 : 0) + static_cast<int>(bad);
    throw YamlFailure{value.line, hex.find('\n') == std::string::npos ? column : value.column,
                      "'hex' must be pairs of hex digits, optionally separated by spaces"};
  }
}

void LoadFile(const YamlNode& value, const LoadScope& scope, Piece* piece) {
  piece->kind = Piece::Kind::kFile;
  const std::string& path = RequireString(value, "'file'");
  if (path.empty()) Fail(value, "'file' must name a file");
  const std::string& dir = scope.scenario().dir;
  std::filesystem::path p(path);
  if (p.is_relative() && !dir.empty()) p = std::filesystem::path(dir) / p;
  piece->path = p.lexically_normal().string();
  if (!scope.check_files()) return;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(piece->path, ec)) {
    Fail(value, "file " + Quote(path) + " not found (looked for " + piece->path + ")");
  }
  auto size = std::filesystem::file_size(piece->path, ec);
  if (!ec && size > kMaxPayloadBytes) Fail(value, "file " + Quote(path) + " is larger than 64 MiB");
}

// `count`: the 'count' beside 'repeat', or nullptr.
void LoadRepeat(const YamlNode& value, const YamlNode* count, LoadScope& scope, Piece* piece) {
  piece->kind = Piece::Kind::kRepeat;
  piece->text = scope.ReadTemplate(value, "'repeat'", true);
  if (count == nullptr) Fail(value, "'repeat' needs a 'count'");
  piece->count = static_cast<std::size_t>(RequireInt(*count, "'count'", 0, kMaxPayloadBytes));
  if (piece->text.has_variables()) return;  // its size is known at play time
  std::size_t unit = piece->text.RenderWith([](const std::string&) { return ""; }).size();
  if (unit == 0) Fail(value, "'repeat' needs at least one byte to repeat");
  if (unit * piece->count > kMaxPayloadBytes) Fail(*count, "the repeated bytes exceed 64 MiB");
}

// The piece written under `key` (text, hex, file or repeat) as `value`.
Piece LoadPiece(std::string_view key, const YamlNode& value, const YamlNode* count,
                LoadScope& scope) {
  Piece piece;
  piece.where = PositionOf(value);
  if (key == "text") {
    piece.kind = Piece::Kind::kText;
    piece.text = scope.ReadTemplate(value, "'text'", true);
  } else if (key == "hex") {
    LoadHex(value, &piece);
  } else if (key == "file") {
    LoadFile(value, scope, &piece);
  } else {
    LoadRepeat(value, count, scope, &piece);
  }
  return piece;
}

// The one payload key of `map`.
const char* PayloadKey(const YamlNode& map, std::string_view what) {
  const char* found = nullptr;
  for (const char* key : {"text", "hex", "file", "repeat", "data"}) {
    if (map.Find(key) == nullptr) continue;
    if (found != nullptr) {
      Fail(*map.Find(key), std::string(what) +
                               " takes one of text, hex, file, repeat or data; "
                               "this has '" +
                               found + "' and '" + key + "' (use 'data' for a mix)");
    }
    found = key;
  }
  if (found == nullptr) {
    Fail(map, std::string(what) +
                  " needs the bytes: one of text, hex, file, repeat (with count) "
                  "or data");
  }
  return found;
}

// An item of 'data' or of a payload list: a string (text) or a mapping of payload keys.
void LoadDataItem(const YamlNode& item, LoadScope& scope, Payload* payload) {
  if (item.is_scalar()) {
    payload->pieces.push_back(LoadPiece("text", item, nullptr, scope));
    return;
  }
  RequireMap(item, "a piece of 'data'");
  CheckKeys(item, {"text", "hex", "file", "repeat", "count"}, "a piece of 'data'");
  Payload inner = LoadPayloadKeys(item, "a piece of 'data'", scope);
  for (Piece& piece : inner.pieces)
    payload->pieces.push_back(std::move(piece));
}

}  // namespace

Payload LoadPayloadKeys(const YamlNode& map, std::string_view what, LoadScope& scope) {
  std::string_view key = PayloadKey(map, what);
  if (map.Find("count") != nullptr && key != "repeat") {
    Fail(*map.Find("count"), "'count' belongs with 'repeat'");
  }
  Payload payload;
  if (key != "data") {
    payload.pieces.push_back(LoadPiece(key, *map.Find(key), map.Find("count"), scope));
    return payload;
  }
  const YamlNode& data = *map.Find("data");
  if (!data.is_sequence() || data.items.empty()) {
    Fail(data,
         "'data' must be a list of pieces (strings, or mappings with text, hex, file "
         "or repeat)");
  }
  for (const YamlNode& item : data.items)
    LoadDataItem(item, scope, &payload);
  return payload;
}

Payload LoadPayloadValue(const YamlNode& node, std::string_view what, LoadScope& scope) {
  Payload payload;
  if (node.is_scalar()) {
    LoadDataItem(node, scope, &payload);
  } else if (node.is_sequence()) {
    if (node.items.empty()) Fail(node, std::string(what) + " must not be empty");
    for (const YamlNode& item : node.items)
      LoadDataItem(item, scope, &payload);
  } else if (node.is_map()) {
    CheckKeys(node, {"text", "hex", "file", "repeat", "count", "data"}, what);
    payload = LoadPayloadKeys(node, what, scope);
  } else {
    Fail(node, std::string(what) + " must be a string, a list or a mapping");
  }
  return payload;
}

bool DecodeHex(std::string_view text, std::string* out, std::size_t* bad) {
  int high = -1;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
      if (high >= 0) {
        *bad = i;
        return false;
      }
      continue;
    }
    int v = HexDigit(c);
    if (v < 0) {
      *bad = i;
      return false;
    }
    if (high < 0) {
      high = v;
    } else {
      out->push_back(static_cast<char>(high * 16 + v));
      high = -1;
    }
  }
  if (high >= 0) {
    *bad = text.size();
    return false;
  }
  return true;
}

}  // namespace parley::harness
