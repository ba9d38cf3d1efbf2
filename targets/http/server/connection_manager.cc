#include "targets/http/server/connection_manager.h"

#include <algorithm>

namespace parley::http {

ManagedConnection::ManagedConnection(ConnectionManager* manager) : manager_(manager) {
  if (manager_ != nullptr) manager_->Add(*this);
}

ManagedConnection::~ManagedConnection() {
  if (manager_ != nullptr) manager_->Remove(*this);
}

ConnectionManager::ConnectionManager(Executor executor, Duration tick,
                                     std::function<void()> on_closed)
    : timer_(std::in_place, executor), tick_(tick), on_closed_(std::move(on_closed)) {}

ConnectionManager::ConnectionManager(Duration tick, std::function<void()> on_closed)
    : tick_(tick), on_closed_(std::move(on_closed)) {}

// Connections still linked belong to handlers the io_context has yet to destroy; unlink them so
// their destructors do not touch a dead manager.
ConnectionManager::~ConnectionManager() {
  for (ManagedConnection& connection : connections_)
    connection.manager_ = nullptr;
  connections_.clear();
}

Duration ConnectionManager::TickFor(const ServerConfig& config) {
  Duration shortest = std::min(
      {config.header_timeout, config.idle_timeout, config.body_timeout, config.send_timeout});
  if (config.linger.count() > 0) shortest = std::min(shortest, config.linger);
  return std::clamp(shortest / 8, Duration(5), Duration(250));
}

void ConnectionManager::Add(ManagedConnection& connection) {
  connections_.push_back(connection);
  if (timer_ && !armed_) Arm();
}

void ConnectionManager::Remove(ManagedConnection& connection) {
  connections_.erase(connections_.iterator_to(connection));
  if (connections_.empty() && armed_) {
    armed_ = false;
    timer_->cancel();
  }
  if (on_closed_) on_closed_();
}

void ConnectionManager::Arm() {
  armed_ = true;
  timer_->expires_after(tick_);
  timer_->async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;  // cancelled: the last connection left, or the manager is going away
    armed_ = false;
    Sweep(ManagedConnection::Clock::now());
    // The timer runs only while there are connections, so an idle loop can finish.
    if (!connections_.empty()) Arm();
  });
}

void ConnectionManager::Sweep(ManagedConnection::Clock::time_point now) {
  ForEach([now](ManagedConnection& c) {
    if (c.deadline() <= now) c.OnDeadline(now);
  });
}

// Callbacks never destroy a connection synchronously (its pending handlers own it), but the next
// element is taken first anyway so the walk does not depend on that.
template <class F>
void ConnectionManager::ForEach(F f) {
  for (auto it = connections_.begin(); it != connections_.end();) {
    ManagedConnection& connection = *it++;
    f(connection);
  }
}

void ConnectionManager::DrainAll() {
  ForEach([](ManagedConnection& c) { c.Drain(); });
}

void ConnectionManager::AbortAll() {
  ForEach([](ManagedConnection& c) { c.Abort(); });
}

}  // namespace parley::http
