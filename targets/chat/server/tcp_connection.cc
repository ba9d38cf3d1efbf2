#include "targets/chat/server/tcp_connection.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <boost/asio/post.hpp>
#include <cerrno>
#include <cstring>
#include <utility>
namespace parley::chat {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;

constexpr std::size_t kMaxIov = 1024;  // IOV_MAX on Linux
// Lines up to this size are copied into the staging buffer rather than given their own iovec.
constexpr std::size_t kPackBelow = 512;
// Enough for one write to fill a socket's unsent allowance.
constexpr std::size_t kMaxWriteBytes = 256 * 1024;
// Bytes a socket may hold that the kernel has not yet sent. Without a cap, send-buffer
// autotuning lets a stalled client's socket absorb megabytes, and the outbound queue bound
// would only be reached long after.
constexpr int kUnsentLowWater = 128 * 1024;

std::string Describe(const asio::ip::tcp::socket& socket) {
  error_code error;
  const asio::ip::tcp::endpoint peer = socket.remote_endpoint(error);
  if (error) return "?";
  return peer.address().to_string() + ":" + std::to_string(peer.port());
}

}  // namespace

TcpConnection::TcpConnection(asio::ip::tcp::socket socket, ConnectionContext& context)
    : socket_(std::move(socket)),
      context_(context),
      room_(context.room),
      settings_(context.settings),
      log_(context.log),
      timer_(socket_.get_executor()) {}

void TcpConnection::Start() {
  error_code ignored;
  socket_.set_option(asio::ip::tcp::no_delay(true), ignored);
  socket_.non_blocking(true, ignored);  // reads and writes happen once the socket is ready
  ::setsockopt(socket_.native_handle(), IPPROTO_TCP, TCP_NOTSENT_LOWAT, &kUnsentLowWater,
               sizeof kUnsentLowWater);
  if (log_.verbose()) peer_ = Describe(socket_);
  last_heard_ = std::chrono::steady_clock::now();
  id_ = room_.Join(*this);
  if (!id_) {
    log_.Event("refused " + peer_ + ": server full");
    static const SharedLine kFull = std::make_shared<const std::string>(kServerFullLine);
    Deliver(kFull);
    BeginFlush();
    return;
  }
  if (state_ != State::kMember) return;  // dropped while taking the welcome
  if (log_.verbose()) log_.Event(*room_.nick(*id_) + " is " + peer_ + " (tcp)");
  Read();
  if (settings_.idle_timeout.count() > 0) ArmTimer(settings_.idle_timeout);
}

bool TcpConnection::Deliver(const SharedLine& line) {
  if (state_ != State::kMember && state_ != State::kFlushing) return true;
  if (queued_bytes_ + line->size() > settings_.max_queue) return false;
  queue_.push_back(line);
  queued_bytes_ += line->size();
  if (!waiting_writable_ && !write_posted_) {
    // Posted, so that every line delivered by the current handler goes out in one write.
    write_posted_ = true;
    asio::post(socket_.get_executor(), [self = shared_from_this()] {
      self->write_posted_ = false;
      self->Write();
    });
  }
  return true;
}

void TcpConnection::Close(CloseMode mode) {
  id_.reset();
  if (mode == CloseMode::kAbort) {
    Abort();
  } else {
    BeginFlush();
  }
}

void TcpConnection::Read() {
  reading_ = true;
  socket_.async_wait(
      asio::ip::tcp::socket::wait_read,
      [self = shared_from_this()](const error_code& error) { self->OnReadable(error); });
}

void TcpConnection::OnReadable(const error_code& wait_error) {
  reading_ = false;
  if (state_ == State::kClosed) return;
  if (wait_error) {
    Fail(wait_error);
    return;
  }
  std::vector<char>& buffer = context_.read_buffer;
  error_code error;
  const std::size_t size = socket_.read_some(asio::buffer(buffer), error);
  if (error == asio::error::would_block || error == asio::error::try_again) {
    Read();
    return;
  }
  if (error == asio::error::eof) {
    OnEndOfInput();
    return;
  }
  if (error) {
    Fail(error);
    return;
  }
  if (state_ == State::kMember) {
    last_heard_ = std::chrono::steady_clock::now();
    std::string_view input(buffer.data(), size);
    Room::Batch batch(room_);  // the lines of one read fan out as one chunk
    while (state_ == State::kMember) {
      std::optional<Frame> frame = framer_.Next(input);
      if (!frame || !room_.Receive(*id_, *frame)) break;
    }
  }
  // Out of the room, input is read and discarded until the client closes. (A /quit above may
  // have started the next read already.)
  if (state_ != State::kClosed && !reading_) Read();
}

void TcpConnection::OnEndOfInput() {
  input_ended_ = true;
  if (state_ == State::kMember) {
    // Half-closed: the unended last line counts, then the member leaves; what is queued for it
    // (answers to its last commands) is still written before the close.
    if (std::optional<Frame> frame = framer_.Finish()) room_.Receive(*id_, *frame);
    if (state_ == State::kMember) {
      LeaveRoom({});
      BeginFlush();
    }
    return;
  }
  if (state_ == State::kDraining) Abort();
}

void TcpConnection::Write() {
  if (waiting_writable_ || queue_.empty()) return;
  if (state_ != State::kMember && state_ != State::kFlushing) return;
  for (;;) {
    // One gather-write per batch. Short lines are packed into the shared staging buffer first:
    // the kernel's cost per iovec is well above a memcpy of a few dozen bytes.
    iovec iov[kMaxIov];
    std::size_t count = 0;
    std::size_t bytes = 0;
    std::vector<char>& staging = context_.write_buffer;
    std::size_t staged = 0;
    bool packing = false;  // iov[count - 1] is the staging run still growing
    for (const SharedLine& line : queue_) {
      const std::size_t skip = (bytes == 0) ? front_written_ : 0;
      const char* data = line->data() + skip;
      const std::size_t size = line->size() - skip;
      bytes += size;
      if (size <= kPackBelow && staged + size <= staging.size()) {
        std::memcpy(staging.data() + staged, data, size);
        if (packing) {
          iov[count - 1].iov_len += size;
        } else {
          iov[count++] = iovec{staging.data() + staged, size};
          packing = true;
        }
        staged += size;
      } else {
        iov[count++] = iovec{const_cast<char*>(data), size};
        packing = false;
      }
      if (count == kMaxIov || bytes >= kMaxWriteBytes) break;
    }
    msghdr message{};
    message.msg_iov = iov;
    message.msg_iovlen = count;
    const ssize_t sent = ::sendmsg(socket_.native_handle(), &message, MSG_NOSIGNAL);
    if (sent < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      Fail(error_code(errno, boost::system::system_category()));
      return;
    }
    Consume(static_cast<std::size_t>(sent));
    if (queue_.empty()) {
      if (state_ == State::kFlushing) FinishFlush();
      return;
    }
    if (static_cast<std::size_t>(sent) < bytes) break;  // the socket is full
  }
  waiting_writable_ = true;
  socket_.async_wait(asio::ip::tcp::socket::wait_write,
                     [self = shared_from_this()](const error_code& error) {
                       self->waiting_writable_ = false;
                       if (self->state_ == State::kClosed) return;
                       if (error) {
                         self->Fail(error);
                         return;
                       }
                       self->Write();
                     });
}

void TcpConnection::Consume(std::size_t size) {
  queued_bytes_ -= size;
  while (size > 0) {
    const std::size_t left = queue_.front()->size() - front_written_;
    if (size < left) {
      front_written_ += size;
      return;
    }
    size -= left;
    front_written_ = 0;
    queue_.pop_front();
  }
}

void TcpConnection::Fail(const error_code& error) {
  if (log_.verbose()) log_.Event(peer_ + ": " + error.message());
  LeaveRoom({});
  Abort();
}

void TcpConnection::BeginFlush() {
  if (state_ == State::kClosed) return;
  state_ = State::kFlushing;
  ArmTimer(settings_.close_grace);
  if (!reading_ && !input_ended_) Read();
  if (queue_.empty()) FinishFlush();
}

void TcpConnection::FinishFlush() {
  if (input_ended_) {
    Abort();
    return;
  }
  error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  state_ = State::kDraining;
}

void TcpConnection::LeaveRoom(std::string_view reason) {
  if (!id_) return;
  const MemberId id = *id_;
  id_.reset();
  room_.Leave(id, reason);
}

void TcpConnection::Abort() {
  state_ = State::kClosed;
  error_code ignored;
  timer_.cancel();
  socket_.close(ignored);
  queue_.clear();
  queued_bytes_ = 0;
  front_written_ = 0;
}

void TcpConnection::ArmTimer(std::chrono::milliseconds after) {
  timer_.expires_after(after);
  timer_.async_wait([self = shared_from_this()](const error_code& error) { self->OnTimer(error); });
}

void TcpConnection::OnTimer(const error_code& error) {
  if (error || state_ == State::kClosed) return;
  const auto now = std::chrono::steady_clock::now();
  if (timer_.expiry() > now) return;  // re-armed after this wait completed
  if (state_ != State::kMember) {
    Abort();  // the close grace period is over
    return;
  }
  const auto quiet = now - last_heard_;
  if (quiet < settings_.idle_timeout) {
    ArmTimer(std::chrono::ceil<std::chrono::milliseconds>(settings_.idle_timeout - quiet));
    return;
  }
  LeaveRoom("timed out");
  BeginFlush();
}

}  // namespace parley::chat
