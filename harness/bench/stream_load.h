// A long stream over loopback, for measuring how a client copes with one (ci/bench.sh's stream
// rows, the runner's big-stream tests):
//
// - StreamSource: a server that sends the same bytes to every connection, then closes it. The
//   bytes are made once, in memory, so sending costs only the kernel's copy.
// - ReadStream: the plain client the runner is measured against: connects, reads to the end
//   with blocking reads of 64 KiB, and (optionally) checks what it read with a StreamCheck.
// - StreamCheck: an incremental check of a stream: equal to a file's bytes (read as the stream
//   arrives, as parley reads an expected file), or containing a text.
#ifndef PARLEY_HARNESS_BENCH_STREAM_LOAD_H_
#define PARLEY_HARNESS_BENCH_STREAM_LOAD_H_

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace parley::bench {

// What a source sends: `head`, then `size` bytes made of `block` repeated (the last copy cut
// short), then `tail`. A long stream needs only its block in memory.
struct StreamContent {
  std::string head;
  std::string block;
  std::uint64_t size = 0;
  std::string tail;

  // Every byte, in one string (for tests).
  std::string Bytes() const;
};

// `size` pseudo-random bytes (a block of at most 1 MiB repeated; the same for the same seed),
// then `tail`.
StreamContent RandomStream(std::uint64_t size, std::string tail, std::uint32_t seed = 1);

// The same content as the body of an HTTP/1.1 200 response that closes the connection.
StreamContent AsHttpResponse(StreamContent content);

class StreamSource {
 public:
  // Listens on 127.0.0.1:`port` (0: any free port). Throws boost::system::system_error.
  explicit StreamSource(StreamContent content, unsigned short port = 0);
  unsigned short port() const { return acceptor_.local_endpoint().port(); }

  // Serves connections one after another, `connections` of them (negative: until the process
  // ends): sends the content, shuts down the sending side and waits (at most 10 s) for the
  // peer to close, so that no byte is lost to a reset.
  void Serve(int connections = -1);

 private:
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  StreamContent content_;
};

class StreamCheck {
 public:
  // Equal: the stream is the bytes of the file at `path`, read as the stream arrives.
  // Contains: the stream contains `text`.
  static StreamCheck Equal(const std::string& path);
  static StreamCheck Contains(std::string text);
  StreamCheck() = default;
  StreamCheck(StreamCheck&& other) noexcept;
  StreamCheck& operator=(StreamCheck&& other) noexcept;
  ~StreamCheck();

  // Takes the next piece of the stream.
  void Feed(std::string_view piece);
  // After the last piece: true when the stream was equal to, or contained, the bytes.
  bool passed() const;

 private:
  enum class Kind { kNone, kEqual, kContains };

  Kind kind_ = Kind::kNone;
  int fd_ = -1;           // kEqual: the file
  std::string buffer_;    // kEqual: the file's next bytes
  std::string text_;      // kContains
  std::string carry_;     // kContains: the last text_.size() - 1 bytes seen
  bool differs_ = false;  // kEqual
  bool found_ = false;    // kContains
};

struct ReadResult {
  std::string error;  // empty when the stream was read to its end (and passed the check)
  std::uint64_t bytes = 0;
  double seconds = 0;  // from before the connect to the end of the stream
};

ReadResult ReadStream(const boost::asio::ip::tcp::endpoint& server, StreamCheck* check);

}  // namespace parley::bench

#endif  // PARLEY_HARNESS_BENCH_STREAM_LOAD_H_
