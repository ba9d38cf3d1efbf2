// BodyReader: reads one request body after its head, for any framing (none, Content-Length,
// chunked), streaming and without retaining input. ChunkedDecoder (chunked_decoder.h) does the
// chunked part and can be used on its own.
//
// Usage: after RequestParser completes, construct (or Reset) with the head's framing, then
// offer it the bytes that follow the head, as they arrive:
//
//   BodyReader body(limits);
//   body.Reset(head.framing, head.content_length);
//   BodyStep step = body.Read(bytes);   // consumes step.consumed bytes of `bytes`
//   // step.data (a view into `bytes`) is decoded body data, possibly empty
//   // step.status: kIncomplete (offer the rest / more), kDone (bytes after consumed belong to
//   //              the next request), kError (see step.error; close the connection)
//
// The same bytes give the same concatenated data whatever the split points.
#ifndef PARLEY_TARGETS_HTTP_BODY_READER_H_
#define PARLEY_TARGETS_HTTP_BODY_READER_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "targets/http/chunked_decoder.h"
#include "targets/http/limits.h"
#include "targets/http/parse_error.h"
#include "targets/http/request_head.h"

namespace parley::http {

enum class BodyStatus : std::uint8_t { kIncomplete, kDone, kError };

struct BodyStep {
  BodyStatus status = BodyStatus::kIncomplete;
  std::size_t consumed = 0;  // bytes of the input used by this call
  std::string_view data;     // decoded body bytes; a view into the input
  ParseError error = ParseError::kNone;
};

class BodyReader {
 public:
  explicit BodyReader(const Limits& limits = Limits());

  // Starts a new body. For kContentLength, a length above limits.max_body is reported by the
  // first Read as kBodyTooLarge-style error (413).
  void Reset(BodyFraming framing, std::uint64_t content_length);

  // Returns after consuming at least one byte or reaching a result; call again with the
  // unconsumed rest while status is kIncomplete and bytes remain.
  BodyStep Read(std::string_view input);

  // Decoded bytes handed out so far for the current body.
  std::uint64_t decoded() const { return decoded_; }

 private:
  Limits limits_;
  BodyFraming framing_ = BodyFraming::kNone;
  std::uint64_t remaining_ = 0;
  std::uint64_t decoded_ = 0;
  ParseError error_ = ParseError::kNone;  // latched: every Read after an error repeats it
  ChunkedDecoder chunked_;
};

}  // namespace parley::http

#endif  // PARLEY_TARGETS_HTTP_BODY_READER_H_
