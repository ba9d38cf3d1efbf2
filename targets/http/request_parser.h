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
// (Only when Limits allow more than 1024 fields does a request with more grow the parser's
// field tables, doubling them as needed; they keep that size.)
// After kComplete or kError, call Reset() before parsing the next request.
#ifndef PARLEY_TARGETS_HTTP_REQUEST_PARSER_H_
#define PARLEY_TARGETS_HTTP_REQUEST_PARSER_H_

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "targets/http/field_scan.h"
#include "targets/http/limits.h"
#include "targets/http/parse_error.h"
#include "targets/http/request_head.h"

namespace parley::http {

enum class ParseStatus : std::uint8_t { kIncomplete, kComplete, kError };

class RequestParser {
 public:
  explicit RequestParser(const Limits& limits = Limits());
  // For tests and benchmarks: parses with the field scan for `isa` (field_scan.h), which this
  // CPU must run, instead of the widest it runs. Every choice gives the same results.
  RequestParser(const Limits& limits, internal::FieldScanIsa isa);

  RequestParser(const RequestParser&) = delete;
  RequestParser& operator=(const RequestParser&) = delete;

  // REQUIRES: `received` starts with every byte passed in the previous call since the last
  // Reset(), in the same order. Returns kComplete once the whole head (through the empty line)
  // is in `received`; bytes after head_size() are not examined.
  ParseStatus Parse(std::string_view received);

  // REQUIRES: the last Parse returned kComplete. Views point into that call's `received`.
  const RequestHead& head() const { return request_.head; }

  // Bytes of the head, including an ignored leading empty line and the final CRLF.
  // REQUIRES: the last Parse returned kComplete.
  std::size_t head_size() const { return request_.head_size; }

  // kNone unless the last Parse returned kError.
  ParseError error() const { return request_.error; }

  // Forget the current request; the next Parse starts a new one.
  void Reset();

 private:
  enum class Stage : std::uint8_t { kRequestLine, kFields, kComplete, kError };

  // Parse without the fast path for a few new bytes that hold no line end.
  ParseStatus ParseMore(std::string_view received);
  // Handles the line ending at `lf` and every complete line after it.
  ParseStatus ParseLines(std::string_view received, const char* lf);
  // Handles the clean field lines (field_scan.h) from request_.scan on, found by scan_.
  ParseError ParseCleanFieldLines(const char* data, std::size_t size);
  // Makes room in spans_ for one more field line than request_.field_count, unless max_fields
  // are there already: returns false then.
  bool RoomForField();
  // Doubles spans_ (and fields_), up to max_fields; false when it is that long already.
  bool GrowFieldTables();
  // Sets pending_limit for a request line starting at `begin`: the nearer of the method's bound
  // and the line's.
  void StartRequestLine(std::size_t begin);
  // Called when request_.scan has passed pending_limit. When the bound passed was the method's
  // and the method ended within it, moves pending_limit on to the line's bound and returns
  // kNone; otherwise returns the error (501, 414 or 431).
  ParseError PassPendingLimit(const char* data);
  // Whether the line ending at request_.scan, past the method's bound, is whole within the
  // line's bound and ends in CRLF, so that OnRequestLine alone judges its method's length.
  bool WholeLineDecidesMethod(const char* data) const;
  // No line end in reach: kIncomplete, or the error of each bound that scan has reached.
  ParseStatus Pending(const char* data);

  // Each On* handles one complete line: [begin, end) is its content without the line end.
  // They return kNone or the reason the request is rejected.
  ParseError OnRequestLine(const char* data, std::size_t begin, std::size_t end);
  // `data`: the first byte of the caller's buffer (field_scan.h's functions may read from it).
  ParseError OnTarget(const char* data, std::string_view method, std::string_view target);
  ParseError OnFieldLine(const char* data, std::size_t begin, std::size_t end);
  // Records the field line [begin, end) whose name ends at `colon` and whose value is valid.
  // REQUIRES: RoomForField().
  ParseError AddField(const char* data, std::size_t begin, const char* colon, const char* end);
  // Looks at the field line recorded at spans_[index].
  ParseError OnField(const char* data, std::size_t index);
  ParseError OnContentLength(std::string_view value);
  ParseError OnTransferEncoding(std::string_view value);
  void OnConnection(std::string_view value);
  void OnExpect(std::string_view value);
  ParseError OnEndOfFields();
  ParseStatus Fail(ParseError error);
  ParseStatus Complete(std::string_view received);

  // Everything about the request being parsed; Reset() sets back what a new one reads. Offsets
  // point into the caller's buffer, so the buffer may move between calls.
  struct PerRequest {
    Stage stage = Stage::kRequestLine;
    std::size_t scan = 0;           // first byte not yet searched for a line end
    std::size_t pending_limit = 0;  // scan may not reach this without a line end (501/414/431)
    bool method_bounded = false;    // pending_limit is the method's bound, not yet checked
    std::size_t line_begin = 0;     // first byte of the line being received
    std::size_t section_begin = 0;  // first byte of the field section
    std::size_t method_begin = 0;   // 0, or 1-2 after an ignored leading empty line
    std::size_t method_size = 0;
    std::size_t target_begin = 0;
    std::size_t target_size = 0;
    std::size_t field_count = 0;  // field lines recorded in spans_
    std::size_t host_field = 0;   // index in spans_ of the Host field line
    bool skipped_empty_line = false;
    bool has_host = false;
    bool has_content_length = false;
    bool has_transfer_encoding = false;
    bool chunked_final = false;       // the last transfer coding so far is chunked
    bool unsupported_coding = false;  // a coding other than chunked was listed
    bool connection_close = false;
    bool connection_keep_alive = false;
    ParseError error = ParseError::kNone;
    std::size_t head_size = 0;
    RequestHead head;
  };

  // What persists from request to request: the limits and storage allocated once.
  Limits limits_;
  internal::FieldScanFunction scan_;
  internal::TargetScanFunction scan_target_;    // nullptr: SkipTarget in request_parser.cc
  internal::TargetScanFunction scan_reg_name_;  // nullptr: a plain loop
  // The field lines of the current request: the first request_.field_count (field_scan.h's
  // scans write them in place). Sized in the constructor; grows only past 1024, never past
  // max_fields.
  std::vector<internal::FieldSpan> spans_;
  std::vector<Field> fields_;       // as large as spans_; views materialized on completion
  std::size_t field_capacity_ = 0;  // the field lines spans_ may hold: max_fields at most

  PerRequest request_;
};

// Inline for the case that dominates when bytes arrive a few at a time: they hold no line end,
// so there is nothing to do but remember how far the search got.
inline ParseStatus RequestParser::Parse(std::string_view received) {
  constexpr std::size_t kFewBytes = 8;
  const std::size_t size = received.size();
  // 1 to kFewBytes new bytes (request_.pending_limit is 0 once the head is complete or rejected).
  if (size - request_.scan - 1 < kFewBytes && size < request_.pending_limit) {
    const char* p = received.data() + request_.scan;
    const char* const end = received.data() + size;
    while (*p != '\n') {
      if (++p == end) {
        request_.scan = size;
        return ParseStatus::kIncomplete;
      }
    }
    return ParseLines(received, p);
  }
  return ParseMore(received);
}

}  // namespace parley::http

#endif  // PARLEY_TARGETS_HTTP_REQUEST_PARSER_H_
