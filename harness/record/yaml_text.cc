#include "harness/record/yaml_text.h"

#include "harness/text/bytes_text.h"

namespace parley::harness {
namespace {

constexpr std::string_view kHex = "0123456789abcdef";

void AppendHexEscape(unsigned char byte, std::string* out) {
  *out += "\\x";
  *out += kHex[byte >> 4];
  *out += kHex[byte & 15];
}

// The number of `\xHH` and `\0` escapes in EscapeBytes's output.
std::size_t ByteEscapes(std::string_view escaped) {
  std::size_t n = 0;
  for (std::size_t i = 0; i + 1 < escaped.size(); ++i) {
    if (escaped[i] != '\\') continue;
    if (escaped[i + 1] == 'x' || escaped[i + 1] == '0') ++n;
    ++i;
  }
  return n;
}

}  // namespace

std::string SingleQuoted(std::string_view source) {
  std::string out = "'";
  for (char c : source) {
    out += c;
    if (c == '\'') out += '\'';
  }
  out += '\'';
  return out;
}

std::string TemplateText(std::string_view bytes) {
  std::string escaped = EscapeBytes(bytes);
  std::string out;
  out.reserve(escaped.size());
  for (std::size_t i = 0; i < escaped.size(); ++i) {
    std::string_view rest = std::string_view(escaped).substr(i);
    if (rest.starts_with("${")) {
      out += "$${";
      ++i;
    } else if (rest.starts_with("\xE2\x80\xA8") || rest.starts_with("\xE2\x80\xA9") ||
               rest.starts_with("\xEF\xBB\xBF")) {
      for (int k = 0; k < 3; ++k)
        AppendHexEscape(static_cast<unsigned char>(escaped[i + k]), &out);
      i += 2;
    } else {
      out += escaped[i];
    }
  }
  return out;
}

std::string RegexLiteral(std::string_view bytes) {
  std::string out;
  for (char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\r') {
      out += "\\r";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '$' || byte < 0x20 || byte == 0x7F) {
      AppendHexEscape(byte, &out);
    } else if (std::string_view("\\.+*?()|[]{}^").find(c) != std::string_view::npos) {
      out += '\\';
      out += c;
    } else {
      out += c;
    }
  }
  return out;
}

bool IsUtf8(std::string_view bytes) {
  std::size_t i = 0;
  while (i < bytes.size()) {
    const auto lead = static_cast<unsigned char>(bytes[i]);
    std::size_t size = lead < 0x80   ? 1
                       : lead < 0xC2 ? 0
                       : lead < 0xE0 ? 2
                       : lead < 0xF0 ? 3
                       : lead < 0xF5 ? 4
                                     : 0;
    if (size == 0 || bytes.size() - i < size) return false;
    unsigned char low = 0x80, high = 0xBF;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
    for (std::size_t k = 1; k < size; ++k) {
      const auto next = static_cast<unsigned char>(bytes[i + k]);
      if (next < (k == 1 ? low : 0x80) || next > (k == 1 ? high : 0xBF)) return false;
    }
    i += size;
  }
  return true;
}

bool LooksBinary(std::string_view bytes) {
  return ByteEscapes(EscapeBytes(bytes)) * 10 > bytes.size();
}

std::string HexText(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 3);
  for (char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    if (!out.empty()) out += ' ';
    out += kHex[byte >> 4];
    out += kHex[byte & 15];
  }
  return out;
}

}  // namespace parley::harness
