#include "harness/bench/stream_load.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <cstring>
#include <random>
#include <utility>
#include <vector>

namespace parley::bench {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

constexpr std::size_t kReadSize = 64 * 1024;

bool Holds(std::string_view haystack, std::string_view needle) {
  return ::memmem(haystack.data(), haystack.size(), needle.data(), needle.size()) != nullptr;
}

}  // namespace

std::string StreamContent::Bytes() const {
  std::string bytes = head;
  for (std::uint64_t left = size; left > 0;) {
    const auto piece = static_cast<std::size_t>(std::min<std::uint64_t>(left, block.size()));
    bytes.append(block, 0, piece);
    left -= piece;
  }
  return bytes + tail;
}

StreamContent RandomStream(std::uint64_t size, std::string tail, std::uint32_t seed) {
  StreamContent content;
  content.block.resize(static_cast<std::size_t>(std::min<std::uint64_t>(size, 1 << 20)));
  std::mt19937_64 random(seed);
  for (std::size_t i = 0; i < content.block.size(); i += 8) {
    const std::uint64_t word = random();
    std::memcpy(content.block.data() + i, &word,
                std::min<std::size_t>(8, content.block.size() - i));
  }
  content.size = size;
  content.tail = std::move(tail);
  return content;
}

StreamContent AsHttpResponse(StreamContent content) {
  const std::uint64_t length = content.head.size() + content.size + content.tail.size();
  content.head = "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(length) +
                 "\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n" +
                 content.head;
  return content;
}

StreamSource::StreamSource(StreamContent content, unsigned short port)
    : acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), port)),
      content_(std::move(content)) {}

void StreamSource::Serve(int connections) {
  for (int served = 0; connections < 0 || served < connections; ++served) {
    tcp::socket socket(io_);
    error_code ec;
    acceptor_.accept(socket, ec);
    if (ec) continue;
    asio::write(socket, asio::buffer(content_.head), ec);
    for (std::uint64_t left = content_.size; left > 0 && !ec;) {
      const auto piece =
          static_cast<std::size_t>(std::min<std::uint64_t>(left, content_.block.size()));
      asio::write(socket, asio::buffer(content_.block.data(), piece), ec);
      left -= piece;
    }
    if (!ec) asio::write(socket, asio::buffer(content_.tail), ec);
    socket.shutdown(tcp::socket::shutdown_send, ec);
    // Wait for the peer's close (it may send a request first): bounded by a receive timeout.
    timeval limit{10, 0};
    ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    std::vector<char> sink(kReadSize);
    while (!ec)
      socket.read_some(asio::buffer(sink), ec);
  }
}

StreamCheck StreamCheck::Equal(const std::string& path) {
  StreamCheck check;
  check.kind_ = Kind::kEqual;
  check.fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  check.differs_ = check.fd_ < 0;
  return check;
}

StreamCheck StreamCheck::Contains(std::string text) {
  StreamCheck check;
  check.kind_ = Kind::kContains;
  check.text_ = std::move(text);
  return check;
}

StreamCheck::StreamCheck(StreamCheck&& other) noexcept {
  *this = std::move(other);
}

StreamCheck& StreamCheck::operator=(StreamCheck&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    kind_ = other.kind_;
    fd_ = std::exchange(other.fd_, -1);
    buffer_ = std::move(other.buffer_);
    text_ = std::move(other.text_);
    carry_ = std::move(other.carry_);
    differs_ = other.differs_;
    found_ = other.found_;
  }
  return *this;
}

StreamCheck::~StreamCheck() {
  if (fd_ >= 0) ::close(fd_);
}

void StreamCheck::Feed(std::string_view piece) {
  switch (kind_) {
    case Kind::kNone:
      break;
    case Kind::kEqual: {
      if (differs_) break;
      buffer_.resize(piece.size());
      std::size_t got = 0;
      for (ssize_t n = 1; got < piece.size() && n > 0; got += static_cast<std::size_t>(n)) {
        n = std::max<ssize_t>(::read(fd_, buffer_.data() + got, piece.size() - got), 0);
        if (n == 0) break;
      }
      differs_ = got < piece.size() || std::memcmp(buffer_.data(), piece.data(), got) != 0;
      break;
    }
    case Kind::kContains: {
      if (found_ || text_.empty()) {
        found_ = true;
        break;
      }
      // A match across the previous piece's end, then one inside this piece.
      std::string boundary = carry_;
      boundary.append(piece.substr(0, std::min(piece.size(), text_.size() - 1)));
      found_ = Holds(boundary, text_) || Holds(piece, text_);
      carry_.append(piece.substr(piece.size() - std::min(piece.size(), text_.size() - 1)));
      carry_.erase(0, carry_.size() - std::min(carry_.size(), text_.size() - 1));
      break;
    }
  }
}

bool StreamCheck::passed() const {
  switch (kind_) {
    case Kind::kNone:
      return true;
    case Kind::kEqual: {
      char probe;
      return !differs_ && ::read(fd_, &probe, 1) == 0;  // and the file has nothing more
    }
    case Kind::kContains:
      return found_;
  }
  return false;
}

ReadResult ReadStream(const tcp::endpoint& server, StreamCheck* check) {
  ReadResult result;
  const auto start = std::chrono::steady_clock::now();
  asio::io_context io;
  tcp::socket socket(io);
  error_code ec;
  socket.connect(server, ec);
  if (ec) {
    result.error = "cannot connect: " + ec.message();
    return result;
  }
  std::vector<char> buffer(kReadSize);
  for (;;) {
    const std::size_t n = socket.read_some(asio::buffer(buffer), ec);
    if (n > 0 && check != nullptr) check->Feed(std::string_view(buffer.data(), n));
    result.bytes += n;
    if (ec) break;
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (ec != asio::error::eof) {
    result.error = "reading failed: " + ec.message();
  } else if (check != nullptr && !check->passed()) {
    result.error = "the stream did not pass the check";
  }
  return result;
}

}  // namespace parley::bench
