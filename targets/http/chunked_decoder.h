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
  // Where the decoder is in the grammar; one state per position that accepts different bytes.
  enum class State : std::uint8_t {
    kSizeFirst,      // first HEXDIG of a chunk size
    kSize,           // more HEXDIG, BWS, ";" or CR
    kSizeBws,        // BWS after the size: more BWS or ";"
    kExtNameFirst,   // after ";": BWS or the first tchar of a name
    kExtName,        // more tchar, BWS, "=", ";" or CR
    kExtNameBws,     // BWS after a name: more BWS, "=" or ";"
    kExtValueFirst,  // after "=": BWS, DQUOTE or the first tchar of a token
    kExtToken,       // more tchar, BWS, ";" or CR
    kExtQuoted,      // inside a quoted-string
    kExtQuotedPair,  // after a backslash inside a quoted-string
    kExtQuotedEnd,   // after the closing DQUOTE: BWS, ";" or CR
    kExtBws,         // BWS after a value: more BWS or ";"
    kSizeLf,         // LF ending the chunk-size line
    kData,           // chunk data; remaining_ bytes left
    kDataCr,         // CR after chunk data
    kDataLf,         // LF after chunk data
    kTrailerLine,    // start of a trailer field line, or CR of the final CRLF
    kTrailerName,    // more tchar or ":"
    kTrailerNameLf,  // LF after a name without a colon (then the line lacks a colon)
    kTrailerValue,   // field-value bytes up to CR
    kTrailerLf,      // LF ending a trailer field line
    kFinalLf,        // LF ending the trailer section
    kDone,
    kError,
  };

  std::size_t WholeLine(std::string_view input);
  // Each handles one byte outside chunk data and returns kNone or the reason to reject.
  ParseError OnByte(char c);
  ParseError OnExtensionByte(char c);
  ParseError OnTrailerByte(char c);
  ParseError OnSizeLineEnd();

  Limits limits_;
  State state_ = State::kSizeFirst;
  ParseError error_ = ParseError::kNone;
  std::uint64_t size_ = 0;          // the chunk size being read
  std::uint64_t remaining_ = 0;     // data bytes left in the current chunk
  std::uint64_t decoded_ = 0;       // data bytes of the whole body so far
  std::size_t extension_size_ = 0;  // bytes after the size on the current size line
  std::size_t trailer_size_ = 0;    // bytes of the trailer section so far
};

}  // namespace parley::http

#endif  // PARLEY_TARGETS_HTTP_CHUNKED_DECODER_H_
