// IdleClients against a real http-server (in process, on its own thread).
#include "harness/bench/idle_clients.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <memory>
#include <thread>

#include "targets/http/server/server.h"

namespace parley::bench {
namespace {

using namespace std::chrono_literals;

constexpr auto kWait = 20s;  // only ever reached when something is wrong

class BenchIdleClients : public ::testing::Test {
 protected:
  void SetUp() override {
    http::ServerConfig config;
    config.host = "127.0.0.1";
    config.port = 0;
    config.idle_timeout = 60s;
    server_ = std::make_unique<http::Server>(config);
    ASSERT_FALSE(server_->Listen());
    done_ = std::async(std::launch::async, [this] { server_->Run(); });
  }
  void TearDown() override {
    server_->Shutdown();
    ASSERT_EQ(done_.wait_for(kWait), std::future_status::ready);
  }

  IdleOptions Options(int count) const {
    IdleOptions options;
    options.server = server_->local_endpoint();
    options.count = count;
    options.parallel = 50;
    options.timeout = kWait;
    return options;
  }

  // Waits until the server has `count` open connections; false after kWait.
  bool WaitForOpenConnections(std::size_t count) const {
    const auto deadline = std::chrono::steady_clock::now() + kWait;
    while (server_->open_connections() != count) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::yield();
    }
    return true;
  }

  std::unique_ptr<http::Server> server_;
  std::future<void> done_;
};

TEST_F(BenchIdleClients, OpensIdleKeepAliveConnectionsAndClosesThem) {
  boost::asio::io_context io;
  IdleClients clients(io, Options(300));
  EXPECT_EQ(clients.Open(), "");
  EXPECT_EQ(clients.idle(), 300);
  EXPECT_TRUE(WaitForOpenConnections(300));
  clients.Close();
  EXPECT_TRUE(WaitForOpenConnections(0));
}

TEST_F(BenchIdleClients, AResponseThatClosesIsAnError) {
  boost::asio::io_context io;
  IdleOptions options = Options(5);
  options.request = "GET / HTTP/1.0\r\n\r\n";
  IdleClients clients(io, options);
  EXPECT_EQ(clients.Open(), "the response was not a 2xx keep-alive response");
}

TEST_F(BenchIdleClients, AnErrorStatusIsAnError) {
  boost::asio::io_context io;
  IdleOptions options = Options(5);
  options.request = "GET /missing HTTP/1.1\r\nHost: x\r\n\r\n";
  IdleClients clients(io, options);
  EXPECT_EQ(clients.Open(), "the response was not a 2xx keep-alive response");
}

}  // namespace
}  // namespace parley::bench
