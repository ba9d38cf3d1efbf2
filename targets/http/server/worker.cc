#include "targets/http/server/worker.h"

#include <cstdio>
#include <memory>

namespace parley::http {

namespace {

// Spare workspaces kept per loop: enough for bursts of concurrently busy connections.
constexpr std::size_t kSpareWorkspaces = 64;

// Every loop runs on a thread of its own. A lone loop also performs every operation on its I/O
// objects on that thread, so its reactor can skip the lock it takes per I/O operation (a lock
// and an unlock for each read started and each read completed); posting to the loop from other
// threads stays safe. With more loops, the acceptor on the first one registers each accepted
// socket with another loop's reactor from its own thread, which that hint does not allow.
int ConcurrencyHint(const ServerConfig& config) {
  return config.threads <= 1 ? BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO : 1;
}

}  // namespace

Worker::Worker(const ServerConfig& config, const RequestHandler& handler,
               boost::asio::ssl::context* tls, std::function<void()> on_connection_closed)
    : config_(config),
      tls_(tls),
      pool_(config.limits, kSpareWorkspaces),
      session_context_{config, handler, pool_, dates_},
      context_(ConcurrencyHint(config)),
      connections_(context_.get_executor(), ConnectionManager::TickFor(config),
                   std::move(on_connection_closed)) {}

void Worker::Adopt(Socket socket, std::uint64_t id) {
  if (config_.verbose) {
    boost::system::error_code ec;
    const auto peer = socket.remote_endpoint(ec);
    std::fprintf(stderr, "http-server: connection %llu from %s\n",
                 static_cast<unsigned long long>(id),
                 ec ? "an unknown peer"
                    : (peer.address().to_string() + ":" + std::to_string(peer.port())).c_str());
  }
  if (tls_ != nullptr) {
    auto connection = std::make_shared<Connection<TlsSocket>>(
        TlsSocket(std::move(socket), *tls_, config_.linger), session_context_, &connections_, id);
    connection->Start();
    if (draining_) connection->Drain();
    return;
  }
  auto connection =
      std::make_shared<Connection<Socket>>(std::move(socket), session_context_, &connections_, id);
  connection->Start();
  if (draining_) connection->Drain();
}

void Worker::DrainAll() {
  draining_ = true;
  connections_.DrainAll();
}

void Worker::AbortAll() {
  connections_.AbortAll();
}

}  // namespace parley::http
