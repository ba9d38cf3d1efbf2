// ReadRequests: what parley_http_parser makes of a byte stream of pipelined requests, read the way
// a server reads a connection (RequestParser for each head, BodyReader for each body), with the
// bytes arriving in the given pieces. The result owns copies of everything, so results for the
// same bytes cut differently can be compared with ==.
//
// While reading it checks the parsers' contracts and aborts (PARLEY_FUZZ_CHECK) when one breaks:
// every view lies inside the buffer it was parsed from, head_size() is within that buffer, and a
// body step that returns kIncomplete consumed its input. The bytes not yet received are poisoned
// (ReceivedBytes, fuzz_support.h), so AddressSanitizer reports any read past what has arrived.
#ifndef PARLEY_HARNESS_FUZZ_HTTP_STREAM_H_
#define PARLEY_HARNESS_FUZZ_HTTP_STREAM_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "targets/http/field_scan.h"
#include "targets/http/limits.h"
#include "targets/http/parse_error.h"
#include "targets/http/request_head.h"

namespace parley::fuzz {

// One request head and body, copied out of the parser.
struct ParsedRequest {
  std::string method;
  std::string target;
  http::TargetForm target_form = http::TargetForm::kOrigin;
  int version_minor = 1;
  std::vector<std::pair<std::string, std::string>> fields;
  std::string host;
  http::BodyFraming framing = http::BodyFraming::kNone;
  std::uint64_t content_length = 0;
  bool keep_alive = true;
  http::Expectation expect = http::Expectation::kNone;
  std::size_t head_size = 0;
  std::size_t size = 0;  // bytes of the whole request: head_size plus the encoded body
  std::string body;      // the decoded body

  bool operator==(const ParsedRequest&) const = default;
};

// A copy of `head`, whose head took `head_size` bytes.
ParsedRequest CopyHead(const http::RequestHead& head, std::size_t head_size);

enum class StreamEnd : std::uint8_t {
  kClean,       // every byte belongs to a complete request
  kIncomplete,  // the last request is cut short (head or body)
  kError,       // a request was rejected; `error` says why
  kCapped,      // stopped after kMaxRequests requests
};

struct ParsedStream {
  std::vector<ParsedRequest> requests;  // the complete ones, in order
  StreamEnd end = StreamEnd::kClean;
  http::ParseError error = http::ParseError::kNone;
  bool error_in_body = false;  // the error came from the body reader
  std::size_t consumed = 0;    // bytes used by the complete requests
  std::string body_method;     // the method of a request whose body failed or is cut short

  bool operator==(const ParsedStream&) const = default;
};

// Bounds the work per input: pipelining a few thousand tiny requests adds no coverage.
inline constexpr std::size_t kMaxRequests = 64;

// `isa`: the parser's field scan (targets/http/field_scan.h), which this CPU must run.
ParsedStream ReadRequests(const std::vector<std::string_view>& pieces, const http::Limits& limits,
                          std::size_t max_requests = kMaxRequests,
                          http::internal::FieldScanIsa isa = http::internal::BestFieldScanIsa());

// A readable, bounded description of a stream for property failure messages.
std::string Describe(const ParsedStream& stream);

}  // namespace parley::fuzz

#endif  // PARLEY_HARNESS_FUZZ_HTTP_STREAM_H_
