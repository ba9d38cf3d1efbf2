#include "harness/play/readiness.h"

#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>

#include "harness/play/target_test_util.h"
#include "harness/scenario/loader.h"

namespace parley::harness {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using test::RunCoroutine;

asio::awaitable<void> Stop(std::shared_ptr<ChildProcess> p) {
  bool killed = false;
  if (p) co_await p->Stop(Duration(2000), &killed);
}

class Readiness : public test::TargetFolder {
 protected:
  // Starts server.py on a free port of 127.0.0.1, listening after `delay` seconds.
  std::shared_ptr<ChildProcess> StartServer(asio::any_io_executor ex, const std::string& delay,
                                            std::string* port) {
    std::string error;
    auto picked = PickFreePort("127.0.0.1", &error);
    EXPECT_TRUE(picked) << error;
    *port = std::to_string(picked.value_or(1));
    auto p =
        ChildProcess::Start(ex, {"python3", Path("server.py"), "127.0.0.1", *port, delay}, &error);
    EXPECT_TRUE(p) << error;
    return p;
  }

  Scenario Load(const std::string& yaml) {
    LoadResult loaded = LoadScenarios(yaml, "ready.yaml");
    EXPECT_TRUE(loaded.ok()) << loaded.error->ToString();
    return loaded.scenarios.at(0);
  }
};

TEST_F(Readiness, PicksAPortThatIsFree) {
  std::string error;
  auto port = PickFreePort("127.0.0.1", &error);
  ASSERT_TRUE(port) << error;
  EXPECT_GT(*port, 0);
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor(io);
  boost::system::error_code ec;
  acceptor.open(asio::ip::tcp::v4(), ec);
  acceptor.bind({asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(*port)}, ec);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_FALSE(PickFreePort("no-such-host.invalid", &error));
  EXPECT_EQ(error.rfind("cannot resolve no-such-host.invalid: ", 0), 0u) << error;
}

TEST_F(Readiness, ConnectWaitsUntilTheServerListens) {
  RunCoroutine([&](asio::any_io_executor ex) -> asio::awaitable<void> {
    std::string port;
    auto p = StartServer(ex, "0.3", &port);
    if (!p) co_return;
    auto start = Clock::now();
    std::string error;
    EXPECT_TRUE(co_await WaitForConnect(ex, p, "127.0.0.1", port, Duration(10000), &error))
        << error;
    EXPECT_GE(Clock::now() - start, std::chrono::milliseconds(250));
    EXPECT_EQ(test::FirstLine(port).substr(0, 10), "hello cwd=");
    co_await Stop(p);
  });
}

TEST_F(Readiness, ConnectGivesUpWhenTheProcessExits) {
  RunCoroutine([&](asio::any_io_executor ex) -> asio::awaitable<void> {
    std::string error;
    auto p = ChildProcess::Start(ex, {"/bin/sh", "-c", "exit 5"}, &error);
    EXPECT_TRUE(p);
    if (!p) co_return;
    EXPECT_FALSE(co_await WaitForConnect(ex, p, "127.0.0.1", "1", Duration(10000), &error));
    EXPECT_EQ(error, "it exited (exit code 5) before accepting a connection on 127.0.0.1:1");
  });
}

TEST_F(Readiness, ConnectHasATimeout) {
  RunCoroutine([&](asio::any_io_executor ex) -> asio::awaitable<void> {
    std::string error;
    auto port = PickFreePort("127.0.0.1", &error);
    auto p = ChildProcess::Start(ex, {"/bin/sh", "-c", "exec sleep 30"}, &error);
    EXPECT_TRUE(p && port);
    if (!p || !port) co_return;
    auto start = Clock::now();
    EXPECT_FALSE(
        co_await WaitForConnect(ex, p, "127.0.0.1", std::to_string(*port), Duration(300), &error));
    EXPECT_LT(Clock::now() - start, std::chrono::seconds(5));
    EXPECT_EQ(error, "it accepted no TCP connection on 127.0.0.1:" + std::to_string(*port) +
                         " within 300ms (the last try: Connection refused)");
    co_await Stop(p);
  });
}

TEST_F(Readiness, AScenarioIsPlayedUntilItPasses) {
  Scenario scenario = Load(R"(name: greets
target: t
steps:
  - connect: c
  - expect: {on: c, line: {regex: '^hello cwd='}}
)");
  RunCoroutine([&](asio::any_io_executor ex) -> asio::awaitable<void> {
    std::string port;
    auto p = StartServer(ex, "0.3", &port);
    if (!p) co_return;
    Endpoint endpoint{"127.0.0.1", port, std::nullopt};
    std::string error;
    EXPECT_TRUE(
        co_await WaitForScenario(ex, p, scenario, "t", endpoint, Duration(10000), 1.0, &error))
        << error;
    co_await Stop(p);
  });
}

TEST_F(Readiness, AScenarioThatNeverPassesTimesOutWithItsLastFailure) {
  Scenario scenario = Load(R"(name: says bye
target: t
steps:
  - connect: c
  - expect: {on: c, line: bye}
)");
  RunCoroutine([&](asio::any_io_executor ex) -> asio::awaitable<void> {
    std::string port;
    auto p = StartServer(ex, "0", &port);
    if (!p) co_return;
    Endpoint endpoint{"127.0.0.1", port, std::nullopt};
    std::string error;
    EXPECT_TRUE(co_await WaitForConnect(ex, p, "127.0.0.1", port, Duration(10000), &error));
    auto start = Clock::now();
    EXPECT_FALSE(
        co_await WaitForScenario(ex, p, scenario, "t", endpoint, Duration(500), 1.0, &error));
    EXPECT_LT(Clock::now() - start, std::chrono::seconds(5));
    EXPECT_EQ(error.rfind("the scenario ready.yaml did not pass within 500ms (", 0), 0u) << error;
    EXPECT_NE(error.find("tries; the last: "), std::string::npos) << error;
    EXPECT_NE(error.find("hello cwd="), std::string::npos) << "[" << error << "]";
    co_await Stop(p);
  });
}

TEST_F(Readiness, AScenarioStillPlayingAtTheTimeoutIsInterrupted) {
  Scenario scenario = Load(R"(name: waits long
target: t
timeout: 20s
steps:
  - connect: c
  - expect: {on: c, silence: 20s}
)");
  RunCoroutine([&](asio::any_io_executor ex) -> asio::awaitable<void> {
    std::string error;
    auto p = ChildProcess::Start(ex, {"/bin/sh", "-c", "exec sleep 30"}, &error);
    // A listener in this process: connects succeed, nothing is ever sent.
    asio::ip::tcp::acceptor acceptor(ex, {asio::ip::make_address("127.0.0.1"), 0});
    Endpoint endpoint{"127.0.0.1", std::to_string(acceptor.local_endpoint().port()), std::nullopt};
    auto start = Clock::now();
    EXPECT_FALSE(
        co_await WaitForScenario(ex, p, scenario, "t", endpoint, Duration(400), 1.0, &error));
    EXPECT_LT(Clock::now() - start, std::chrono::seconds(5));
    EXPECT_EQ(error.rfind("the scenario ready.yaml did not pass within 400ms (1 try", 0), 0u)
        << error;
    co_await Stop(p);
  });
}

}  // namespace
}  // namespace parley::harness
