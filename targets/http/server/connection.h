// Connection: drives one Session (session.h) over an asynchronous byte stream with Boost.Asio.
// It owns the stream and keeps itself alive (shared_ptr) through its pending operations, in the
// shape of Asio's HTTP server example; its ConnectionManager enforces the session's deadlines.
//
// Stream is any AsyncReadStream + AsyncWriteStream with close(), e.g. Socket or
// boost::beast::test::stream (for tests and fuzzing over memory). For a TCP socket it takes the
// fast path: non-blocking reads and writes straight from the completion handler, and while idle
// it waits for readability without holding a buffer (Session::ReleaseIfIdle), so an idle
// keep-alive connection owns no workspace. A connection in steady keep-alive use (from its second
// request on) instead waits with a read into its workspace for up to config.hold_workspace, so
// the request is read as soon as epoll reports it, in one handler. Both waits cost one system
// call, since Asio 1.74 starts no wait on a descriptor without one: a readability wait re-arms
// the descriptor (epoll_ctl), and a read is tried at once (a recvfrom that fails with EAGAIN
// while the client is still reading the last response). After a final response it shuts down
// sending and reads until EOF or the linger deadline, so the client reads the response rather
// than a reset.
//
// A stream with a handshake (TlsSocket) first completes it within the idle timeout; a client
// that speaks plain HTTP to it gets a 400 "plain-http-on-tls-port" in plain text, as nginx
// answers it, and the connection closes.
//
// All members run on the stream's executor (one event loop per thread); nothing is locked.
#ifndef PARLEY_TARGETS_HTTP_SERVER_CONNECTION_H_
#define PARLEY_TARGETS_HTTP_SERVER_CONNECTION_H_

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <type_traits>

#include "targets/http/server/connection_manager.h"
#include "targets/http/server/session.h"
#include "targets/tls/tls_stream.h"

namespace parley::http {

// The server's sockets: bound to one io_context, without a type-erased executor (smaller
// sockets and smaller pending operations).
using Socket =
    boost::asio::basic_stream_socket<boost::asio::ip::tcp, boost::asio::io_context::executor_type>;
// HTTPS: TLS over such a socket.
using TlsSocket = tls::TlsStream<Socket>;

// After a failed TLS handshake: a plain-text 400 when the client sent plain HTTP (OpenSSL
// saw a request line), written best-effort on the raw socket. Returns whether it wrote one.
bool AnswerPlainHttpOnTlsPort(const boost::system::error_code& handshake_error, Socket& socket);

template <class Stream>
class Connection final : public ManagedConnection,
                         public std::enable_shared_from_this<Connection<Stream>> {
 public:
  // `context` and `manager` must outlive the connection; without a manager (null) no deadline
  // is enforced.
  Connection(Stream stream, SessionContext& context, ConnectionManager* manager,
             std::uint64_t id = 0)
      : ManagedConnection(manager),
        stream_(std::move(stream)),
        session_(context, Clock::now(), id) {}

  // Begins serving. REQUIRES: owned by a shared_ptr.
  void Start();

  Clock::time_point deadline() const override { return std::min(session_.deadline(), release_at_); }
  void OnDeadline(Clock::time_point now) override;
  void Drain() override;
  void Abort() override { CloseNow(); }

  const Session& session() const { return session_; }

 private:
  using Action = Session::Action;
  using error_code = boost::system::error_code;
  static constexpr bool kSocket = std::is_base_of_v<boost::asio::socket_base, Stream>;
  static constexpr bool kHandshake = std::is_same_v<Stream, TlsSocket>;

  // `now` is read once per handler: every deadline the session sets is at least milliseconds
  // long, so the microseconds a handler takes do not matter.
  void OnHandshake(const error_code& ec);
  void Step(Clock::time_point now);
  bool WriteNow(Clock::time_point now);
  bool ReadNow(Clock::time_point now);
  void WaitReadable();
  void HoldRead(Clock::time_point now);
  void OnHeldRead(const error_code& ec, std::size_t n, bool exhausted);
  void OnWritten(const error_code& ec);
  void OnReadable(const error_code& ec);
  void OnRead(const error_code& ec, std::size_t n);
  void BeginClose();
  void LingerRead();
  void CloseNow();

  Stream stream_;
  Session session_;
  bool closed_ = false;
  bool read_pending_ = false;
  bool write_pending_ = false;
  bool lingering_ = false;
  bool handshaking_ = false;
  // Socket only: the last read in this handler returned less than asked, so the receive buffer
  // was empty; any later data raises a new readiness event. Cleared on every handler entry.
  bool drained_ = false;
  // Socket only: a read into the workspace is pending (HoldRead) and is taken back then.
  Clock::time_point release_at_ = Clock::time_point::max();
};

template <class Stream>
void Connection<Stream>::Start() {
  if constexpr (kSocket) {
    error_code ignored;
    stream_.non_blocking(true, ignored);
    stream_.set_option(boost::asio::ip::tcp::no_delay(true), ignored);
  }
  if constexpr (kHandshake) {
    error_code ignored;
    stream_.socket().set_option(boost::asio::ip::tcp::no_delay(true), ignored);
    handshaking_ = true;
    stream_.async_handshake(
        [self = this->shared_from_this()](const error_code& ec) { self->OnHandshake(ec); });
    return;
  }
  Step(Clock::now());
}

template <class Stream>
void Connection<Stream>::OnHandshake(const error_code& ec) {
  handshaking_ = false;
  if (closed_) return;
  if (ec) {
    if constexpr (kHandshake) AnswerPlainHttpOnTlsPort(ec, stream_.socket());
    if (session_.config().verbose) {
      std::fprintf(stderr, "http-server: TLS handshake failed: %s\n", ec.message().c_str());
    }
    return CloseNow();
  }
  Step(Clock::now());
}

template <class Stream>
void Connection<Stream>::Drain() {
  if (closed_) return;
  if (handshaking_) return CloseNow();
  session_.Drain();
  if (write_pending_ || lingering_) return;  // the write's completion or the linger ends it
  drained_ = false;
  Step(Clock::now());
}

template <class Stream>
void Connection<Stream>::OnDeadline(Clock::time_point now) {
  if (closed_) return;
  if (handshaking_) return CloseNow();
  if constexpr (kSocket) {
    if (release_at_ <= now) {
      // Cancelling takes no system call; OnHeldRead then waits without the workspace.
      release_at_ = Clock::time_point::max();
      error_code ignored;
      stream_.cancel(ignored);
      if (session_.deadline() > now) return;
    }
  }
  if (lingering_ || write_pending_) return CloseNow();
  drained_ = false;
  session_.Expire(now);
  Step(now);
}

// Runs the session until it waits for the network.
template <class Stream>
void Connection<Stream>::Step(Clock::time_point now) {
  while (!closed_ && !write_pending_ && !lingering_) {
    switch (session_.Next(now)) {
      case Action::kWrite:
        if (!WriteNow(now)) return;
        break;
      case Action::kRead:
        if (read_pending_ || !ReadNow(now)) return;
        break;
      case Action::kClose:
        return BeginClose();
    }
  }
}

// Returns true if all output was sent synchronously.
template <class Stream>
bool Connection<Stream>::WriteNow(Clock::time_point now) {
  const std::string_view out = session_.Output();
  std::size_t sent = 0;
  if constexpr (kSocket) {
    error_code ec;
    sent = stream_.write_some(boost::asio::buffer(out), ec);
    if (!ec && sent == out.size()) {
      session_.Sent(now);
      return true;
    }
    if (ec && ec != boost::asio::error::would_block) {
      CloseNow();
      return false;
    }
    if (ec) sent = 0;
  }
  if constexpr (kHandshake) {
    // The last response and close_notify in one write (see TlsStream::WriteAndClose); the
    // connection then closes.
    if (session_.last_output() && stream_.WriteAndClose(out, session_.config().send_timeout)) {
      session_.Sent(now);
      return true;
    }
  }
  write_pending_ = true;
  boost::asio::async_write(stream_, boost::asio::buffer(out.substr(sent)),
                           [self = this->shared_from_this()](const error_code& ec, std::size_t) {
                             self->OnWritten(ec);
                           });
  return false;
}

template <class Stream>
void Connection<Stream>::OnWritten(const error_code& ec) {
  write_pending_ = false;
  drained_ = false;
  if (closed_) return;
  if (ec) return CloseNow();
  const Clock::time_point now = Clock::now();
  session_.Sent(now);
  Step(now);
}

// Returns true if bytes or EOF were received synchronously.
template <class Stream>
bool Connection<Stream>::ReadNow([[maybe_unused]] Clock::time_point now) {
  if constexpr (kSocket) {
    if (drained_) {
      if (session_.requests() >= 2 && session_.config().hold_workspace.count() > 0) {
        HoldRead(now);
      } else {
        WaitReadable();
      }
      return false;
    }
    const std::span<char> space = session_.ReadSpace();
    error_code ec;
    const std::size_t n = stream_.read_some(boost::asio::buffer(space.data(), space.size()), ec);
    if (ec == boost::asio::error::would_block) {
      drained_ = true;
      WaitReadable();
      return false;
    }
    if (ec == boost::asio::error::eof) {
      session_.ReceivedEof();
      return true;
    }
    if (ec) {
      CloseNow();
      return false;
    }
    session_.Received(n, now);
    drained_ = n < space.size();
    return true;
  } else {
    const std::span<char> space = session_.ReadSpace();
    read_pending_ = true;
    stream_.async_read_some(boost::asio::buffer(space.data(), space.size()),
                            [self = this->shared_from_this()](const error_code& ec, std::size_t n) {
                              self->OnRead(ec, n);
                            });
    return false;
  }
}

// Socket only: waits for input without holding a buffer.
template <class Stream>
void Connection<Stream>::WaitReadable() {
  if constexpr (kSocket) {
    session_.ReleaseIfIdle();
    read_pending_ = true;
    stream_.async_wait(Stream::wait_read, [self = this->shared_from_this()](const error_code& ec) {
      self->OnReadable(ec);
    });
  }
}

// Socket only: waits for input with a read into the workspace (see ServerConfig::hold_workspace).
template <class Stream>
void Connection<Stream>::HoldRead(Clock::time_point now) {
  if constexpr (kSocket) {
    const std::span<char> space = session_.ReadSpace();
    read_pending_ = true;
    release_at_ = now + session_.config().hold_workspace;
    stream_.async_read_some(
        boost::asio::buffer(space.data(), space.size()),
        [self = this->shared_from_this(), size = space.size()](
            const error_code& ec, std::size_t n) { self->OnHeldRead(ec, n, n < size); });
  }
}

template <class Stream>
void Connection<Stream>::OnHeldRead(const error_code& ec, std::size_t n, bool exhausted) {
  read_pending_ = false;
  release_at_ = Clock::time_point::max();
  if (closed_) return;
  if (ec == boost::asio::error::operation_aborted)
    return lingering_ ? LingerRead() : WaitReadable();
  if (lingering_) return ec ? CloseNow() : LingerRead();
  const Clock::time_point now = Clock::now();
  if (ec == boost::asio::error::eof) {
    session_.ReceivedEof();
  } else if (ec) {
    return CloseNow();
  } else {
    session_.Received(n, now);
    drained_ = exhausted;  // a short read emptied the receive buffer
  }
  Step(now);
}

template <class Stream>
void Connection<Stream>::OnReadable(const error_code& ec) {
  read_pending_ = false;
  drained_ = false;
  if (closed_) return;
  if (ec) return CloseNow();
  if (lingering_) return LingerRead();
  Step(Clock::now());
}

// Generic streams: a read into the session's buffer completed.
template <class Stream>
void Connection<Stream>::OnRead(const error_code& ec, std::size_t n) {
  read_pending_ = false;
  if (closed_) return;
  const Clock::time_point now = Clock::now();
  if (ec == boost::asio::error::eof) {
    session_.ReceivedEof();
  } else if (ec) {
    return CloseNow();
  } else if (n > 0) {
    session_.Received(n, now);
  }
  Step(now);
}

// Graceful close over a socket: FIN first, then discard input until the peer's EOF or the linger
// deadline. Other streams, and abrupt closes, close at once.
template <class Stream>
void Connection<Stream>::BeginClose() {
  if (!kSocket || !session_.linger()) return CloseNow();
  if constexpr (kSocket) {
    lingering_ = true;
    error_code ignored;
    stream_.shutdown(Stream::shutdown_send, ignored);
    if (!read_pending_) LingerRead();
  }
}

template <class Stream>
void Connection<Stream>::LingerRead() {
  if constexpr (kSocket) {
    static thread_local char discard[4096];
    // A bounded number of reads per wake-up, so a flooding peer cannot hold the loop.
    for (int i = 0; i < 16; ++i) {
      error_code ec;
      stream_.read_some(boost::asio::buffer(discard), ec);
      if (ec == boost::asio::error::would_block) break;
      if (ec) return CloseNow();
    }
    WaitReadable();
  }
}

template <class Stream>
void Connection<Stream>::CloseNow() {
  if (closed_) return;
  closed_ = true;
  if constexpr (kSocket) {
    error_code ignored;
    stream_.close(ignored);
  } else {
    stream_.close();
  }
}

extern template class Connection<Socket>;
extern template class Connection<TlsSocket>;

}  // namespace parley::http

#endif  // PARLEY_TARGETS_HTTP_SERVER_CONNECTION_H_
