#include "harness/text/bytes_text.h"

#include <algorithm>
#include <array>
#include <cstdint>

namespace parley::harness {
namespace {

constexpr std::string_view kHexDigits = "0123456789ABCDEF";
constexpr std::string_view kExpectedLabel = "expected: ";
constexpr std::string_view kActualLabel = "  actual: ";
constexpr std::string_view kCut = "...";

// Escapes made of a backslash and a letter: kEscapeLetters[i] stands for kEscapedBytes[i].
// EscapeBytes writes the first five, RenderDiff also `\"`; UnescapeText reads them all.
constexpr std::string_view kEscapedBytes("\\\r\n\t\0\"\x1B", 7);
constexpr std::string_view kEscapeLetters = "\\rnt0\"e";
constexpr std::size_t kWrittenEscapes = 5;

// The step escaping advances by: one valid UTF-8 character shown as it is (`verbatim`), or one
// byte shown as an escape.
struct Unit {
  std::size_t size = 1;
  char32_t code_point = 0;
  bool verbatim = false;
};

// The byte count of a UTF-8 sequence with this lead byte and the range its second byte must
// fall in, which is what excludes overlongs, surrogates and code points above U+10FFFF.
struct LeadRule {
  std::size_t size = 0;  // 0: not a lead byte
  unsigned char low = 0x80;
  unsigned char high = 0xBF;
};

LeadRule RuleFor(unsigned char lead) {
  if (lead >= 0xC2 && lead <= 0xDF) return {2, 0x80, 0xBF};
  if (lead == 0xE0) return {3, 0xA0, 0xBF};
  if (lead == 0xED) return {3, 0x80, 0x9F};
  if (lead >= 0xE1 && lead <= 0xEF) return {3, 0x80, 0xBF};
  if (lead == 0xF0) return {4, 0x90, 0xBF};
  if (lead >= 0xF1 && lead <= 0xF3) return {4, 0x80, 0xBF};
  if (lead == 0xF4) return {4, 0x80, 0x8F};
  return {};
}

// The code point of the valid multi-byte sequence at `at`, or nothing (size 0).
Unit DecodeSequence(std::string_view bytes, std::size_t at) {
  const auto lead = static_cast<unsigned char>(bytes[at]);
  const LeadRule rule = RuleFor(lead);
  if (rule.size == 0 || bytes.size() - at < rule.size) return {0, 0, false};
  const auto second = static_cast<unsigned char>(bytes[at + 1]);
  if (second < rule.low || second > rule.high) return {0, 0, false};
  char32_t code_point = lead & (0x7F >> rule.size);
  for (std::size_t i = 1; i < rule.size; ++i) {
    const auto next = static_cast<unsigned char>(bytes[at + i]);
    if ((next & 0xC0) != 0x80) return {0, 0, false};
    code_point = (code_point << 6) | (next & 0x3F);
  }
  return {rule.size, code_point, true};
}

bool IsPrintableAscii(unsigned char byte) {
  return byte >= 0x20 && byte < 0x7F;
}

// C1 controls (U+0080..U+009F) are valid UTF-8 but would drive a terminal, so they are escaped.
Unit UnitAt(std::string_view bytes, std::size_t at) {
  const auto byte = static_cast<unsigned char>(bytes[at]);
  if (byte < 0x80) return {1, byte, IsPrintableAscii(byte) && byte != '\\'};
  const Unit sequence = DecodeSequence(bytes, at);
  if (sequence.size == 0 || sequence.code_point < 0xA0) return {1, byte, false};
  return sequence;
}

// Terminal columns of a code point shown as it is: 0 for combining marks and zero-width
// characters, 2 for East Asian wide and fullwidth characters and most emoji, 1 otherwise.
std::size_t ColumnsOf(char32_t c) {
  struct Range {
    char32_t first, last;
  };
  static constexpr std::array<Range, 9> kZeroWidth = {{{0x0300, 0x036F},
                                                       {0x0483, 0x0489},
                                                       {0x0591, 0x05BD},
                                                       {0x1AB0, 0x1AFF},
                                                       {0x1DC0, 0x1DFF},
                                                       {0x200B, 0x200F},
                                                       {0x20D0, 0x20FF},
                                                       {0xFE00, 0xFE0F},
                                                       {0xFE20, 0xFE2F}}};
  static constexpr std::array<Range, 15> kWide = {{{0x1100, 0x115F},
                                                   {0x2E80, 0x303E},
                                                   {0x3041, 0x33FF},
                                                   {0x3400, 0x4DBF},
                                                   {0x4E00, 0x9FFF},
                                                   {0xA000, 0xA4CF},
                                                   {0xAC00, 0xD7A3},
                                                   {0xF900, 0xFAFF},
                                                   {0xFE30, 0xFE4F},
                                                   {0xFF00, 0xFF60},
                                                   {0xFFE0, 0xFFE6},
                                                   {0x1F300, 0x1F64F},
                                                   {0x1F900, 0x1F9FF},
                                                   {0x20000, 0x2FFFD},
                                                   {0x30000, 0x3FFFD}}};
  const auto in = [c](const auto& ranges) {
    return std::any_of(ranges.begin(), ranges.end(),
                       [c](const Range& r) { return c >= r.first && c <= r.last; });
  };
  if (in(kZeroWidth)) return 0;
  return in(kWide) ? 2 : 1;
}

// Appends the shown form of `unit`, found at `at`, and returns its width in columns. With
// `quoted`, a double quote is escaped too, so the text can sit between quotes.
std::size_t AppendUnit(std::string& out, std::string_view bytes, std::size_t at, const Unit& unit,
                       bool quoted) {
  if (unit.verbatim && !(quoted && bytes[at] == '"')) {
    out.append(bytes.substr(at, unit.size));
    return unit.size == 1 ? 1 : ColumnsOf(unit.code_point);
  }
  const std::size_t named = kEscapedBytes.find(bytes[at]);
  if (named < kWrittenEscapes || (quoted && bytes[at] == '"')) {
    out += '\\';
    out += kEscapeLetters[named];
    return 2;
  }
  const auto byte = static_cast<unsigned char>(bytes[at]);
  out += "\\x";
  out += kHexDigits[byte >> 4];
  out += kHexDigits[byte & 0x0F];
  return 4;
}

// Appends the shown form of bytes[begin, end), both unit boundaries; returns its columns.
std::size_t AppendEscaped(std::string& out, std::string_view bytes, std::size_t begin,
                          std::size_t end, bool quoted) {
  std::size_t columns = 0;
  for (std::size_t at = begin; at < end;) {
    const Unit unit = UnitAt(bytes, at);
    columns += AppendUnit(out, bytes, at, unit, quoted);
    at += unit.size;
  }
  return columns;
}

// The first unit boundary at or after `from` (bytes.size() if there is none).
std::size_t BoundaryFrom(std::string_view bytes, std::size_t from) {
  std::size_t at = 0;
  while (at < from && at < bytes.size()) {
    at += UnitAt(bytes, at).size;
  }
  return std::min(at, bytes.size());
}

// Where the unit holding the first difference starts: the last boundary that both inputs share
// before `diff`, so everything before it escapes identically in both.
std::size_t SharedBoundaryBefore(std::string_view a, std::string_view b, std::size_t diff) {
  std::size_t at = 0;
  while (at < diff) {
    const std::size_t size = UnitAt(a, at).size;
    if (size != UnitAt(b, at).size || at + size > diff) break;
    at += size;
  }
  return at;
}

// One line of the diff: the label, then the bytes from `begin` to the first boundary at or
// after `stop`, between quotes and marked "..." where cut. Returns the column at which
// bytes[point] is shown.
std::size_t AppendDiffLine(std::string& out, std::string_view label, std::string_view bytes,
                           std::size_t begin, std::size_t point, std::size_t stop, bool cut) {
  const std::size_t end = BoundaryFrom(bytes, std::max(stop, point));
  out += label;
  std::size_t column = label.size() + 1;
  if (begin > 0 || cut) {
    out += kCut;
    column += kCut.size();
  }
  out += '"';
  column += AppendEscaped(out, bytes, begin, point, true);
  AppendEscaped(out, bytes, point, end, true);
  out += '"';
  if (end < bytes.size()) out += kCut;
  return column;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string Located(std::size_t at, std::string_view what) {
  return "byte " + std::to_string(at) + ": " + std::string(what);
}

// Decodes the escape whose backslash is at text[at]; returns the characters it spans after
// the backslash, or 0 after setting `*error`.
std::size_t UnescapeOne(std::string_view text, std::size_t at, std::string* out,
                        std::string* error) {
  if (at + 1 == text.size()) {
    *error = Located(at, "the text ends with a lone backslash (write \\\\ for a backslash)");
    return 0;
  }
  const char letter = text[at + 1];
  const std::size_t named = kEscapeLetters.find(letter);
  if (named != std::string_view::npos) {
    *out += kEscapedBytes[named];
    return 1;
  }
  if (letter != 'x') {
    std::string shown = "\\";
    AppendUnit(shown, text, at + 1, UnitAt(text, at + 1), false);
    *error = Located(at, "unknown escape \"" + shown +
                             "\" (the escapes are \\r \\n \\t \\0 \\e \\\\ \\\" and \\xHH)");
    return 0;
  }
  const int high = at + 2 < text.size() ? HexValue(text[at + 2]) : -1;
  const int low = at + 3 < text.size() ? HexValue(text[at + 3]) : -1;
  if (high < 0 || low < 0) {
    *error = Located(at, "\\x must be followed by two hex digits");
    return 0;
  }
  *out += static_cast<char>(high * 16 + low);
  return 3;
}

}  // namespace

std::string EscapeKeepingBackslashes(std::string_view text) {
  // A backslash is ASCII, so no UTF-8 sequence spans one: the pieces between are escaped alone.
  std::string out;
  std::size_t pos = 0;
  for (std::size_t slash = text.find('\\'); slash != std::string_view::npos;
       slash = text.find('\\', pos)) {
    out += EscapeBytes(text.substr(pos, slash - pos));
    out += '\\';
    pos = slash + 1;
  }
  return out + EscapeBytes(text.substr(pos));
}

std::string EscapeBytes(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  AppendEscaped(out, bytes, 0, bytes.size(), false);
  return out;
}

bool UnescapeText(std::string_view text, std::string* out, std::string* error) {
  out->clear();
  out->reserve(text.size());
  for (std::size_t at = 0; at < text.size(); ++at) {
    if (text[at] != '\\') {
      *out += text[at];
      continue;
    }
    const std::size_t used = UnescapeOne(text, at, out, error);
    if (used == 0) return false;
    at += used;
  }
  return true;
}

std::string ShowBytes(std::string_view bytes, std::size_t max) {
  if (bytes.size() <= max) return "\"" + EscapeBytes(bytes) + "\"";
  return "\"" + EscapeBytes(bytes.substr(0, max)) + "\"... (" + std::to_string(bytes.size()) +
         " bytes)";
}

std::string ShowTail(std::string_view bytes, std::size_t max, std::uint64_t total) {
  total = std::max<std::uint64_t>(total, bytes.size());
  if (total <= max) return ShowBytes(bytes, max);
  const std::string_view tail = bytes.substr(bytes.size() - std::min(max, bytes.size()));
  return "...\"" + EscapeBytes(tail) + "\" (last " + std::to_string(tail.size()) + " of " +
         std::to_string(total) + " bytes)";
}

std::size_t FirstDifference(std::string_view expected, std::string_view actual) {
  const auto [e, a] = std::mismatch(expected.begin(), expected.end(), actual.begin(), actual.end());
  if (e == expected.end() && a == actual.end()) return std::string_view::npos;
  return static_cast<std::size_t>(e - expected.begin());
}

std::string RenderDiff(std::string_view expected, std::string_view actual, std::size_t context,
                       std::uint64_t offset) {
  const std::size_t diff = FirstDifference(expected, actual);
  const bool same = diff == std::string_view::npos;
  const std::size_t point = same ? expected.size() : SharedBoundaryBefore(expected, actual, diff);
  const std::size_t begin = BoundaryFrom(expected, point - std::min(point, context));
  const std::size_t stop = point + std::max<std::size_t>(context, 1);
  std::string out;
  const bool cut = offset > 0;
  const std::size_t column = AppendDiffLine(out, kExpectedLabel, expected, begin, point, stop, cut);
  out += '\n';
  AppendDiffLine(out, kActualLabel, actual, begin, point, stop, cut);
  out += '\n';
  if (same) return out + std::string(kExpectedLabel.size(), ' ') + "(no difference)";
  out.append(column, ' ');
  out += "^ byte " + std::to_string(offset + diff);
  if (diff == expected.size()) out += " (end of expected)";
  if (diff == actual.size()) out += " (end of actual)";
  return out;
}

}  // namespace parley::harness
