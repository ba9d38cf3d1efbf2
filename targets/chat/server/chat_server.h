// ChatServer: chat-server's listening side. It binds one port for TCP and UDP, owns the room,
// accepts TCP connections (plain, or TLS when given a TLS context) and runs the UDP endpoint
// (always plain), all on the caller's io_context, which one thread runs.
#ifndef PARLEY_TARGETS_CHAT_SERVER_CHAT_SERVER_H_
#define PARLEY_TARGETS_CHAT_SERVER_CHAT_SERVER_H_

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <string>

#include "targets/chat/room.h"
#include "targets/chat/server/connection_context.h"
#include "targets/chat/server/log.h"
#include "targets/chat/server/options.h"
#include "targets/chat/server/udp_endpoint.h"

namespace parley::chat {

class ChatServer {
 public:
  // Resolves options.host and binds TCP and UDP on the same port (with port 0, a free port
  // both can use). Throws std::system_error when it cannot (address in use, unknown host).
  // With `tls`, every TCP client speaks TLS (see TlsConnection); UDP stays plain.
  // REQUIRES: `io` (and `tls`, if given) outlive this object, and `io` stops running its handlers
  // before it is destroyed.
  ChatServer(boost::asio::io_context& io, const ServerOptions& options,
             boost::asio::ssl::context* tls = nullptr);
  ~ChatServer();
  ChatServer(const ChatServer&) = delete;
  ChatServer& operator=(const ChatServer&) = delete;

  // Starts accepting and receiving.
  void Start();

  // Stops accepting, tells every member "* server shutting down" and closes them. Connections
  // finish within the close grace period (0.5 s); then the io_context runs out of work. (A TLS
  // client still in its handshake, which that period bounds too, closes when the handshake ends:
  // within twice the period.)
  // Idempotent.
  void Shutdown();

  // The bound address and port, TCP and UDP alike.
  boost::asio::ip::tcp::endpoint local_endpoint() const { return acceptor_.local_endpoint(); }

  const Room& room() const { return room_; }

 private:
  void Bind(const boost::asio::ip::address& address, unsigned short port);
  void Accept();
  void OnAccept(const boost::system::error_code& error, boost::asio::ip::tcp::socket socket);
  void StartConnection(boost::asio::ip::tcp::socket socket);

  boost::asio::io_context& io_;
  boost::asio::ssl::context* tls_;
  Log log_;
  UdpSettings udp_settings_;
  Room room_;
  ConnectionContext connection_context_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::unique_ptr<UdpEndpoint> udp_;
  boost::asio::steady_timer accept_retry_;
  bool stopped_ = false;
};

// "127.0.0.1:8888", or "[::1]:8888" for IPv6.
std::string FormatEndpoint(const boost::asio::ip::tcp::endpoint& endpoint);

}  // namespace parley::chat

#endif  // PARLEY_TARGETS_CHAT_SERVER_CHAT_SERVER_H_
