// ConnectionManager: the open connections of one event loop. It enforces their deadlines with a
// single timer that sweeps them every `tick` (instead of a timer per connection, which would
// cost an idle keep-alive connection a few hundred bytes), and drains or drops them all at
// shutdown. Connections link themselves in and out (intrusive list; no allocation).
// One per event loop; not thread-safe.
#ifndef PARLEY_TARGETS_HTTP_SERVER_CONNECTION_MANAGER_H_
#define PARLEY_TARGETS_HTTP_SERVER_CONNECTION_MANAGER_H_

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/intrusive/list.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>

#include "targets/http/server/config.h"

namespace parley::http {

class ConnectionManager;

// The part of a connection the manager sees.
class ManagedConnection : public boost::intrusive::list_base_hook<> {
 public:
  using Clock = std::chrono::steady_clock;

  ManagedConnection(const ManagedConnection&) = delete;
  ManagedConnection& operator=(const ManagedConnection&) = delete;

  // When the connection's current phase times out.
  virtual Clock::time_point deadline() const = 0;
  // deadline() has passed.
  virtual void OnDeadline(Clock::time_point now) = 0;
  // Finish the request in progress, then close (SIGTERM).
  virtual void Drain() = 0;
  // Close now.
  virtual void Abort() = 0;

 protected:
  // Joins `manager` (may be null: unmanaged, no deadlines enforced).
  explicit ManagedConnection(ConnectionManager* manager);
  // Leaves the manager and tells it.
  ~ManagedConnection();

 private:
  friend class ConnectionManager;
  ConnectionManager* manager_;
};

class ConnectionManager {
 public:
  using Executor = boost::asio::io_context::executor_type;

  // `on_closed` (optional) runs after each connection leaves. REQUIRES: destroyed before the
  // io_context behind `executor`.
  ConnectionManager(Executor executor, Duration tick, std::function<void()> on_closed = {});
  // Without a timer: the owner's loop calls Sweep() at least every `tick` (UringLoop does).
  explicit ConnectionManager(Duration tick, std::function<void()> on_closed = {});
  ~ConnectionManager();

  ConnectionManager(const ConnectionManager&) = delete;
  ConnectionManager& operator=(const ConnectionManager&) = delete;

  void DrainAll();
  void AbortAll();
  // Gives every connection whose deadline has passed its OnDeadline(now).
  void Sweep(ManagedConnection::Clock::time_point now);
  std::size_t size() const { return connections_.size(); }
  Duration tick() const { return tick_; }

  // The sweep period for `config`: an eighth of its shortest timeout, within [5ms, 250ms], so
  // a timeout fires at most that late.
  static Duration TickFor(const ServerConfig& config);

 private:
  friend class ManagedConnection;

  void Add(ManagedConnection& connection);
  void Remove(ManagedConnection& connection);
  void Arm();
  template <class F>
  void ForEach(F f);

  boost::intrusive::list<ManagedConnection, boost::intrusive::constant_time_size<true>>
      connections_;
  using Timer = boost::asio::basic_waitable_timer<
      std::chrono::steady_clock, boost::asio::wait_traits<std::chrono::steady_clock>, Executor>;
  std::optional<Timer> timer_;  // none when the owner's loop sweeps
  Duration tick_;
  bool armed_ = false;
  std::function<void()> on_closed_;
};

}  // namespace parley::http

#endif  // PARLEY_TARGETS_HTTP_SERVER_CONNECTION_MANAGER_H_
