#include "targets/chat/server/tls_connection.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/ssl.h>
#include <sys/socket.h>

#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/write.hpp>
#include <utility>

namespace parley::chat {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;

// The most plaintext one TLS record carries: each read takes up to a record, and short queued
// lines are packed into one record per write.
constexpr std::size_t kRecordBytes = 16 * 1024;
// As for plain TCP (see tcp_connection.cc): the kernel holds little unsent data, so a stalled
// client's queue reaches --max-queue promptly.
constexpr int kUnsentLowWater = 128 * 1024;

std::string Describe(const asio::ip::tcp::socket& socket) {
  error_code error;
  const asio::ip::tcp::endpoint peer = socket.remote_endpoint(error);
  if (error) return "?";
  return peer.address().to_string() + ":" + std::to_string(peer.port());
}

}  // namespace

TlsConnection::TlsConnection(asio::ip::tcp::socket socket, asio::ssl::context& tls,
                             ConnectionContext& context)
    : stream_(std::move(socket), tls),
      room_(context.room),
      settings_(context.settings),
      context_(context),
      log_(context.log),
      timer_(stream_.get_executor()),
      read_buffer_(kRecordBytes) {}

void TlsConnection::Start() {
  asio::ip::tcp::socket& socket = stream_.next_layer();
  error_code ignored;
  socket.set_option(asio::ip::tcp::no_delay(true), ignored);
  ::setsockopt(socket.native_handle(), IPPROTO_TCP, TCP_NOTSENT_LOWAT, &kUnsentLowWater,
               sizeof kUnsentLowWater);
  if (log_.verbose()) peer_ = Describe(socket);
  ArmTimer(settings_.close_grace);
  stream_.async_handshake(
      asio::ssl::stream_base::server,
      [self = shared_from_this()](const error_code& error) { self->OnHandshake(error); });
}

void TlsConnection::OnHandshake(const error_code& error) {
  if (state_ == State::kClosed) return;  // timed out
  if (error) {
    if (log_.verbose()) log_.Event(peer_ + ": TLS handshake failed: " + error.message());
    Abort();
    return;
  }
  state_ = State::kMember;
  if (context_.shutting_down) {
    BeginFlush();
    return;
  }
  Join();
}

void TlsConnection::Join() {
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
  if (log_.verbose()) log_.Event(*room_.nick(*id_) + " is " + peer_ + " (tls)");
  Read();
  if (settings_.idle_timeout.count() > 0) {
    ArmTimer(settings_.idle_timeout);
  } else {
    timer_.cancel();
  }
}

bool TlsConnection::Deliver(const SharedLine& line) {
  if (state_ != State::kMember && state_ != State::kFlushing) return true;
  if (queued_bytes_ + line->size() > settings_.max_queue) return false;
  queue_.push_back(line);
  queued_bytes_ += line->size();
  if (!writing_ && !write_posted_) {
    // Posted, so that every line delivered by the current handler goes out in one write.
    write_posted_ = true;
    asio::post(stream_.get_executor(), [self = shared_from_this()] {
      self->write_posted_ = false;
      self->Write();
    });
  }
  return true;
}

void TlsConnection::Close(CloseMode mode) {
  id_.reset();
  if (mode == CloseMode::kAbort) {
    Abort();
  } else {
    BeginFlush();
  }
}

void TlsConnection::Read() {
  reading_ = true;
  stream_.async_read_some(asio::buffer(read_buffer_),
                          [self = shared_from_this()](const error_code& error, std::size_t size) {
                            self->OnRead(error, size);
                          });
}

void TlsConnection::OnRead(const error_code& error, std::size_t size) {
  reading_ = false;
  if (state_ == State::kClosed) return;
  const bool ended = error == asio::error::eof || error == asio::ssl::error::stream_truncated;
  if (ended) input_ended_ = true;
  if (state_ == State::kClosing) {
    // FinishFlush cancelled this read (or it ended just before) so that close_notify can go.
    SendCloseNotify();
    return;
  }
  if (ended) {
    OnEndOfInput();
    return;
  }
  if (error) {
    Fail(error);
    return;
  }
  if (state_ == State::kMember) {
    last_heard_ = std::chrono::steady_clock::now();
    std::string_view input(read_buffer_.data(), size);
    Room::Batch batch(room_);  // the lines of one read fan out as one chunk
    while (state_ == State::kMember) {
      std::optional<Frame> frame = framer_.Next(input);
      if (!frame || !room_.Receive(*id_, *frame)) break;
    }
  }
  // Out of the room, input is read and discarded until the queue is written. (A /quit above
  // may have started the next read already.)
  if ((state_ == State::kMember || state_ == State::kFlushing) && !reading_) Read();
}

void TlsConnection::OnEndOfInput() {
  if (state_ != State::kMember) return;  // flushing: FinishFlush follows the last write
  // As a TCP half-close: the unended last line counts, then the member leaves; what is queued
  // for it is still written before the close.
  if (std::optional<Frame> frame = framer_.Finish()) room_.Receive(*id_, *frame);
  if (state_ == State::kMember) {
    LeaveRoom({});
    BeginFlush();
  }
}

void TlsConnection::Write() {
  if (writing_ || queue_.empty()) return;
  if (state_ != State::kMember && state_ != State::kFlushing) return;
  // A long entry (a room chunk, say) is written from its shared bytes; shorter ones are packed
  // into one record, since each write costs a record and a system call.
  std::size_t entries = 1;
  SharedLine direct;
  asio::const_buffer bytes;
  if (queue_.size() == 1 || queue_.front()->size() >= kRecordBytes) {
    direct = queue_.front();
    bytes = asio::buffer(*direct);
  } else {
    staging_.clear();
    entries = 0;
    for (const SharedLine& line : queue_) {
      if (entries > 0 && staging_.size() + line->size() > kRecordBytes) break;
      staging_.append(*line);
      ++entries;
    }
    bytes = asio::buffer(staging_);
  }
  writing_ = true;
  // `direct` keeps its bytes alive until the write ends, even if Abort empties the queue.
  asio::async_write(stream_, bytes,
                    [self = shared_from_this(), entries, direct](
                        const error_code& error, std::size_t) { self->OnWritten(error, entries); });
}

void TlsConnection::OnWritten(const error_code& error, std::size_t entries) {
  writing_ = false;
  if (state_ == State::kClosed) return;
  if (error) {
    Fail(error);
    return;
  }
  for (std::size_t i = 0; i < entries; ++i) {
    queued_bytes_ -= queue_.front()->size();
    queue_.pop_front();
  }
  if (!queue_.empty()) {
    Write();
  } else if (state_ == State::kFlushing) {
    FinishFlush();
  }
}

void TlsConnection::Fail(const error_code& error) {
  if (log_.verbose()) log_.Event(peer_ + ": " + error.message());
  LeaveRoom({});
  Abort();
}

void TlsConnection::BeginFlush() {
  if (state_ != State::kMember) return;
  state_ = State::kFlushing;
  ArmTimer(settings_.close_grace);
  if (!reading_ && !input_ended_) Read();
  if (!writing_ && queue_.empty()) FinishFlush();
}

void TlsConnection::FinishFlush() {
  state_ = State::kClosing;
  // The shutdown reads the socket for the client's close_notify, so no read may be pending:
  // with the queue written, the pending read is the only operation a cancel can end.
  if (reading_) {
    error_code ignored;
    stream_.next_layer().cancel(ignored);
    return;  // OnRead sends close_notify
  }
  SendCloseNotify();
}

void TlsConnection::SendCloseNotify() {
  // After the client's end of input there is no close_notify of its to wait for: it sent it
  // already, or closed TCP without one. Marked as received, the shutdown only sends ours. (Nor
  // could it wait: Asio's reactor does not report a socket's EOF a second time.)
  if (input_ended_) {
    SSL* ssl = stream_.native_handle();
    SSL_set_shutdown(ssl, SSL_get_shutdown(ssl) | SSL_RECEIVED_SHUTDOWN);
  }
  stream_.async_shutdown([self = shared_from_this()](const error_code&) {
    if (self->state_ != State::kClosed) self->Abort();
  });
}

void TlsConnection::LeaveRoom(std::string_view reason) {
  if (!id_) return;
  const MemberId id = *id_;
  id_.reset();
  room_.Leave(id, reason);
}

void TlsConnection::Abort() {
  state_ = State::kClosed;
  error_code ignored;
  timer_.cancel();
  stream_.next_layer().close(ignored);
  queue_.clear();
  queued_bytes_ = 0;
}

void TlsConnection::ArmTimer(std::chrono::milliseconds after) {
  timer_.expires_after(after);
  timer_.async_wait([self = shared_from_this()](const error_code& error) { self->OnTimer(error); });
}

void TlsConnection::OnTimer(const error_code& error) {
  if (error || state_ == State::kClosed) return;
  const auto now = std::chrono::steady_clock::now();
  if (timer_.expiry() > now) return;  // re-armed after this wait completed
  if (state_ == State::kHandshaking) {
    if (log_.verbose()) log_.Event(peer_ + ": TLS handshake timed out");
    Abort();
    return;
  }
  if (state_ != State::kMember) {
    Abort();  // the close grace period is over
    return;
  }
  // The handshake's deadline, completed just before the join cancelled it.
  if (settings_.idle_timeout.count() == 0) return;
  const auto quiet = now - last_heard_;
  if (quiet < settings_.idle_timeout) {
    ArmTimer(std::chrono::ceil<std::chrono::milliseconds>(settings_.idle_timeout - quiet));
    return;
  }
  LeaveRoom("timed out");
  BeginFlush();
}

}  // namespace parley::chat
