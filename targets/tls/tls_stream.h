// TlsStream: the server side of one TLS connection over a socket (Asio's ssl::stream), in the
// shape of an AsyncReadStream + AsyncWriteStream with close(), so code written for any stream
// (http::Connection's generic path) serves TLS unchanged:
//
//   TlsStream<Socket> stream(std::move(socket), tls.context(), std::chrono::seconds(1));
//   stream.async_handshake([](const error_code& ec) { ... });
//   stream.async_read_some(buffers, handler);   // a truncation (no close_notify) reads as EOF
//   boost::asio::async_write(stream, buffers, handler);
//   stream.close();                             // close_notify, then the socket closes
//
// A peer that closes the TCP connection without close_notify reads as an ordinary EOF: what it
// sent was authenticated up to there, and the protocols served frame their own messages. close()
// sends close_notify and closes the socket: at once when nothing from the peer is unread, else
// once the peer answers with its own (or closes), or after `close_grace`; with an operation still
// pending it closes the socket at once. The TLS
// state outlives the TlsStream until that close is done. One strand (the socket's executor).
#ifndef PARLEY_TARGETS_TLS_TLS_STREAM_H_
#define PARLEY_TARGETS_TLS_TLS_STREAM_H_

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <utility>

namespace parley::tls {

template <class Socket>
class TlsStream {
 public:
  using executor_type = typename Socket::executor_type;
  using error_code = boost::system::error_code;

  TlsStream(Socket socket, boost::asio::ssl::context& context,
            std::chrono::milliseconds close_grace)
      : state_(std::make_shared<State>(std::move(socket), context, close_grace)) {}

  executor_type get_executor() { return state_->stream.get_executor(); }
  Socket& socket() { return state_->stream.next_layer(); }
  SSL* native_handle() { return state_->stream.native_handle(); }

  template <class Handler>
  void async_handshake(Handler&& handler) {
    state_->pending++;
    state_->stream.async_handshake(
        boost::asio::ssl::stream_base::server,
        [state = state_, h = std::forward<Handler>(handler)](const error_code& ec) mutable {
          state->pending--;
          state->handshaken = !ec;
          std::move(h)(ec);
        });
  }

  template <class Buffers, class Handler>
  void async_read_some(const Buffers& buffers, Handler&& handler) {
    state_->pending++;
    state_->stream.async_read_some(buffers, [state = state_, h = std::forward<Handler>(handler)](
                                                error_code ec, std::size_t n) mutable {
      state->pending--;
      if (ec == boost::asio::ssl::error::stream_truncated) ec = boost::asio::error::eof;
      std::move(h)(ec, n);
    });
  }

  template <class Buffers, class Handler>
  void async_write_some(const Buffers& buffers, Handler&& handler) {
    state_->pending++;
    state_->stream.async_write_some(buffers, [state = state_, h = std::forward<Handler>(handler)](
                                                 const error_code& ec, std::size_t n) mutable {
      state->pending--;
      std::move(h)(ec, n);
    });
  }

  void close() {
    std::shared_ptr<State> state = state_;
    if (state->closing) return;
    state->closing = true;
    if (!state->handshaken || state->pending > 0) return CloseSocket(*state);
    // With nothing unread from the peer, close_notify is sent and the socket closed without
    // waiting for the peer's answer (RFC 8446 section 6.1 allows it; nginx does the same): it
    // saves a read and a wake-up per connection. Bytes still unread mean the peer is writing:
    // then its close_notify (or close) is awaited, up to close_grace, so the socket is not closed
    // with data in its receive queue, which would reset the connection and could destroy what
    // was sent before the peer reads it.
    error_code unread_error;
    const bool peer_quiet = state->stream.next_layer().available(unread_error) == 0 &&
                            !unread_error && SSL_pending(state->stream.native_handle()) == 0;
    if (peer_quiet) SSL_set_shutdown(state->stream.native_handle(), SSL_RECEIVED_SHUTDOWN);
    state->timer.expires_after(state->close_grace);
    state->timer.async_wait([state](const error_code& ec) {
      if (!ec) CloseSocket(*state);
    });
    state->stream.async_shutdown([state](const error_code&) {
      state->timer.cancel();
      CloseSocket(*state);
    });
  }

 private:
  struct State {
    State(Socket socket, boost::asio::ssl::context& context, std::chrono::milliseconds grace)
        : stream(std::move(socket), context), timer(stream.get_executor()), close_grace(grace) {}

    boost::asio::ssl::stream<Socket> stream;
    boost::asio::steady_timer timer;
    std::chrono::milliseconds close_grace;
    int pending = 0;  // operations started and not yet completed
    bool handshaken = false;
    bool closing = false;
  };

  static void CloseSocket(State& state) {
    error_code ignored;
    state.stream.next_layer().close(ignored);
  }

  std::shared_ptr<State> state_;
};

}  // namespace parley::tls

#endif  // PARLEY_TARGETS_TLS_TLS_STREAM_H_
