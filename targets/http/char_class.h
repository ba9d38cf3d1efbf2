// Character classes of the HTTP grammar (RFC 9110, RFC 9112, RFC 3986) as one 256-entry table,
// shared by the request parser and the body decoders. Internal to parley_http_parser.
#ifndef PARLEY_TARGETS_HTTP_CHAR_CLASS_H_
#define PARLEY_TARGETS_HTTP_CHAR_CLASS_H_

#include <array>
#include <cstdint>
#include <string_view>

namespace parley::http::internal {

enum CharClass : std::uint8_t {
  kToken = 1 << 0,       // tchar (RFC 9110 section 5.6.2)
  kFieldValue = 1 << 1,  // VCHAR, obs-text, SP, HTAB (RFC 9110 section 5.5)
  kHex = 1 << 2,         // HEXDIG
  kDigit = 1 << 3,       // DIGIT
  kTarget = 1 << 4,      // any byte of a request-target: pchar, "/", "?" (and "%")
  kRegName = 1 << 5,     // unreserved, sub-delims, "%" (RFC 3986 reg-name and IPv4address)
  kIpLiteral = 1 << 6,   // inside "[...]": unreserved, sub-delims, ":"
  kQdText = 1 << 7,      // qdtext of a quoted-string (RFC 9110 section 5.6.4)
};

constexpr std::array<std::uint8_t, 256> MakeCharClasses() {
  std::array<std::uint8_t, 256> table{};
  constexpr std::string_view kTcharSymbols = "!#$%&'*+-.^_`|~";
  constexpr std::string_view kSubDelims = "!$&'()*+,;=";
  constexpr std::string_view kUnreservedSymbols = "-._~";
  for (int c = 0; c < 256; ++c) {
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    const bool digit = c >= '0' && c <= '9';
    const bool unreserved =
        alpha || digit || kUnreservedSymbols.find(char(c)) != kUnreservedSymbols.npos;
    const bool sub_delim = kSubDelims.find(char(c)) != kSubDelims.npos;
    std::uint8_t bits = 0;
    if (alpha || digit || kTcharSymbols.find(char(c)) != kTcharSymbols.npos) bits |= kToken;
    if ((c >= 0x20 && c != 0x7f) || c == '\t') bits |= kFieldValue;
    if (digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) bits |= kHex;
    if (digit) bits |= kDigit;
    if (unreserved || sub_delim || c == ':' || c == '@' || c == '/' || c == '?' || c == '%') {
      bits |= kTarget;
    }
    if (unreserved || sub_delim || c == '%') bits |= kRegName;
    if (unreserved || sub_delim || c == ':') bits |= kIpLiteral;
    if (c == '\t' || c == ' ' || c == 0x21 || (c >= 0x23 && c <= 0x5b) ||
        (c >= 0x5d && c != 0x7f)) {
      bits |= kQdText;
    }
    table[c] = bits;
  }
  return table;
}

inline constexpr std::array<std::uint8_t, 256> kCharClasses = MakeCharClasses();

constexpr bool Is(char c, CharClass cls) {
  return (kCharClasses[static_cast<unsigned char>(c)] & cls) != 0;
}

constexpr bool IsWhitespace(char c) {
  return c == ' ' || c == '\t';
}

constexpr char ToLower(char c) {
  return (c >= 'A' && c <= 'Z') ? char(c + ('a' - 'A')) : c;
}

// True when `text` equals `lower` ignoring ASCII case. REQUIRES: `lower` is lowercase.
constexpr bool EqualsLower(std::string_view text, std::string_view lower) {
  if (text.size() != lower.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (ToLower(text[i]) != lower[i]) return false;
  }
  return true;
}

constexpr int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  return ToLower(c) - 'a' + 10;
}

}  // namespace parley::http::internal

#endif  // PARLEY_TARGETS_HTTP_CHAR_CLASS_H_
