// ResponseReader: the harness's own incremental reader of HTTP/1.x responses, so scenarios can
// assert status, reason, headers and body of what a server sent, and count the responses on a
// connection. It is deliberately independent of the targets' request parser: the harness judges
// a server, so it must not share the server's reading of the protocol.
//
// It is strict about what it reports (a malformed response is an error naming the byte offset
// and what was wrong) but never throws and never over-reads. Bodies are delimited by RFC 9112
// section 6.3: no body for HEAD requests, 1xx, 204 and 304; chunked; Content-Length; or the
// connection's close.
//
//   ResponseReader reader(limits);
//   reader.ExpectResponseTo("HEAD");   // optional: the method of the next unanswered request
//   size_t used = reader.Feed(bytes);  // consumes what it can; responses are queued
//   while (auto r = reader.Next()) { ... }
//   reader.FeedEof();                  // the peer closed: completes a close-delimited body
//   if (reader.failed()) { reader.error() ... }
#ifndef PARLEY_HARNESS_RESPONSE_READER_H_
#define PARLEY_HARNESS_RESPONSE_READER_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace parley::harness {

struct HttpResponse {
  int version_minor = 1;  // HTTP/1.x
  int status = 0;
  std::string reason;
  std::vector<std::pair<std::string, std::string>> headers;  // in order, names as received
  std::string body;                                          // decoded (chunked removed)
  bool interim = false;                                      // a 1xx response (e.g. 100 Continue)
  bool chunked = false;                                      // the body was chunked
  bool close_delimited = false;                              // the body ended with the connection
  std::string raw;  // the exact bytes of this response, for transcripts

  // Case-insensitive lookup of the first field with this name.
  std::optional<std::string_view> Header(std::string_view name) const;
  // Every value of fields with this name, in order.
  std::vector<std::string_view> Headers(std::string_view name) const;
};

struct ResponseLimits {
  std::size_t max_head = 64 * 1024;
  std::size_t max_body = 64 * 1024 * 1024;
};

class ResponseReader {
 public:
  explicit ResponseReader(const ResponseLimits& limits = ResponseLimits());

  // Records the method of a request sent on the connection, in order, so the reader knows
  // that the response to a HEAD has no body. Responses to requests not announced this way are
  // read as responses to GET.
  void ExpectResponseTo(std::string_view method);

  // Consumes bytes; complete responses are queued for Next(). Returns the bytes consumed, which
  // is all of them unless the reader has failed.
  std::size_t Feed(std::string_view bytes);

  // The peer closed its side: completes a close-delimited body, or fails if a response was cut
  // short (the error says where).
  void FeedEof();

  // The oldest complete response not yet taken.
  std::optional<HttpResponse> Next();

  // Responses completed so far on this connection, interim ones included.
  std::size_t completed() const { return completed_; }

  // True while a response has started but is not complete.
  bool in_progress() const;

  bool failed() const { return !error_.empty(); }
  // e.g. "byte 17: status code is not three digits"
  const std::string& error() const { return error_; }

 private:
  // The implementation chooses its state; these are indicative.
  ResponseLimits limits_;
  std::deque<std::string> methods_;
  std::deque<HttpResponse> ready_;
  std::size_t completed_ = 0;
  std::string error_;
};

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_RESPONSE_READER_H_
