#include "harness/scenario/payload.h"

#include <fstream>

namespace parley::harness {
namespace {

bool ReadFile(const std::string& path, std::string* out, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = "cannot read file " + path;
    return false;
  }
  char buffer[65536];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    out->append(buffer, static_cast<std::size_t>(in.gcount()));
    if (out->size() > kMaxPayloadBytes) {
      *error = "file " + path + " is larger than 64 MiB";
      return false;
    }
  }
  return true;
}

bool IsMethodChar(char c) {
  return (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
}

// `line` (without its end) looks like `METHOD SP target SP HTTP/x.y`.
std::string RequestMethod(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  std::size_t sp = line.find(' ');
  if (sp == 0 || sp == std::string_view::npos) return "";
  for (std::size_t i = 0; i < sp; ++i) {
    if (!IsMethodChar(line[i])) return "";
  }
  std::size_t last = line.rfind(' ');
  if (last == sp) return "";
  std::string_view version = line.substr(last + 1);
  if (version.size() != 8 || version.compare(0, 5, "HTTP/") != 0) return "";
  return std::string(line.substr(0, sp));
}

}  // namespace

bool RenderPayload(const Payload& payload, const Variables& vars, std::string* out,
                   std::string* error) {
  for (const Payload::Piece& piece : payload.pieces) {
    switch (piece.kind) {
      case Payload::Piece::Kind::kText: {
        auto text = piece.text.Render(vars, error);
        if (!text) return false;
        *out += *text;
        break;
      }
      case Payload::Piece::Kind::kHex:
        *out += piece.bytes;
        break;
      case Payload::Piece::Kind::kFile:
        if (!ReadFile(piece.path, out, error)) return false;
        break;
      case Payload::Piece::Kind::kRepeat: {
        auto unit = piece.text.Render(vars, error);
        if (!unit) return false;
        if (unit->empty() || unit->size() * piece.count > kMaxPayloadBytes - out->size()) {
          *error =
              unit->empty() ? "'repeat' has nothing to repeat" : "the repeated bytes exceed 64 MiB";
          return false;
        }
        out->reserve(out->size() + unit->size() * piece.count);
        for (std::size_t i = 0; i < piece.count; ++i)
          *out += *unit;
        break;
      }
    }
    if (out->size() > kMaxPayloadBytes) {
      *error = "the payload exceeds 64 MiB";
      return false;
    }
  }
  return true;
}

std::vector<std::string> RequestSniffer::Feed(std::string_view bytes) {
  constexpr std::size_t kMaxLine = 16 * 1024;
  std::vector<std::string> methods;
  std::size_t pos = 0;
  while (pos < bytes.size()) {
    std::size_t end = bytes.find('\n', pos);
    if (end == std::string_view::npos) {
      if (partial_.size() < kMaxLine)
        partial_.append(bytes.substr(pos, kMaxLine - partial_.size()));
      break;
    }
    std::string_view line = bytes.substr(pos, end - pos);
    if (!partial_.empty()) {
      partial_.append(line.substr(0, kMaxLine));
      line = partial_;
    }
    bool blank = line.empty() || line == "\r";
    if (at_message_start_ && !blank) {
      std::string method = RequestMethod(line);
      if (!method.empty()) methods.push_back(std::move(method));
    }
    at_message_start_ = blank;
    partial_.clear();
    pos = end + 1;
  }
  return methods;
}

}  // namespace parley::harness
