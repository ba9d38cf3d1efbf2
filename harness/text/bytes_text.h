// Showing bytes to people: escaping, so that CR, NUL and invalid UTF-8 are visible in reports,
// and a compact diff that marks where what arrived departs from what was expected.
#ifndef PARLEY_HARNESS_TEXT_BYTES_TEXT_H_
#define PARLEY_HARNESS_TEXT_BYTES_TEXT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace parley::harness {

// Printable ASCII and valid UTF-8 stay as they are; backslash becomes `\\`; `\r`, `\n`, `\t`,
// `\0` use those escapes; other control bytes and bytes that are not part of valid UTF-8 become
// `\xHH`. The result is valid UTF-8 and reads back with UnescapeText.
// Valid UTF-8 means RFC 3629: overlong forms, surrogates and code points above U+10FFFF are
// invalid, and each of their bytes is escaped. C1 controls (U+0080..U+009F) are escaped byte by
// byte as well, since terminals act on them.
std::string EscapeBytes(std::string_view bytes);

// As EscapeBytes, but a backslash stays as it is: for text whose backslashes mean something
// already (a message holding escaped bytes, a regex), shown as it is meant. The result is as safe
// to print, but does not read back with UnescapeText.
std::string EscapeKeepingBackslashes(std::string_view text);

// The scenario-text escapes: `\r \n \t \0 \\ \" \xHH \e`; anything else after a backslash is an
// error. On error returns false and sets `*error` (with the offending offset) and leaves `*out`
// unspecified.
bool UnescapeText(std::string_view text, std::string* out, std::string* error);

// `bytes` escaped, in double quotes, for messages; past `max` bytes cut as
// `"first max bytes"... (N bytes)`.
std::string ShowBytes(std::string_view bytes, std::size_t max = 300);

// The end of `bytes` the same way: `..."last max bytes" (last max of N bytes)` when cut. When
// `bytes` is only the end of a longer stream, `total` (if larger) is the stream's length.
std::string ShowTail(std::string_view bytes, std::size_t max = 300, std::uint64_t total = 0);

// Index of the first byte where `a` and `b` differ; the shorter length when one is a prefix of
// the other; npos when they are equal.
std::size_t FirstDifference(std::string_view expected, std::string_view actual);

// A few lines for a failure report: the expected and actual bytes, escaped, around the first
// difference (with up to `context` bytes before it), and a caret line marking that point, e.g.
//   expected: "HTTP/1.1 200 OK\r\n"
//     actual: "HTTP/1.1 404 Not Found\r\n"
//                       ^ byte 9
// After that point up to `context` bytes (at least one character) are shown. Long inputs are
// cut with "..." so the marked point stays visible. Inside the quotes `"` shows as `\"`;
// otherwise the text is EscapeBytes's, and the caret sits under the first column of the
// character holding the first differing byte. When one input is a prefix of the other the
// caret line adds "(end of expected)" or "(end of actual)"; equal inputs get "(no difference)"
// instead of a caret. The lines are joined by '\n', with no newline after the last.
// With `offset`, both inputs are the ends of longer ones, equal up to `offset` bytes: the lines
// start with "..." and the caret names the byte by its place in the whole.
std::string RenderDiff(std::string_view expected, std::string_view actual, std::size_t context = 40,
                       std::uint64_t offset = 0);

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_TEXT_BYTES_TEXT_H_
