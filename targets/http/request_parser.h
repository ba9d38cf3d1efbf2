// RequestParser: an incremental, zero-copy, strict parser for the head of an HTTP/1.x request
// (request line and field section, RFC 9112 sections 2-5 and RFC 9110 framing rules).
//
// Usage: keep every byte of the current request received so far in one buffer, starting at the
// request's first byte, and call Parse with all of it after each read. The buffer may move
// between calls (it may be a growing std::string) but must begin with the same bytes. The parser
// remembers how far it got, so each call only examines bytes it has not seen before.
//
//   RequestParser parser(limits);
//   switch (parser.Parse(received)) {
//     case ParseStatus::kIncomplete: read more, call again;
//     case ParseStatus::kComplete:   use parser.head(); the body starts at parser.head_size();
//     case ParseStatus::kError:      answer ErrorStatus(parser.error()) and close;
//   }
//
// The parser allocates only in its constructor; parsing a request never touches the heap.
// After kComplete or kError, call Reset() before parsing the next request.
#ifndef PARLEY_TARGETS_HTTP_REQUEST_PARSER_H_
#define PARLEY_TARGETS_HTTP_REQUEST_PARSER_H_

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "targets/http/limits.h"
#include "targets/http/parse_error.h"
#include "targets/http/request_head.h"

namespace parley::http {

enum class ParseStatus : std::uint8_t { kIncomplete, kComplete, kError };

class RequestParser {
 public:
  explicit RequestParser(const Limits& limits = Limits());

  RequestParser(const RequestParser&) = delete;
  RequestParser& operator=(const RequestParser&) = delete;

  // REQUIRES: `received` starts with every byte passed in the previous call since the last
  // Reset(), in the same order. Returns kComplete once the whole head (through the empty line)
  // is in `received`; bytes after head_size() are not examined.
  ParseStatus Parse(std::string_view received);

  // REQUIRES: the last Parse returned kComplete. Views point into that call's `received`.
  const RequestHead& head() const { return head_; }

  // Bytes of the head, including an ignored leading empty line and the final CRLF.
  // REQUIRES: the last Parse returned kComplete.
  std::size_t head_size() const { return head_size_; }

  // kNone unless the last Parse returned kError.
  ParseError error() const { return error_; }

  // Forget the current request; the next Parse starts a new one.
  void Reset();

 private:
  // Implementation state lives in request_parser.cc's helpers; see there.
  struct FieldSpan {
    std::uint32_t name_begin, name_size, value_begin, value_size;
  };

  Limits limits_;
  RequestHead head_;
  std::size_t head_size_ = 0;
  ParseError error_ = ParseError::kNone;
  std::vector<FieldSpan> spans_;  // offsets, so the caller's buffer may move between calls
  std::vector<Field> fields_;     // views materialized from spans_ on completion
  // Further resumable state (current line start, scan position, line kind, partial results)
  // is the implementation's to choose.
};

}  // namespace parley::http

#endif  // PARLEY_TARGETS_HTTP_REQUEST_PARSER_H_
