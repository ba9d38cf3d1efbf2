#include "targets/chat/server/chat_server.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <chrono>
#include <system_error>

#include "targets/chat/server/tcp_connection.h"
#include "targets/chat/server/tls_connection.h"

namespace parley::chat {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using asio::ip::udp;
using boost::system::error_code;

// With --port 0 the kernel picks a TCP port; the UDP socket may find it taken and retry.
constexpr int kBindAttempts = 32;
// After a failed accept (out of file descriptors), wait before the next one.
constexpr std::chrono::milliseconds kAcceptRetry{100};
// How long a closing connection may take to flush and see the client's EOF. Bounds shutdown.
constexpr std::chrono::milliseconds kCloseGrace{500};
// Connections accepted by one accept handler, at most.
constexpr int kAcceptBatch = 64;

asio::ip::address Resolve(asio::io_context& io, const std::string& host) {
  error_code error;
  asio::ip::address address = asio::ip::make_address(host, error);
  if (!error) return address;
  tcp::resolver resolver(io);
  const tcp::resolver::results_type results = resolver.resolve(host, "", error);
  if (error) throw std::system_error(error, "cannot resolve host '" + host + "'");
  return results.begin()->endpoint().address();
}

[[noreturn]] void ThrowBindError(const error_code& error, const asio::ip::address& address,
                                 unsigned short port) {
  throw std::system_error(error, "cannot listen on " + FormatEndpoint({address, port}));
}

}  // namespace

ChatServer::ChatServer(asio::io_context& io, const ServerOptions& options, asio::ssl::context* tls)
    : io_(io),
      tls_(tls),
      log_(options.verbose),
      udp_settings_{options.max_queue, options.udp_timeout},
      room_(options.max_clients),
      connection_context_{room_, log_, {options.max_queue, options.idle_timeout, kCloseGrace}},
      acceptor_(io),
      accept_retry_(io) {
  if (log_.verbose()) room_.set_log([this](std::string_view event) { log_.Event(event); });
  Bind(Resolve(io, options.host), options.port);
}

ChatServer::~ChatServer() {
  error_code ignored;
  acceptor_.close(ignored);
}

void ChatServer::Bind(const asio::ip::address& address, unsigned short port) {
  error_code error;
  for (int attempt = 0; attempt < kBindAttempts; ++attempt) {
    tcp::acceptor acceptor(io_);
    const tcp::endpoint endpoint(address, port);
    acceptor.open(endpoint.protocol(), error);
    if (!error) acceptor.set_option(tcp::acceptor::reuse_address(true), error);
    if (!error) acceptor.bind(endpoint, error);
    if (!error) acceptor.listen(asio::socket_base::max_listen_connections, error);
    if (error) ThrowBindError(error, address, port);
    const unsigned short bound = acceptor.local_endpoint().port();

    udp::socket socket(io_);
    socket.open(address.is_v4() ? udp::v4() : udp::v6(), error);
    if (!error) socket.bind(udp::endpoint(address, bound), error);
    if (!error) {
      acceptor_ = std::move(acceptor);
      udp_ = std::make_unique<UdpEndpoint>(std::move(socket), room_, udp_settings_, log_);
      return;
    }
    if (port != 0 || error != asio::error::address_in_use) ThrowBindError(error, address, bound);
  }
  ThrowBindError(error, address, port);
}

void ChatServer::Start() {
  error_code ignored;
  acceptor_.non_blocking(true, ignored);
  Accept();
  udp_->Start();
}

void ChatServer::Shutdown() {
  if (stopped_) return;
  stopped_ = true;
  log_.Event("shutting down");
  connection_context_.shutting_down = true;
  error_code ignored;
  acceptor_.close(ignored);
  accept_retry_.cancel();
  room_.Shutdown();
  udp_->Shutdown();
}

void ChatServer::Accept() {
  acceptor_.async_accept(
      [this](const error_code& error, tcp::socket socket) { OnAccept(error, std::move(socket)); });
}

void ChatServer::OnAccept(const error_code& error, tcp::socket socket) {
  if (stopped_ || error == asio::error::operation_aborted) return;
  if (error == asio::error::connection_aborted) {
    Accept();
    return;
  }
  if (error) {
    // Out of descriptors or memory: back off rather than spin; the backlog keeps the rest.
    log_.Event("accept: " + error.message());
    accept_retry_.expires_after(kAcceptRetry);
    accept_retry_.async_wait([this](const error_code& timer_error) {
      if (!timer_error && !stopped_) Accept();
    });
    return;
  }
  StartConnection(std::move(socket));
  // Take whatever else is waiting in the backlog now: the joins then share one write per member
  // instead of costing one each, which is what keeps a crowd arriving at once affordable.
  for (int i = 1; i < kAcceptBatch && !stopped_; ++i) {
    tcp::socket next(io_);
    error_code next_error;
    acceptor_.accept(next, next_error);
    if (next_error) break;  // would_block; real errors come back through async_accept
    StartConnection(std::move(next));
  }
  if (!stopped_) Accept();
}

void ChatServer::StartConnection(tcp::socket socket) {
  if (tls_ != nullptr) {
    std::make_shared<TlsConnection>(std::move(socket), *tls_, connection_context_)->Start();
    return;
  }
  std::make_shared<TcpConnection>(std::move(socket), connection_context_)->Start();
}

std::string FormatEndpoint(const tcp::endpoint& endpoint) {
  const std::string address = endpoint.address().to_string();
  const std::string port = std::to_string(endpoint.port());
  return endpoint.address().is_v6() ? "[" + address + "]:" + port : address + ":" + port;
}

}  // namespace parley::chat
