// TlsStream: the server side of one TLS connection over a socket (Asio's ssl::stream), in the
// shape of an AsyncReadStream + AsyncWriteStream with close(), so code written for any stream
// (http::Connection's generic path) serves TLS unchanged:
//
//   TlsStream<Socket> stream(std::move(socket), tls.context(), std::chrono::seconds(1));
//   stream.async_handshake([](const error_code& ec) { ... });
//   stream.async_read_some(buffers, handler);   // a truncation (no close_notify) reads as EOF
//   boost::asio::async_write(stream, buffers, handler);
//   stream.close();                             // close_notify, then the socket closes
//   stream.WriteAndClose(last_bytes, grace);    // or: the last bytes and close_notify at once
//
// A peer that closes the TCP connection without close_notify reads as an ordinary EOF: what it
// sent was authenticated up to there, and the protocols served frame their own messages. close()
// sends close_notify and closes the socket: at once when nothing from the peer is unread, else
// once the peer answers with its own (or closes), or after `close_grace`; with an operation still
// pending it closes the socket at once. The TLS state outlives the TlsStream until that close is
// done. One strand (the socket's executor).
//
// Fewer packets per connection, same bytes: TLS 1.3 session tickets are not sent on their own
// right after the handshake (OpenSSL's default) but go out in the same write as the first bytes
// the server sends; as many as OpenSSL would send (the context's SSL_CTX_get_num_tickets() after
// a full handshake, one after a resumption). A connection that never writes gets none.
// WriteAndClose() puts a connection's last bytes and close_notify into one write.
#ifndef PARLEY_TARGETS_TLS_TLS_STREAM_H_
#define PARLEY_TARGETS_TLS_TLS_STREAM_H_

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <string_view>
#include <utility>

namespace parley::tls {

template <class Socket>
class TlsStream {
 public:
  using executor_type = typename Socket::executor_type;
  using error_code = boost::system::error_code;

  TlsStream(Socket socket, boost::asio::ssl::context& context,
            std::chrono::milliseconds close_grace)
      : state_(std::make_shared<State>(std::move(socket), context, close_grace)) {
    // Tickets wait for the first write (see above); SSL_new_session_ticket() sends them then.
    SSL_set_num_tickets(native_handle(), 0);
  }

  // WriteAndClose() takes at most this many bytes: with the tickets and close_notify they fit
  // the one buffer (17 KiB) that Asio's SSL stream flushes per write.
  static constexpr std::size_t kMaxFinalWrite = 8192;

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
          if (!ec) state->tickets_owed = TicketsOwed(state->stream);
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
    IssueTickets(*state_);
    state_->pending++;
    state_->stream.async_write_some(buffers, [state = state_, h = std::forward<Handler>(handler)](
                                                 const error_code& ec, std::size_t n) mutable {
      state->pending--;
      std::move(h)(ec, n);
    });
  }

  // Sends `data` (the connection's last bytes) and close_notify in one write, then closes the
  // socket without waiting for the peer's close_notify, within `send_grace`. Only when the peer
  // then reads what async_write and close() would give it: no operation is pending, the peer has
  // sent nothing that is still unread, and `data` is at most kMaxFinalWrite bytes. Otherwise
  // returns false and does nothing (then async_write, and close(), as usual). After true the
  // stream is closing: the bytes go out, or the socket closes on a failure, as after an
  // async_write and close().
  bool WriteAndClose(std::string_view data, std::chrono::milliseconds send_grace) {
    State& state = *state_;
    if (state.closing || !state.handshaken || state.pending > 0 || data.size() > kMaxFinalWrite ||
        !PeerQuiet(state)) {
      return false;
    }
    state.closing = true;
    IssueTickets(state);
    // The records go into Asio's memory BIO, not to the socket: the shutdown's write, which
    // follows the close_notify it adds to the same BIO, takes them all. An error here (a broken
    // session) makes that shutdown fail, and the socket closes.
    ERR_clear_error();
    SSL_write(native_handle(), data.data(), static_cast<int>(data.size()));
    ERR_clear_error();
    SSL_set_shutdown(native_handle(), SSL_RECEIVED_SHUTDOWN);
    Shutdown(state_, send_grace);
    return true;
  }

  void close() {
    State& state = *state_;
    if (state.closing) return;
    state.closing = true;
    if (!state.handshaken || state.pending > 0) return CloseSocket(state);
    // With nothing unread from the peer, close_notify is sent and the socket closed without
    // waiting for the peer's answer (RFC 8446 section 6.1 allows it; nginx does the same): it
    // saves a read and a wake-up per connection. Bytes still unread mean the peer is writing:
    // then its close_notify (or close) is awaited, up to close_grace, so the socket is not closed
    // with data in its receive queue, which would reset the connection and could destroy what
    // was sent before the peer reads it.
    if (PeerQuiet(state)) SSL_set_shutdown(native_handle(), SSL_RECEIVED_SHUTDOWN);
    Shutdown(state_, state.close_grace);
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
    int tickets_owed = 0;  // TLS 1.3 session tickets to send with the first write
  };

  static void CloseSocket(State& state) {
    error_code ignored;
    state.stream.next_layer().close(ignored);
  }

  // True when nothing the peer sent is unread: not in the socket, not in the memory BIO that
  // feeds OpenSSL, not decrypted and waiting. Then the peer's close_notify need not be awaited
  // (the shutdown is told it was received).
  static bool PeerQuiet(State& state) {
    SSL* ssl = state.stream.native_handle();
    error_code unread_error;
    return state.stream.next_layer().available(unread_error) == 0 && !unread_error &&
           SSL_pending(ssl) == 0 && BIO_ctrl_pending(SSL_get_rbio(ssl)) == 0;
  }

  // close_notify (after whatever the BIO holds), then the socket closes; `grace` bounds both.
  static void Shutdown(const std::shared_ptr<State>& state, std::chrono::milliseconds grace) {
    state->timer.expires_after(grace);
    state->timer.async_wait([state](const error_code& ec) {
      if (!ec) CloseSocket(*state);
    });
    state->stream.async_shutdown([state](const error_code&) {
      state->timer.cancel();
      CloseSocket(*state);
    });
  }

  // The tickets OpenSSL would have sent after this handshake (TLS 1.3 only; TLS 1.2 sends its
  // ticket inside the handshake).
  static int TicketsOwed(boost::asio::ssl::stream<Socket>& stream) {
    SSL* ssl = stream.native_handle();
    if (SSL_version(ssl) != TLS1_3_VERSION) return 0;
    const int configured = static_cast<int>(SSL_CTX_get_num_tickets(SSL_get_SSL_CTX(ssl)));
    return SSL_session_reused(ssl) ? std::min(configured, 1) : configured;
  }

  // Queues the owed tickets: the next SSL_write puts them ahead of its data, in the same flush.
  static void IssueTickets(State& state) {
    for (; state.tickets_owed > 0; --state.tickets_owed)
      SSL_new_session_ticket(state.stream.native_handle());
  }

  std::shared_ptr<State> state_;
};

}  // namespace parley::tls

#endif  // PARLEY_TARGETS_TLS_TLS_STREAM_H_
