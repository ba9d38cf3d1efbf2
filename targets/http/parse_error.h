// ParseError: every reason the request parser or a body decoder rejects a request, each with a
// short stable text (for logs and /echo-style reports) and the HTTP status a server answers.
#ifndef PARLEY_TARGETS_HTTP_PARSE_ERROR_H_
#define PARLEY_TARGETS_HTTP_PARSE_ERROR_H_

#include <cstdint>
#include <string_view>

namespace parley::http {

// The list is the parser's; each value's comment names its status.
enum class ParseError : std::uint8_t {
  kNone = 0,
  // The parser implementation completes this list (request line, fields, framing, chunked).
};

// A stable kebab-case text, e.g. "duplicate-host". Never empty.
std::string_view ErrorText(ParseError error);

// The status code a server answers with: 400, 413, 414, 431, 501 or 505.
int ErrorStatus(ParseError error);

}  // namespace parley::http

#endif  // PARLEY_TARGETS_HTTP_PARSE_ERROR_H_
