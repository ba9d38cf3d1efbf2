// UringConnection over a real loopback socket, its loop run on the test thread: answers,
// pipelining, the workspace held in steady keep-alive use and given back, deadlines, draining
// and closing with reads still in flight.
#include "targets/http/server/uring_connection.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "targets/http/server/test_support.h"
#include "targets/http/server/workspace_hold_spec.h"

namespace parley::http {
namespace {

using namespace std::chrono_literals;
using testing::ParseResponses;

constexpr std::string_view kGet = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";

class HttpServerUringConnection : public ::testing::Test {
 protected:
  HttpServerUringConnection()
      : handler_(nullptr),
        pool_(config_.limits, 4),
        context_{config_, handler_, pool_, dates_},
        manager_(5ms) {}

  void SetUp() override {
    std::string error;
    loop_ = UringLoop::Create(64, &error);
    if (!loop_) GTEST_SKIP() << "no io_uring here: " << error;
  }

  void TearDown() override {
    if (client_ >= 0) close(client_);
    if (loop_) {
      manager_.AbortAll();
      RunUntil([&] { return manager_.size() == 0; });
    }
  }

  // Connects a client over loopback and serves the server's side with a UringConnection.
  void Start(bool drain = false) {
    const int listener = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof address;
    ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    ASSERT_EQ(listen(listener, 1), 0);
    ASSERT_EQ(getsockname(listener, reinterpret_cast<sockaddr*>(&address), &size), 0);
    client_ = socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_EQ(connect(client_, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    const int server_side = accept(listener, nullptr, nullptr);
    close(listener);
    ASSERT_GE(server_side, 0);
    UringConnection::Start(server_side, *loop_, context_, &manager_, 1, drain);
  }

  // Runs the loop (sweeping deadlines, collecting what the client receives) until `done` holds
  // or the wait runs out; returns whether it held.
  bool RunUntil(const std::function<bool()>& done, Duration timeout = testing::kWait) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    loop_->Run(
        5ms, [&](UringLoop::Clock::time_point now) { manager_.Sweep(now); },
        [&] {
          Collect();
          return !done() && std::chrono::steady_clock::now() < deadline;
        });
    return done();
  }

  void Collect() {
    if (client_ < 0) return;
    char buffer[4096];
    for (;;) {
      const ssize_t n = recv(client_, buffer, sizeof buffer, MSG_DONTWAIT);
      if (n > 0) {
        received_.append(buffer, static_cast<std::size_t>(n));
        continue;
      }
      if (n == 0) client_saw_eof_ = true;
      return;
    }
  }

  void Send(std::string_view bytes) {
    ASSERT_EQ(send(client_, bytes.data(), bytes.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(bytes.size()));
  }

  // Sends one GET and runs the loop until its response has arrived.
  bool Exchange() {
    const std::size_t before = Responses();
    Send(kGet);
    return RunUntil([&] { return Responses() == before + 1; });
  }

  std::size_t Responses() { return ParseResponses(received_).size(); }

  // For the workspace-hold specification (workspace_hold_spec.h):
  void StartOverSocket() { Start(); }
  void Settle() {}
  void ExpectNothingInFlight() { EXPECT_EQ(loop_->in_flight(), 0u); }

  ServerConfig config_;
  RequestHandler handler_;
  WorkspacePool pool_;
  DateCache dates_;
  SessionContext context_;
  std::unique_ptr<UringLoop> loop_;
  ConnectionManager manager_;
  int client_ = -1;
  std::string received_;
  bool client_saw_eof_ = false;
};

TEST_F(HttpServerUringConnection, AnswersPipelinedRequests) {
  Start();
  Send(
      "GET / HTTP/1.1\r\nHost: x\r\n\r\nPOST /echo HTTP/1.1\r\nHost: x\r\n"
      "Transfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n0\r\n\r\n");
  ASSERT_TRUE(RunUntil([&] { return Responses() == 2; })) << received_;
  const auto responses = ParseResponses(received_);
  EXPECT_EQ(responses[0].body, "<h1>Hola Mundo</h1>\n");
  EXPECT_TRUE(responses[1].body.ends_with("body-length: 4\nabcd"));
  EXPECT_EQ(manager_.size(), 1u);
}

TEST_F(HttpServerUringConnection, ByteByByteInputGivesTheSameAnswer) {
  Start();
  for (char c : std::string("GET /echo?q HTTP/1.1\r\nHost: x\r\nX: y\r\n\r\n")) {
    Send(std::string_view(&c, 1));
    RunUntil([] { return true; });
  }
  ASSERT_TRUE(RunUntil([&] { return Responses() == 1; })) << received_;
  EXPECT_NE(received_.find("header: X: y\n"), std::string::npos);
}

TEST_F(HttpServerUringConnection, ConnectionCloseLingersThenCloses) {
  Start();
  Send("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  ASSERT_TRUE(RunUntil([&] { return client_saw_eof_; })) << received_;
  EXPECT_EQ(Responses(), 1u);
  EXPECT_EQ(manager_.size(), 1u);  // still reading what the client might send
  shutdown(client_, SHUT_WR);
  ASSERT_TRUE(RunUntil([&] { return manager_.size() == 0; }));
}

INSTANTIATE_TYPED_TEST_SUITE_P(Uring, HttpServerWorkspaceHold, HttpServerUringConnection);

TEST_F(HttpServerUringConnection, TheHeaderTimeoutAnswers408) {
  config_.header_timeout = 100ms;
  Start();
  Send("GET / HTTP/1.1\r\n");
  ASSERT_TRUE(RunUntil([&] { return Responses() == 1; })) << received_;
  EXPECT_EQ(ParseResponses(received_)[0].status, 408);
}

TEST_F(HttpServerUringConnection, DrainClosesAnIdleConnectionAndFinishesABusyOne) {
  Start();
  ASSERT_TRUE(Exchange()) << received_;
  manager_.DrainAll();
  ASSERT_TRUE(RunUntil([&] { return manager_.size() == 0; }));
  EXPECT_TRUE(RunUntil([&] { return client_saw_eof_; }));
}

TEST_F(HttpServerUringConnection, AConnectionAdoptedWhileDrainingAnswersWhatItWasSent) {
  Start(/*drain=*/true);
  ASSERT_TRUE(RunUntil([&] { return manager_.size() == 0; }));
  EXPECT_TRUE(RunUntil([&] { return client_saw_eof_; }));
}

TEST_F(HttpServerUringConnection, AbortWithAReadInFlightWaitsForTheKernelToLetGo) {
  config_.hold_workspace = std::chrono::hours(1);
  Start();
  ASSERT_TRUE(Exchange()) << received_;
  ASSERT_TRUE(Exchange()) << received_;  // a read into the workspace is now pending
  manager_.AbortAll();
  EXPECT_EQ(manager_.size(), 1u);  // not freed while the kernel may still write into it
  ASSERT_TRUE(RunUntil([&] { return manager_.size() == 0; }));
  EXPECT_EQ(loop_->in_flight(), 0u);
  EXPECT_TRUE(RunUntil([&] { return client_saw_eof_; }));
}

}  // namespace
}  // namespace parley::http
