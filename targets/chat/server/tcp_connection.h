// TcpConnection: one TCP connection to chat-server, a room member while it lasts.
//
// It owns its socket and keeps itself alive (shared_ptr) through its pending operations. Reads
// (into the server's shared read buffer) go through a LineFramer into the room. What the room
// delivers waits in a bounded queue of shared lines and goes out in one gather-write per batch,
// once the handler that delivered it is done. A line that would take the queue past
// --max-queue bytes (bytes not yet accepted by the kernel) is refused, and the room drops the
// member as too slow.
//
// Closing is gentle when there is something to say (quit, shutdown, server full, EOF): flush
// the queue, shut down sending, read until the client closes too, all within the close grace
// period; then the socket is closed. Errors and "too slow" close at once.
#ifndef PARLEY_TARGETS_CHAT_SERVER_TCP_CONNECTION_H_
#define PARLEY_TARGETS_CHAT_SERVER_TCP_CONNECTION_H_

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstddef>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "targets/chat/line_framer.h"
#include "targets/chat/outlet.h"
#include "targets/chat/room.h"
#include "targets/chat/server/connection_context.h"
#include "targets/chat/server/log.h"

namespace parley::chat {

class TcpConnection final : public Outlet, public std::enable_shared_from_this<TcpConnection> {
 public:
  // REQUIRES: `context` outlives every handler of this connection.
  TcpConnection(boost::asio::ip::tcp::socket socket, ConnectionContext& context);

  // Joins the room and starts reading; when the room is full, sends "! error server-full" and
  // closes instead.
  void Start();

  bool Deliver(const SharedLine& line) override;
  void Close(CloseMode mode) override;

 private:
  enum class State : std::uint8_t {
    kMember,    // reading lines, writing what the room sends
    kFlushing,  // out of the room: writing the rest of the queue, then shutdown(send)
    kDraining,  // queue written and sending shut down: reading until the client's EOF
    kClosed,
  };

  void Read();
  void OnReadable(const boost::system::error_code& error);
  void OnEndOfInput();
  void Write();
  void Consume(std::size_t size);
  void Fail(const boost::system::error_code& error);
  void BeginFlush();
  void FinishFlush();
  void LeaveRoom(std::string_view reason);
  void Abort();
  void ArmTimer(std::chrono::milliseconds after);
  void OnTimer(const boost::system::error_code& error);

  boost::asio::ip::tcp::socket socket_;
  ConnectionContext& context_;
  Room& room_;
  const ConnectionSettings& settings_;
  const Log& log_;
  boost::asio::steady_timer timer_;  // idle timeout while a member, close grace after
  std::optional<MemberId> id_;
  State state_ = State::kMember;
  LineFramer framer_;
  std::deque<SharedLine> queue_;
  std::size_t queued_bytes_ = 0;   // bytes in queue_ not yet written
  std::size_t front_written_ = 0;  // bytes of queue_.front() already written
  bool reading_ = false;
  bool waiting_writable_ = false;
  bool write_posted_ = false;
  bool input_ended_ = false;
  std::chrono::steady_clock::time_point last_heard_;
  std::string peer_;  // "address:port", for logs
};

}  // namespace parley::chat

#endif  // PARLEY_TARGETS_CHAT_SERVER_TCP_CONNECTION_H_
