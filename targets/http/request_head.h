// The parsed head of one HTTP/1.x request: what RequestParser produces.
//
// Every std::string_view here points into the buffer the caller last passed to
// RequestParser::Parse; the views stay valid while that buffer is unchanged and until the
// parser is reset or parses again.
#ifndef PARLEY_TARGETS_HTTP_REQUEST_HEAD_H_
#define PARLEY_TARGETS_HTTP_REQUEST_HEAD_H_

#include <cstdint>
#include <span>
#include <string_view>

namespace parley::http {

// RFC 9112 section 3.2: the four forms of request-target.
enum class TargetForm : std::uint8_t {
  kOrigin,     // "/path?query"
  kAbsolute,   // "http://host/path"
  kAuthority,  // "host:port", CONNECT only
  kAsterisk,   // "*", OPTIONS only
};

// How the message body is delimited (RFC 9112 section 6.3).
enum class BodyFraming : std::uint8_t {
  kNone,           // no body
  kContentLength,  // exactly RequestHead::content_length bytes follow
  kChunked,        // chunked transfer coding follows
};

// The request's Expect field (RFC 9110 section 10.1.1).
enum class Expectation : std::uint8_t {
  kNone,
  kContinue,     // "100-continue" (case-insensitive)
  kUnsupported,  // anything else; a server may answer 417
};

// One field line, as received: name in its original case, value with optional whitespace
// trimmed from both ends.
struct Field {
  std::string_view name;
  std::string_view value;
};

struct RequestHead {
  std::string_view method;
  std::string_view target;
  TargetForm target_form = TargetForm::kOrigin;
  int version_minor = 1;          // the x of HTTP/1.x
  std::span<const Field> fields;  // every field line in the order received
  std::string_view host;          // the Host field's value; empty when absent (HTTP/1.0 only)
  BodyFraming framing = BodyFraming::kNone;
  std::uint64_t content_length = 0;  // meaningful when framing == kContentLength
  bool keep_alive = true;            // version default, adjusted by Connection close/keep-alive
  Expectation expect = Expectation::kNone;
};

}  // namespace parley::http

#endif  // PARLEY_TARGETS_HTTP_REQUEST_HEAD_H_
