// How the recorder writes bytes into a scenario file: YAML scalars that parley reads back to
// exactly the recorded bytes. Every scalar is single-quoted, so YAML leaves backslashes alone
// and parley's own escapes (docs/scenarios.md, "Escapes") apply; `${` is written `$${` so that
// recorded text never turns into a variable.
#ifndef PARLEY_HARNESS_RECORD_YAML_TEXT_H_
#define PARLEY_HARNESS_RECORD_YAML_TEXT_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace parley::harness {

// `source` (already in parley's escaped form) as a single-quoted YAML scalar.
std::string SingleQuoted(std::string_view source);

// The escaped form of `bytes` for a text template: EscapeBytes, with `${` as `$${` and the
// characters YAML treats as line breaks (U+2028, U+2029) or a BOM escaped byte by byte.
std::string TemplateText(std::string_view bytes);

// `bytes` as a literal part of an RE2 pattern in a scenario: metacharacters escaped, `$` as
// `\x24` (so no `${` appears), CR, LF, tab as `\r`, `\n`, `\t`, other controls as `\xHH`.
// REQUIRES: IsUtf8(bytes) (RE2 reads patterns as UTF-8, where `\xHH` is a code point).
std::string RegexLiteral(std::string_view bytes);

// True for valid UTF-8 (RFC 3629).
bool IsUtf8(std::string_view bytes);

// True when `bytes` read better as hex: more than one byte in ten would be a `\xHH` or `\0`
// escape.
bool LooksBinary(std::string_view bytes);

// "00 ff 0d 0a", lower case, one space between bytes.
std::string HexText(std::string_view bytes);

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_RECORD_YAML_TEXT_H_
