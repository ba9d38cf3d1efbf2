// ChunkedDecoder: a streaming decoder for the chunked transfer coding (RFC 9112 section 7.1):
// 1*HEXDIG sizes with an overflow guard, chunk extensions parsed and ignored (capped in length),
// exact CRLFs, and a trailer section parsed and discarded (capped in size).
//
// It keeps no input between calls: state such as a partial size or the bytes left in the current
// chunk is held in a few integers, so a chunk-size line split anywhere decodes the same.
#ifndef PARLEY_TARGETS_HTTP_CHUNKED_DECODER_H_
#define PARLEY_TARGETS_HTTP_CHUNKED_DECODER_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "targets/http/limits.h"
#include "targets/http/parse_error.h"

namespace parley::http {

enum class ChunkedStatus : std::uint8_t { kIncomplete, kDone, kError };

struct ChunkedStep {
  ChunkedStatus status = ChunkedStatus::kIncomplete;
  std::size_t consumed = 0;  // bytes of the input used by this call
  std::string_view data;     // chunk data decoded by this call; a view into the input
  ParseError error = ParseError::kNone;
};

class ChunkedDecoder {
 public:
  explicit ChunkedDecoder(const Limits& limits = Limits());

  void Reset();

  // Consumes input until it has chunk data to hand out, the body ends (after the trailer
  // section's final CRLF), more input is needed, or an error. Decoded data beyond
  // limits.max_body is an error (413).
  ChunkedStep Decode(std::string_view input);

 private:
  // Resumable state; the implementation chooses the members it needs.
  Limits limits_;
};

}  // namespace parley::http

#endif  // PARLEY_TARGETS_HTTP_CHUNKED_DECODER_H_
