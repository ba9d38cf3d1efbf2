#include "targets/http/server/uring_worker.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <utility>

#include "targets/http/server/uring_connection.h"

namespace parley::http {

namespace {

// As Worker: spare workspaces kept per loop, enough for bursts of concurrently busy connections.
constexpr std::size_t kSpareWorkspaces = 64;
// Submission queue entries: a pass queues at most a few operations per connection with work.
constexpr unsigned kRingEntries = 4096;

std::string PeerOf(int fd) {
  sockaddr_storage address{};
  socklen_t size = sizeof address;
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&address), &size) != 0) return "an unknown peer";
  char text[INET6_ADDRSTRLEN] = {};
  if (address.ss_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(&address);
    inet_ntop(AF_INET, &v4->sin_addr, text, sizeof text);
    return std::string(text) + ":" + std::to_string(ntohs(v4->sin_port));
  }
  const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&address);
  inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof text);
  return std::string(text) + ":" + std::to_string(ntohs(v6->sin6_port));
}

}  // namespace

std::unique_ptr<UringWorker> UringWorker::Create(const ServerConfig& config,
                                                 const RequestHandler& handler,
                                                 std::function<void()> on_connection_closed,
                                                 std::string* error) {
  std::unique_ptr<UringLoop> loop = UringLoop::Create(kRingEntries, error);
  if (!loop) return nullptr;
  return std::unique_ptr<UringWorker>(
      new UringWorker(config, handler, std::move(on_connection_closed), std::move(loop)));
}

UringWorker::UringWorker(const ServerConfig& config, const RequestHandler& handler,
                         std::function<void()> on_connection_closed,
                         std::unique_ptr<UringLoop> loop)
    : config_(config),
      pool_(config.limits, kSpareWorkspaces),
      session_context_{config, handler, pool_, dates_},
      loop_(std::move(loop)),
      connections_(ConnectionManager::TickFor(config), std::move(on_connection_closed)) {}

UringWorker::~UringWorker() = default;

void UringWorker::Adopt(int fd, std::uint64_t id) {
  loop_->Post([this, fd, id] {
    if (config_.verbose) {
      std::fprintf(stderr, "http-server: connection %llu from %s\n",
                   static_cast<unsigned long long>(id), PeerOf(fd).c_str());
    }
    UringConnection::Start(fd, *loop_, session_context_, &connections_, id, draining_);
  });
}

void UringWorker::DrainAll() {
  loop_->Post([this] {
    draining_ = true;
    connections_.DrainAll();
  });
}

void UringWorker::AbortAll() {
  loop_->Post([this] { connections_.AbortAll(); });
}

void UringWorker::Run() {
  loop_->Run(
      connections_.tick(),
      [this](ManagedConnection::Clock::time_point now) { connections_.Sweep(now); },
      // Closed connections leave the list at once, but their cancelled operations complete
      // later: the loop lasts until the kernel has let go of every buffer.
      [this] { return !draining_ || connections_.size() > 0 || loop_->in_flight() > 0; });
}

}  // namespace parley::http
