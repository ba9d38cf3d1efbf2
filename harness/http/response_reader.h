// ResponseReader: the harness's own incremental reader of HTTP/1.x responses, so scenarios can
// assert status, reason, headers and body of what a server sent, and count the responses on a
// connection. It is deliberately independent of the targets' request parser: the harness judges
// a server, so it must not share the server's reading of the protocol.
//
// It is strict about what it reports (a malformed response is an error naming the byte offset
// and what was wrong) but never throws and never over-reads. Bodies are delimited by RFC 9112
// section 6.3: no body for HEAD requests, 1xx, 204 and 304; chunked; Content-Length; or the
// connection's close. After a 101 or a 2xx to CONNECT the connection no longer speaks HTTP/1.x,
// so any byte after that response is an error.
//
// Lenient only where RFC 9110/9112 ask recipients to be: an empty reason phrase, repeated equal
// Content-Length values, empty elements in the Transfer-Encoding list. What a server must not
// send is an error: a bare CR or LF, obs-fold, whitespace before a field's colon, both
// Transfer-Encoding and Content-Length, Transfer-Encoding in HTTP/1.0, either of them in a 1xx
// or 204 response.
//
//   ResponseReader reader(limits);
//   reader.ExpectResponseTo("HEAD");   // optional: the method of the next unanswered request
//   size_t used = reader.Feed(bytes);  // consumes what it can; responses are queued
//   while (auto r = reader.Next()) { ... }   // or look first: reader.Peek(0)
//   reader.FeedEof();                  // the peer closed: completes a close-delimited body
//   if (reader.failed()) { reader.error() ... }
#ifndef PARLEY_HARNESS_HTTP_RESPONSE_READER_H_
#define PARLEY_HARNESS_HTTP_RESPONSE_READER_H_

#include <cstddef>
#include <cstdint>
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
  std::string body;              // decoded (chunked removed); empty when not kept
  std::size_t body_size = 0;     // the decoded body's length, kept or not
  bool interim = false;          // a 1xx response (e.g. 100 Continue)
  bool chunked = false;          // the body was chunked
  bool close_delimited = false;  // the body ended with the connection
  std::string head;  // the exact bytes of the status line and header section, for messages
  std::vector<std::pair<std::string, std::string>> trailers;  // of a chunked body, in order

  // Case-insensitive lookup of the first field with this name.
  std::optional<std::string_view> Header(std::string_view name) const;
  // Every value of fields with this name, in order.
  std::vector<std::string_view> Headers(std::string_view name) const;
};

// Exceeding a limit fails the reader, so memory stays bounded whatever a server sends.
struct ResponseLimits {
  // The status line and header fields, up to the empty line; each interim response and each
  // trailer section is counted on its own against the same limit.
  std::size_t max_head = 64 * 1024;
  // The body after decoding. The chunked framing around it (size lines with their extensions,
  // CRLFs) may add at most max_head + max_body bytes more.
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
  // short (the error says where). Bytes fed after it are an error.
  void FeedEof();

  // The oldest complete response not yet taken.
  std::optional<HttpResponse> Next();

  // The i-th complete response not yet taken (0: the one Next() would return), or nullptr.
  // Valid until the next call of Feed, FeedEof or Next.
  const HttpResponse* Peek(std::size_t i) const { return i < ready_.size() ? &ready_[i] : nullptr; }

  // The bodies of responses 1 to `response` (counted from the first on the connection, in the
  // order they complete, interim ones included) are measured (body_size) but not kept, so a
  // check that needs only their length holds no body in memory.
  void DiscardBodiesThrough(std::size_t response) { discard_bodies_through_ = response; }

  // Responses completed so far on this connection, interim ones included.
  std::size_t completed() const { return completed_; }

  // True while a response has started but is not complete (false once the reader failed).
  bool in_progress() const;

  bool failed() const { return !error_.empty(); }
  // e.g. "byte 10: the status code is not three digits, got 'x'". Offsets count from the first
  // byte fed on the connection, and name the byte where reading went wrong, which is where Feed
  // stopped consuming; errors about a whole field (Content-Length, Transfer-Encoding) name the
  // start of its line instead, and Feed stopped at the last byte of the head.
  const std::string& error() const { return error_; }

 private:
  enum class State : std::uint8_t {
    kVersion,  // "HTTP/1.x "; matched_ counts the bytes seen
    kStatusCode,
    kReason,
    kStatusLf,
    kFieldStart,  // a field line or the empty line that ends the head (or the trailers)
    kFieldName,
    kFieldValue,
    kFieldLf,
    kEmptyLineLf,
    kLengthBody,
    kCloseBody,
    kChunkSize,
    kChunkExtension,
    kChunkLineLf,
    kChunkData,
    kChunkDataCr,
    kChunkDataLf,
    kComplete,  // queued by Feed before it reads on
    kSwitched,  // after 101 or a 2xx to CONNECT: what follows is not HTTP/1.x
  };
  // Within a chunk line, after the size (RFC 9112 section 7.1.1).
  enum class Extension : std::uint8_t {
    kWhitespace,  // BWS: only ';' may follow
    kNameStart,
    kName,
    kAfterName,
    kValueStart,
    kToken,
    kQuoted,
    kQuotedPair,
    kAfterQuoted,
    kEnd,  // CR seen: the chunk line ends
  };
  struct Framing;  // what Content-Length and Transfer-Encoding say about the body

  // First in, first out, on a vector: unlike a std::deque it allocates nothing until the first
  // element arrives, which matters for a reader made per connection.
  template <class T>
  class Fifo {
   public:
    bool empty() const { return first_ == items_.size(); }
    std::size_t size() const { return items_.size() - first_; }
    const T& operator[](std::size_t i) const { return items_[first_ + i]; }
    void push_back(T item) { items_.push_back(std::move(item)); }
    // REQUIRES: !empty().
    T pop_front() {
      T item = std::move(items_[first_++]);
      if (first_ == items_.size()) {
        items_.clear();
        first_ = 0;
      } else if (first_ >= 64 && first_ * 2 >= items_.size()) {
        items_.erase(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(first_));
        first_ = 0;
      }
      return item;
    }

   private:
    std::vector<T> items_;
    std::size_t first_ = 0;  // items before it were taken
  };

  std::size_t Consume(std::string_view bytes);
  std::size_t ConsumeBytewise(std::string_view bytes);
  std::size_t ConsumeRun(std::string_view bytes);
  std::size_t ConsumeLengthBody(std::string_view bytes);
  std::size_t ConsumeCloseBody(std::string_view bytes);
  std::size_t ConsumeChunkData(std::string_view bytes);
  bool CountByte();
  bool Byte(char c);
  bool VersionByte(char c);
  bool StatusCodeByte(char c);
  bool ReasonByte(char c);
  bool FieldStartByte(char c);
  bool FieldNameByte(char c);
  bool FieldValueByte(char c);
  bool FieldLf(char c);
  bool EmptyLineLf(char c);
  bool ChunkSizeByte(char c);
  bool ChunkExtensionByte(char c);
  bool ChunkLineLf(char c);
  bool ChunkDataCr(char c);
  bool ChunkDataLf(char c);
  static std::optional<Extension> NextExtension(Extension at, char c);
  bool EndOfHead();
  bool StartBody(std::string_view method, const Framing& framing);
  void FinishResponse();
  void AddBody(std::string_view bytes);
  std::string Place() const;
  bool Fail(std::uint64_t at, std::string_view what);

  ResponseLimits limits_;
  Fifo<std::string> methods_;
  Fifo<HttpResponse> ready_;
  std::size_t completed_ = 0;
  std::string error_;

  State state_ = State::kVersion;
  Extension extension_ = Extension::kWhitespace;
  HttpResponse current_;
  std::uint64_t offset_ = 0;   // of the next byte on the connection
  std::size_t matched_ = 0;    // bytes of the version, digits of the status or chunk size
  std::size_t section_ = 0;    // bytes of the head or trailer section so far
  std::uint64_t framing_ = 0;  // chunk framing bytes so far
  std::uint64_t chunk_size_ = 0;
  std::uint64_t remaining_ = 0;  // of the Content-Length body or the current chunk
  bool in_trailers_ = false;
  bool switch_after_ = false;  // the current response ends HTTP/1.x on the connection
  bool eof_ = false;
  bool head_read_ = false;      // the current response's head is complete
  std::uint64_t head_end_ = 0;  // the offset after it
  std::size_t discard_bodies_through_ = 0;
  std::string field_name_;
  std::string field_value_;
  std::uint64_t field_start_ = 0;
  std::vector<std::uint64_t> field_offsets_;  // where each of current_.headers starts
};

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_HTTP_RESPONSE_READER_H_
