// rfc::Read: an independent reading of a byte stream of pipelined HTTP/1.1 requests, written from
// the ABNF of RFC 9112 (sections 2-7), RFC 9110 (5.x field syntax, 5.6.1 lists, 7.2 Host, 8.6
// Content-Length) and RFC 3986 (authority, path, query, pct-encoding), with the choices
// docs/http-parsing.md makes where the RFCs leave room (limits, bare LF, obs-fold, target forms,
// Transfer-Encoding). It is a test oracle: it shares no code with targets/http's parser and
// favours plain recursive descent over speed.
//
// The head is read a line at a time: a line is judged once its LF has arrived, its length before
// its content, and limits that the bytes received already prove exceeded are enforced early. A
// chunked body is read byte by byte: a byte that no valid body could continue with rejects it at
// once.
#ifndef PARLEY_HARNESS_FUZZ_RFC_REQUEST_H_
#define PARLEY_HARNESS_FUZZ_RFC_REQUEST_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "targets/http/limits.h"
#include "targets/http/request_head.h"

namespace parley::fuzz::rfc {

// One accepted request.
struct Request {
  std::string method;
  std::string target;
  http::TargetForm target_form = http::TargetForm::kOrigin;
  int version_minor = 1;
  std::vector<std::pair<std::string, std::string>> fields;  // in order; values OWS-trimmed
  http::BodyFraming framing = http::BodyFraming::kNone;
  std::uint64_t content_length = 0;  // when framing is kContentLength
  std::string body;                  // decoded
  bool keep_alive = true;
  http::Expectation expect = http::Expectation::kNone;
  std::size_t size = 0;  // bytes of the request on the wire, head and encoded body

  bool operator==(const Request&) const = default;
};

enum class End : std::uint8_t {
  kClean,       // every byte belongs to an accepted request
  kIncomplete,  // the bytes end inside a request that could still be valid
  kRejected,    // a request is invalid; `status` says how a server answers it
  kCapped,      // stopped after max_requests requests
};

struct Reading {
  std::vector<Request> requests;  // the accepted ones, in order
  End end = End::kClean;
  int status = 0;  // kRejected: 400, 413, 414, 431, 501 or 505
};

// Reads `bytes` as one connection's requests, one after another, until the bytes end, a request
// is rejected, or `max_requests` have been accepted.
Reading Read(std::string_view bytes, const http::Limits& limits, std::size_t max_requests);

// One chunked body (RFC 9112 section 7.1) from the start of `bytes`.
struct ChunkedBody {
  End end = End::kIncomplete;  // kClean once the trailer section's final CRLF is read
  int status = 0;              // kRejected: 400, 413 or 431
  std::string data;
  std::size_t size = 0;  // bytes of the encoded body read (when kClean)
};
ChunkedBody ReadChunked(std::string_view bytes, const http::Limits& limits);

// The percent-decoded path of an origin- or absolute-form target (the query left out), or
// empty for the other forms.
std::string DecodedPath(const Request& request);

// A readable, bounded description for property failure messages.
std::string Describe(const Reading& reading);

}  // namespace parley::fuzz::rfc

#endif  // PARLEY_HARNESS_FUZZ_RFC_REQUEST_H_
