// TlsConnection: one TLS connection to chat-server (--tls-cert/--tls-key), a room member while
// it lasts. The same member as TcpConnection, spoken through Asio's ssl::stream:
//
// - The handshake comes first and must finish within the close grace period (0.5 s); a client
//   that does not finish it in time, or fails it (a plain TCP client, a client that rejects the
//   certificate), is closed without joining, and logged with --verbose. Joining, and
//   "! error server-full", happen once the handshake is done.
// - Reads go through a LineFramer into the room, one batch per read. Each connection reads into
//   its own buffer: the TLS engine may decrypt into it before the read's handler runs, so the
//   plain connections' shared buffer cannot be used.
// - What the room delivers waits in a queue bounded by --max-queue bytes not yet written to the
//   socket (encrypted); a line that would pass the bound is refused and the room drops the
//   member as too slow. Lines delivered by one handler go out together: short ones packed into
//   one TLS record, a long one written from the shared line itself.
// - --idle-timeout applies as for plain TCP.
// - A client that closes TCP without close_notify reads as the end of its input, like a TCP
//   half-close: its unended last line counts and what is queued for it is still written.
//
// Closing is gentle when there is something to say (quit, shutdown, server full, end of input,
// idle timeout): write the queue, send close_notify, wait for the client's close_notify (data
// it sends meanwhile is discarded) or its EOF, then close the socket; all of it within the
// close grace period from the start of the close. Errors and "too slow" close the socket at
// once, without close_notify.
//
// It owns its stream and keeps itself alive (shared_ptr) through its pending operations. One
// thread.
#ifndef PARLEY_TARGETS_CHAT_SERVER_TLS_CONNECTION_H_
#define PARLEY_TARGETS_CHAT_SERVER_TLS_CONNECTION_H_

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "targets/chat/line_framer.h"
#include "targets/chat/outlet.h"
#include "targets/chat/room.h"
#include "targets/chat/server/connection_context.h"
#include "targets/chat/server/log.h"

namespace parley::chat {

class TlsConnection final : public Outlet, public std::enable_shared_from_this<TlsConnection> {
 public:
  // REQUIRES: `tls` (a server context) and `context` outlive every handler of this connection.
  TlsConnection(boost::asio::ip::tcp::socket socket, boost::asio::ssl::context& tls,
                ConnectionContext& context);

  // Starts the handshake; the member joins the room once it is done.
  void Start();

  bool Deliver(const SharedLine& line) override;
  void Close(CloseMode mode) override;

 private:
  enum class State : std::uint8_t {
    kHandshaking,  // TLS handshake under way, bounded by the close grace period
    kMember,       // reading lines, writing what the room sends
    kFlushing,     // out of the room: writing the rest of the queue
    kClosing,      // queue written: close_notify sent or about to be, waiting for the client's
    kClosed,
  };

  void OnHandshake(const boost::system::error_code& error);
  void Join();
  void Read();
  void OnRead(const boost::system::error_code& error, std::size_t size);
  void OnEndOfInput();
  void Write();
  void OnWritten(const boost::system::error_code& error, std::size_t entries);
  void Fail(const boost::system::error_code& error);
  void BeginFlush();
  void FinishFlush();
  void SendCloseNotify();
  void LeaveRoom(std::string_view reason);
  void Abort();
  void ArmTimer(std::chrono::milliseconds after);
  void OnTimer(const boost::system::error_code& error);

  boost::asio::ssl::stream<boost::asio::ip::tcp::socket> stream_;
  Room& room_;
  const ConnectionSettings& settings_;
  const ConnectionContext& context_;
  const Log& log_;
  boost::asio::steady_timer timer_;  // handshake, idle timeout while a member, close grace after
  std::optional<MemberId> id_;
  State state_ = State::kHandshaking;
  LineFramer framer_;
  std::vector<char> read_buffer_;
  std::deque<SharedLine> queue_;
  std::size_t queued_bytes_ = 0;  // bytes in queue_ not yet written, the write in flight included
  std::string staging_;           // short lines packed for the write in flight
  bool reading_ = false;
  bool writing_ = false;
  bool write_posted_ = false;
  bool input_ended_ = false;
  std::chrono::steady_clock::time_point last_heard_;
  std::string peer_;  // "address:port", for logs
};

}  // namespace parley::chat

#endif  // PARLEY_TARGETS_CHAT_SERVER_TLS_CONNECTION_H_
