#include "targets/http/server/connection_manager.h"

#include <gtest/gtest.h>

#include <functional>

namespace parley::http {
namespace {

using namespace std::chrono_literals;
using Clock = ManagedConnection::Clock;

// Records what the manager asks of it.
class FakeConnection final : public ManagedConnection {
 public:
  FakeConnection(ConnectionManager* manager, Clock::time_point deadline)
      : ManagedConnection(manager), deadline_(deadline) {}

  Clock::time_point deadline() const override { return deadline_; }
  void OnDeadline(Clock::time_point) override {
    ++expired;
    deadline_ = Clock::time_point::max();
  }
  void Drain() override { ++drained; }
  void Abort() override { ++aborted; }

  int expired = 0, drained = 0, aborted = 0;

 private:
  Clock::time_point deadline_;
};

bool RunUntil(boost::asio::io_context& io, const std::function<bool()>& done) {
  const auto deadline = Clock::now() + 10s;
  while (!done()) {
    if (Clock::now() >= deadline) return false;
    if (io.stopped()) io.restart();
    io.run_one_for(10ms);
  }
  return true;
}

TEST(HttpServerConnectionManager, SweepsExpiredDeadlinesOnly) {
  boost::asio::io_context io;
  ConnectionManager manager(io.get_executor(), 5ms);
  FakeConnection soon(&manager, Clock::now() + 20ms);
  FakeConnection later(&manager, Clock::now() + 1h);
  EXPECT_EQ(manager.size(), 2u);
  ASSERT_TRUE(RunUntil(io, [&] { return soon.expired == 1; }));
  EXPECT_EQ(later.expired, 0);
}

TEST(HttpServerConnectionManager, DrainsAbortsAndCountsClosures) {
  boost::asio::io_context io;
  int closed = 0;
  ConnectionManager manager(io.get_executor(), 5ms, [&] { ++closed; });
  {
    FakeConnection a(&manager, Clock::time_point::max());
    FakeConnection b(&manager, Clock::time_point::max());
    manager.DrainAll();
    manager.AbortAll();
    EXPECT_EQ(a.drained + b.drained, 2);
    EXPECT_EQ(a.aborted + b.aborted, 2);
  }
  EXPECT_EQ(closed, 2);
  EXPECT_EQ(manager.size(), 0u);
  // With no connections left the sweep timer is cancelled, so the loop runs out of work.
  io.run_for(1s);
  EXPECT_TRUE(io.stopped());
}

TEST(HttpServerConnectionManager, TickFollowsTheShortestTimeout) {
  ServerConfig config;
  EXPECT_EQ(ConnectionManager::TickFor(config), 125ms);  // linger 1s / 8
  config.linger = 0ms;
  EXPECT_EQ(ConnectionManager::TickFor(config), 250ms);  // capped
  config.idle_timeout = 80ms;
  EXPECT_EQ(ConnectionManager::TickFor(config), 10ms);
  config.header_timeout = 1ms;
  EXPECT_EQ(ConnectionManager::TickFor(config), 5ms);  // floor
}

}  // namespace
}  // namespace parley::http
