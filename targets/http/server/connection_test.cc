// Drives Connection over boost::beast::test::stream: the whole connection logic (session,
// timers, close) without sockets, as a fuzzer would.
#include "targets/http/server/connection.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/_experimental/test/stream.hpp>
#include <functional>

#include "targets/http/server/test_support.h"
#include "targets/http/server/workspace_hold_spec.h"

namespace parley::http {
namespace {

using namespace std::chrono_literals;
using testing::ParseResponses;
using TestStream = boost::beast::test::stream;

class HttpServerConnection : public ::testing::Test {
 protected:
  HttpServerConnection()
      : handler_(nullptr),
        pool_(config_.limits, 4),
        context_{config_, handler_, pool_, dates_},
        manager_(io_.get_executor(), std::chrono::milliseconds(5)),
        client_(io_) {}

  // Starts a connection whose peer is client_; the client collects what it receives.
  void Start() {
    TestStream server_side(io_);
    server_side.connect(client_);
    auto connection =
        std::make_shared<Connection<TestStream>>(std::move(server_side), context_, &manager_);
    connection->Start();
    Receive();
  }

  void Receive() {
    client_.async_read_some(boost::asio::buffer(buffer_),
                            [this](const boost::system::error_code& ec, std::size_t n) {
                              if (ec) {
                                closed_ = true;
                                return;
                              }
                              received_.append(buffer_, n);
                              Receive();
                            });
  }

  void Send(std::string_view bytes) {
    boost::asio::write(client_, boost::asio::buffer(bytes.data(), bytes.size()));
  }

  // Runs the loop until `done` holds; false if it does not within the deadline.
  bool RunUntil(const std::function<bool()>& done, Duration timeout = testing::kWait) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
      if (std::chrono::steady_clock::now() >= deadline) return false;
      if (io_.stopped()) io_.restart();
      io_.run_one_for(10ms);
    }
    return true;
  }

  std::size_t Responses() { return ParseResponses(received_).size(); }

  ServerConfig config_;
  RequestHandler handler_;
  WorkspacePool pool_;
  DateCache dates_;
  SessionContext context_;
  boost::asio::io_context io_;
  ConnectionManager manager_;
  TestStream client_;
  char buffer_[4096];
  std::string received_;
  bool closed_ = false;
};

TEST_F(HttpServerConnection, AnswersPipelinedRequestsOverAStream) {
  Start();
  Send(
      "GET / HTTP/1.1\r\nHost: x\r\n\r\nPOST /echo HTTP/1.1\r\nHost: x\r\n"
      "Transfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n0\r\n\r\n");
  ASSERT_TRUE(RunUntil([&] { return Responses() == 2; })) << received_;
  const auto responses = ParseResponses(received_);
  EXPECT_EQ(responses[0].body, "<h1>Hola Mundo</h1>\n");
  EXPECT_TRUE(responses[1].body.ends_with("body-length: 4\nabcd"));
  EXPECT_FALSE(closed_);
  EXPECT_EQ(manager_.size(), 1u);
}

TEST_F(HttpServerConnection, ByteByByteInputGivesTheSameAnswer) {
  Start();
  const std::string request = "GET /echo?q HTTP/1.1\r\nHost: x\r\nX: y\r\n\r\n";
  for (char c : request) {
    Send(std::string_view(&c, 1));
    io_.poll();
  }
  ASSERT_TRUE(RunUntil([&] { return Responses() == 1; })) << received_;
  EXPECT_NE(received_.find("header: X: y\n"), std::string::npos);
}

TEST_F(HttpServerConnection, ConnectionCloseEndsTheStream) {
  Start();
  Send("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  ASSERT_TRUE(RunUntil([&] { return closed_; })) << received_;
  EXPECT_EQ(Responses(), 1u);
}

TEST_F(HttpServerConnection, BadInputGetsItsStatusThenTheStreamEnds) {
  Start();
  Send("GET / HTTP/1.1\r\nHost: x\r\nBad Name: v\r\n\r\n");
  ASSERT_TRUE(RunUntil([&] { return closed_; })) << received_;
  const auto responses = ParseResponses(received_);
  ASSERT_EQ(responses.size(), 1u) << received_;
  EXPECT_EQ(responses[0].status, 400);
  EXPECT_EQ(responses[0].Header("Connection"), "close");
}

TEST_F(HttpServerConnection, PeerEofClosesAfterAnswering) {
  Start();
  Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  client_.close_remote();  // the server side reads EOF after the request
  ASSERT_TRUE(RunUntil([&] { return manager_.size() == 0; })) << received_;
}

TEST_F(HttpServerConnection, IdleTimeoutClosesSilently) {
  config_.idle_timeout = 50ms;
  Start();
  ASSERT_TRUE(RunUntil([&] { return closed_; }));
  EXPECT_EQ(received_, "");
}

TEST_F(HttpServerConnection, HeaderTimeoutAnswers408) {
  config_.header_timeout = 50ms;
  Start();
  Send("GET / HTTP/1.1\r\n");
  ASSERT_TRUE(RunUntil([&] { return closed_; }));
  const auto responses = ParseResponses(received_);
  ASSERT_EQ(responses.size(), 1u) << received_;
  EXPECT_EQ(responses[0].status, 408);
}

TEST_F(HttpServerConnection, DrainClosesAnIdleConnection) {
  Start();
  Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(RunUntil([&] { return Responses() == 1; }));
  manager_.DrainAll();
  ASSERT_TRUE(RunUntil([&] { return closed_; }));
}

TEST_F(HttpServerConnection, AbortDropsTheConnection) {
  Start();
  Send("GET / HTTP/1.1\r\n");
  io_.poll();
  manager_.AbortAll();
  ASSERT_TRUE(RunUntil([&] { return closed_; }));
  EXPECT_EQ(received_, "");
  ASSERT_TRUE(RunUntil([&] { return manager_.size() == 0; }));
}

// Over a real socket, for the workspace-hold specification (workspace_hold_spec.h).
class HttpServerSocketConnection : public HttpServerConnection {
 protected:
  HttpServerSocketConnection() : client_socket_(io_) {}

  void StartOverSocket() {
    boost::asio::ip::tcp::acceptor acceptor(io_, {boost::asio::ip::make_address("127.0.0.1"), 0});
    client_socket_.connect(acceptor.local_endpoint());
    Socket server_side(io_.get_executor());
    acceptor.accept(server_side);
    auto connection =
        std::make_shared<Connection<Socket>>(std::move(server_side), context_, &manager_);
    connection->Start();
  }

  // Sends a request and runs the loop until its response has arrived.
  bool Exchange() {
    const std::size_t before = Responses();
    const std::string_view request = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    boost::asio::write(client_socket_, boost::asio::buffer(request.data(), request.size()));
    return RunUntil([&] {
      while (client_socket_.available() > 0) {
        const std::size_t n = client_socket_.read_some(boost::asio::buffer(buffer_));
        received_.append(buffer_, n);
      }
      return Responses() == before + 1;
    });
  }

  // For the workspace-hold specification (workspace_hold_spec.h):
  void Settle() { io_.poll(); }
  void ExpectNothingInFlight() {}

  boost::asio::ip::tcp::socket client_socket_;
};

INSTANTIATE_TYPED_TEST_SUITE_P(Epoll, HttpServerWorkspaceHold, HttpServerSocketConnection);

}  // namespace
}  // namespace parley::http
