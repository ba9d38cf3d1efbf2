#include "harness/record/proxy.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <string>
#include <vector>

namespace parley::harness {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using asio::ip::udp;
using boost::system::error_code;
using Kind = RecordedEvent::Kind;

const tcp::endpoint kLoopback(asio::ip::make_address("127.0.0.1"), 0);

// The events of one connection as "kind:bytes" texts.
std::vector<std::string> Events(const Recording& r, int c) {
  std::vector<std::string> out;
  for (const RecordedEvent& e : r.events()) {
    if (e.connection != c) continue;
    const char* names[] = {"connected",  "failed",     "client",     "server",       "client-fin",
                           "client-rst", "server-fin", "server-rst", "server-trunc", "truncated"};
    out.push_back(std::string(names[static_cast<int>(e.kind)]) +
                  (e.bytes.empty() ? "" : ":" + e.bytes));
  }
  return out;
}

// A server that reads until the client's FIN, answers "got: " and what it read, and closes.
asio::awaitable<void> AnswerOnce(tcp::acceptor& acceptor) {
  tcp::socket s = co_await acceptor.async_accept(asio::use_awaitable);
  std::string got;
  error_code ec;
  co_await asio::async_read(s, asio::dynamic_buffer(got),
                            asio::redirect_error(asio::use_awaitable, ec));
  co_await asio::async_write(s, asio::buffer("got: " + got), asio::use_awaitable);
  s.close();
}

struct Fixture {
  asio::io_context io;
  Recording recording;
  tcp::acceptor server{io, kLoopback};
  tcp::endpoint server_at = server.local_endpoint();
  std::vector<std::string> problems;

  std::unique_ptr<RecordingProxy> Proxy(int connections, bool udp = false) {
    ProxyOptions o;
    o.listen = kLoopback;
    o.server = server_at;
    o.server_name = "the test server";
    o.connections = connections;
    o.udp = udp;
    o.connect_timeout = std::chrono::milliseconds(2000);
    auto proxy = std::make_unique<RecordingProxy>(io, o, &recording);
    std::string error;
    EXPECT_TRUE(proxy->Listen(&error)) << error;
    proxy->on_problem = [this](const std::string& m) { problems.push_back(m); };
    RecordingProxy* p = proxy.get();
    proxy->on_done = [p] { p->Stop(); };
    proxy->Start();
    return proxy;
  }
};

TEST(RecordingProxy, RelaysAndRecordsBothWaysWithTheCloses) {
  Fixture f;
  asio::co_spawn(f.io, AnswerOnce(f.server), asio::detached);
  auto proxy = f.Proxy(1);
  std::string answer;
  asio::co_spawn(
      f.io,
      [&]() -> asio::awaitable<void> {
        tcp::socket c(f.io);
        co_await c.async_connect(proxy->local(), asio::use_awaitable);
        co_await asio::async_write(c, asio::buffer(std::string("hello")), asio::use_awaitable);
        c.shutdown(tcp::socket::shutdown_send);
        error_code ec;
        co_await asio::async_read(c, asio::dynamic_buffer(answer),
                                  asio::redirect_error(asio::use_awaitable, ec));
      },
      asio::detached);
  f.io.run_for(std::chrono::seconds(10));
  EXPECT_EQ(answer, "got: hello");
  ASSERT_EQ(f.recording.connections(), 1);
  EXPECT_EQ(Events(f.recording, 1),
            (std::vector<std::string>{"connected", "client:hello", "client-fin",
                                      "server:got: hello", "server-fin"}));
  EXPECT_NE(f.recording.connection(1).local_port, 0);
  EXPECT_TRUE(f.problems.empty());
}

TEST(RecordingProxy, AServerThatCannotBeReachedClosesTheClient) {
  Fixture f;
  f.server.close();  // nothing listens on its port any more
  auto proxy = f.Proxy(1);
  std::string answer;
  error_code read_error;
  asio::co_spawn(
      f.io,
      [&]() -> asio::awaitable<void> {
        tcp::socket c(f.io);
        co_await c.async_connect(proxy->local(), asio::use_awaitable);
        co_await asio::async_read(c, asio::dynamic_buffer(answer),
                                  asio::redirect_error(asio::use_awaitable, read_error));
      },
      asio::detached);
  f.io.run_for(std::chrono::seconds(10));
  EXPECT_EQ(read_error, asio::error::eof);
  std::vector<std::string> events = Events(f.recording, 1);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0], "failed:cannot connect to the server the test server: Connection refused");
  ASSERT_EQ(f.problems.size(), 1u);
  EXPECT_NE(f.problems[0].find("c1: cannot connect"), std::string::npos);
}

TEST(RecordingProxy, AClientResetIsRecordedAndPassedOn) {
  Fixture f;
  error_code server_error;
  asio::co_spawn(
      f.io,
      [&]() -> asio::awaitable<void> {
        tcp::socket s = co_await f.server.async_accept(asio::use_awaitable);
        std::string got;
        co_await asio::async_read(s, asio::dynamic_buffer(got),
                                  asio::redirect_error(asio::use_awaitable, server_error));
      },
      asio::detached);
  auto proxy = f.Proxy(1);
  asio::co_spawn(
      f.io,
      [&]() -> asio::awaitable<void> {
        tcp::socket c(f.io);
        co_await c.async_connect(proxy->local(), asio::use_awaitable);
        co_await asio::async_write(c, asio::buffer(std::string("x")), asio::use_awaitable);
        asio::steady_timer t(f.io, std::chrono::milliseconds(100));
        co_await t.async_wait(asio::use_awaitable);
        c.set_option(asio::socket_base::linger(true, 0));
        c.close();
      },
      asio::detached);
  f.io.run_for(std::chrono::seconds(10));
  EXPECT_EQ(server_error, asio::error::connection_reset);
  std::vector<std::string> events = Events(f.recording, 1);
  ASSERT_GE(events.size(), 3u);
  EXPECT_EQ(events[1], "client:x");
  EXPECT_EQ(events[2], "client-rst");
}

TEST(RecordingProxy, UdpDatagramsOnTheSamePort) {
  Fixture f;
  udp::socket server(f.io, udp::endpoint(kLoopback.address(), f.server_at.port()));
  asio::co_spawn(
      f.io,
      [&]() -> asio::awaitable<void> {
        char buffer[100];
        udp::endpoint from;
        std::size_t n =
            co_await server.async_receive_from(asio::buffer(buffer), from, asio::use_awaitable);
        std::string reply = "echo " + std::string(buffer, n);
        co_await server.async_send_to(asio::buffer(reply), from, asio::use_awaitable);
      },
      asio::detached);
  auto proxy = f.Proxy(0, true);
  std::string answer;
  asio::co_spawn(
      f.io,
      [&]() -> asio::awaitable<void> {
        udp::socket c(f.io, udp::endpoint(kLoopback.address(), 0));
        udp::endpoint to(kLoopback.address(), proxy->local().port());
        co_await c.async_send_to(asio::buffer(std::string("hi\n")), to, asio::use_awaitable);
        char buffer[100];
        std::size_t n = co_await c.async_receive(asio::buffer(buffer), asio::use_awaitable);
        answer.assign(buffer, n);
        proxy->Stop();
      },
      asio::detached);
  f.io.run_for(std::chrono::seconds(10));
  EXPECT_EQ(answer, "echo hi\n");
  ASSERT_EQ(f.recording.connections(), 1);
  EXPECT_EQ(f.recording.connection(1).transport, Transport::kUdp);
  EXPECT_EQ(Events(f.recording, 1),
            (std::vector<std::string>{"connected", "client:hi\n", "server:echo hi\n"}));
}

}  // namespace
}  // namespace parley::harness
