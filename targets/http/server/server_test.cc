// http::Server over loopback: real sockets on 127.0.0.1, port 0, the server on its own thread.
#include "targets/http/server/server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "targets/http/server/test_support.h"

namespace parley::http {
namespace {

using namespace std::chrono_literals;
using testing::Client;
using testing::ParseResponses;
using testing::Response;
using testing::RunningServer;

constexpr std::string_view kGet = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";

// One request on a fresh connection; the response, or nullopt.
std::optional<Response> Exchange(std::uint16_t port, std::string_view request, bool head = false) {
  Client client(port);
  if (!client.connected() || !client.Send(request)) return std::nullopt;
  return client.Read(head);
}

TEST(HttpServerLoopback, ServesThePageAndHead) {
  RunningServer server({});
  Client client(server.port());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.Send(kGet));
  const auto get = client.Read();
  ASSERT_TRUE(get);
  EXPECT_EQ(get->status, 200);
  EXPECT_EQ(get->body, "<h1>Hola Mundo</h1>\n");
  EXPECT_EQ(get->Header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_TRUE(get->HasHeader("Date"));
  EXPECT_TRUE(get->HasHeader("Server"));

  ASSERT_TRUE(client.Send("HEAD / HTTP/1.1\r\nHost: x\r\n\r\n"));  // same connection
  const auto head = client.Read(true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->Header("Content-Length"), "20");
  EXPECT_EQ(head->body, "");
  EXPECT_TRUE(client.StaysQuiet(100ms));  // no body bytes follow a HEAD response
}

TEST(HttpServerLoopback, KeepAliveAndPipelining) {
  RunningServer server({});
  Client client(server.port());
  ASSERT_TRUE(client.connected());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(client.Send(kGet));
    const auto r = client.Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
  }
  std::string batch;
  for (int i = 0; i < 300; ++i) {
    batch += "GET /echo?n=" + std::to_string(i) + " HTTP/1.1\r\nHost: x\r\n\r\n";
  }
  ASSERT_TRUE(client.Send(batch));
  for (int i = 0; i < 300; ++i) {
    const auto r = client.Read();
    ASSERT_TRUE(r) << i;
    EXPECT_NE(r->body.find("target: /echo?n=" + std::to_string(i) + "\n"), std::string::npos);
  }
  EXPECT_EQ(server.server().open_connections(), 1u);
}

TEST(HttpServerLoopback, ConnectionCloseAndHttp10Close) {
  RunningServer server({});
  for (std::string_view request :
       {"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", "GET / HTTP/1.0\r\n\r\n"}) {
    Client client(server.port());
    ASSERT_TRUE(client.Send(request));
    const auto r = client.Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->Header("Connection"), "close");
    EXPECT_TRUE(client.WaitClosed());
  }
  Client keep(server.port());
  ASSERT_TRUE(keep.Send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  const auto r = keep.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->Header("Connection"), "keep-alive");
  ASSERT_TRUE(keep.Send("GET / HTTP/1.0\r\n\r\n"));
  EXPECT_TRUE(keep.Read());
}

TEST(HttpServerLoopback, EveryErrorStatus) {
  ServerConfig config;
  config.limits.max_request_line = 256;
  config.limits.max_header_section = 512;
  config.limits.max_body = 16;
  config.header_timeout = 300ms;
  RunningServer server(config);
  struct Case {
    std::string request;
    int status;
    std::string_view reason;
    bool closes;
  };
  const Case cases[] = {
      {"GET / HTTP/1.1\r\n\r\n", 400, "missing-host", true},
      {"GET /nope HTTP/1.1\r\nHost: x\r\n\r\n", 404, "not-found", false},
      {"PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", 405, "method-not-allowed", false},
      {"GET / HTTP/1.1\r\nHost: x\r\n", 408, "header-timeout", true},
      {"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 17\r\n\r\n", 413, "body-too-large", true},
      {"GET /" + std::string(300, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n", 414,
       "request-line-too-long", true},
      {"GET / HTTP/1.1\r\nHost: x\r\nBig: " + std::string(600, 'b') + "\r\n\r\n", 431,
       "header-section-too-large", true},
      {"BREW / HTTP/1.1\r\nHost: x\r\n\r\n", 501, "method-not-implemented", false},
      {"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: br, chunked\r\n\r\n", 501,
       "unsupported-transfer-coding", true},
      {"GET / HTTP/3.0\r\nHost: x\r\n\r\n", 505, "unsupported-version", true},
  };
  for (const Case& c : cases) {
    Client client(server.port());
    ASSERT_TRUE(client.Send(c.request)) << c.request;
    const auto r = client.Read();
    ASSERT_TRUE(r) << c.request;
    EXPECT_EQ(r->status, c.status) << c.request;
    EXPECT_EQ(r->body, "error: " + std::string(c.reason) + "\n") << c.request;
    if (c.status == 405) {
      EXPECT_EQ(r->Header("Allow"), "GET, HEAD");
    }
    if (c.closes) {
      EXPECT_EQ(r->Header("Connection"), "close") << c.request;
      EXPECT_TRUE(client.WaitClosed()) << c.request;
    } else {
      EXPECT_FALSE(r->HasHeader("Connection")) << c.request;
      ASSERT_TRUE(client.Send(kGet));
      EXPECT_TRUE(client.Read()) << c.request;
    }
  }
}

TEST(HttpServerLoopback, ErrorResponseSurvivesUnreadInput) {
  // The server answers the bad request while more input is in flight; lingering before the
  // close lets the client read the answer instead of a connection reset.
  RunningServer server({});
  Client client(server.port());
  ASSERT_TRUE(client.Send("GET /\x01 HTTP/1.1\r\nHost: x\r\n\r\n" + std::string(512 * 1024, 'x')));
  const auto r = client.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(r->Header("Connection"), "close");
  client.ShutdownSend();
  EXPECT_TRUE(client.WaitClosed());
}

TEST(HttpServerLoopback, EchoWithChunkedBodyAndContinue) {
  RunningServer server({});
  Client client(server.port());
  ASSERT_TRUE(
      client.Send("POST /echo?x=1 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                  "Expect: 100-continue\r\n\r\n"));
  const auto interim = client.Read();
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(client.Send("6\r\nHola, \r\n5\r\nMundo\r\n0\r\n\r\n"));
  const auto r = client.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body,
            "method: POST\n"
            "target: /echo?x=1\n"
            "version: HTTP/1.1\n"
            "header: Host: x\n"
            "header: Transfer-Encoding: chunked\n"
            "header: Expect: 100-continue\n"
            "framing: chunked\n"
            "body-length: 11\n"
            "Hola, Mundo");
}

TEST(HttpServerLoopback, HeaderTimeoutAnswers408EvenWhenBytesTrickle) {
  ServerConfig config;
  config.header_timeout = 400ms;
  RunningServer server(config);
  Client client(server.port());
  const auto start = std::chrono::steady_clock::now();
  // A byte every 100ms keeps the connection busy but never completes the head.
  std::optional<Response> r;
  for (char c : std::string("GET / HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaa")) {
    if (!client.Send(std::string_view(&c, 1))) break;
    if (!client.StaysQuiet(100ms)) break;
  }
  r = client.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 408);
  EXPECT_TRUE(client.WaitClosed());
  EXPECT_LT(std::chrono::steady_clock::now() - start, testing::kWait);
}

TEST(HttpServerLoopback, IdleTimeoutClosesSilently) {
  ServerConfig config;
  config.idle_timeout = 200ms;
  RunningServer server(config);
  Client fresh(server.port());
  EXPECT_TRUE(fresh.WaitClosed());  // never sent anything
  Client used(server.port());
  ASSERT_TRUE(used.Send(kGet));
  ASSERT_TRUE(used.Read());
  EXPECT_TRUE(used.WaitClosed());  // idle after a response
}

class HttpServerStaticRoot : public ::testing::Test {
 protected:
  void SetUp() override {
    namespace fs = std::filesystem;
    std::string pattern = (fs::temp_directory_path() / "parley-root-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    base_ = pattern;
    fs::create_directories(base_ / "site" / "docs");
    std::ofstream(base_ / "site" / "docs" / "a.txt") << "alpha";
    std::ofstream(base_ / "secret.txt") << "TOP SECRET";
    big_.resize(3 * 1024 * 1024 + 17);
    for (std::size_t i = 0; i < big_.size(); ++i)
      big_[i] = static_cast<char>('a' + i % 26);
    std::ofstream(base_ / "site" / "big.bin", std::ios::binary) << big_;
    fs::create_symlink("../secret.txt", base_ / "site" / "out.txt");
    fs::create_symlink(base_, base_ / "site" / "escape");
    ServerConfig config;
    config.root = (base_ / "site").string();
    server_.emplace(config);
  }
  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(base_);
  }

  std::filesystem::path base_;
  std::string big_;
  std::optional<RunningServer> server_;
};

TEST_F(HttpServerStaticRoot, ServesFiles) {
  const auto r = Exchange(server_->port(), "GET /docs/a.txt HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "alpha");
  EXPECT_EQ(r->Header("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_TRUE(r->HasHeader("Last-Modified"));

  const auto head = Exchange(server_->port(), "HEAD /big.bin HTTP/1.1\r\nHost: x\r\n\r\n", true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->Header("Content-Length"), std::to_string(big_.size()));

  const auto post = Exchange(server_->port(), "POST /docs/a.txt HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 405);
  EXPECT_EQ(post->Header("Allow"), "GET, HEAD");
}

TEST_F(HttpServerStaticRoot, StreamsLargeFilesInOrderWithPipelining) {
  Client client(server_->port());
  ASSERT_TRUE(
      client.Send("GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n"
                  "GET /docs/a.txt HTTP/1.1\r\nHost: x\r\n\r\n"
                  "GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n"));
  for (std::string_view expected :
       {std::string_view(big_), std::string_view("alpha"), std::string_view(big_)}) {
    const auto r = client.Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body.size(), expected.size());
    EXPECT_TRUE(r->body == expected);
  }
}

TEST_F(HttpServerStaticRoot, NoPathEscapesTheRoot) {
  struct Case {
    std::string_view target;
    int status;
  };
  const Case cases[] = {
      {"/../secret.txt", 400},
      {"/%2e%2e/secret.txt", 400},
      {"/%2E%2e%2fsecret.txt", 400},
      {"/docs/..%2F..%2Fsecret.txt", 400},
      {"/docs/%2e%2e/%2e%2e/secret.txt", 400},
      {"/out.txt", 404},
      {"/escape/secret.txt", 404},
      {"/secret.txt%00.txt", 400},
      {"/..%5csecret.txt", 400},
      {"//secret.txt", 404},
      {"http://x/../secret.txt", 400},
      {"http://x/%2e%2e/secret.txt", 400},
  };
  for (const Case& c : cases) {
    const std::string request = "GET " + std::string(c.target) + " HTTP/1.1\r\nHost: x\r\n\r\n";
    const auto r = Exchange(server_->port(), request);
    if (!r) {
      // The parser may reject the target itself; then it must be a 400 and close.
      Client client(server_->port());
      ASSERT_TRUE(client.Send(request));
      const auto raw = client.ReadUntilClosed();
      ASSERT_TRUE(raw) << c.target;
      EXPECT_EQ(raw->find("TOP SECRET"), std::string::npos) << c.target;
      continue;
    }
    EXPECT_EQ(r->status, c.status) << c.target;
    EXPECT_EQ(r->body.find("TOP SECRET"), std::string::npos) << c.target;
  }
  // A backslash that reaches the server raw.
  const auto raw = Exchange(server_->port(), "GET /..\\secret.txt HTTP/1.1\r\nHost: x\r\n\r\n");
  if (raw) {
    EXPECT_EQ(raw->body.find("TOP SECRET"), std::string::npos);
  }
}

TEST(HttpServerLoopback, ClientsThatDoNotReadAreDroppedAfterTheSendTimeout) {
  ServerConfig config;
  config.send_timeout = 300ms;
  RunningServer server(config);
  {
    Client greedy(server.port());
    // Responses for far more than the socket buffers hold, never read.
    const std::string request =
        "GET /echo?pad=" + std::string(200, 'p') + " HTTP/1.1\r\nHost: x\r\n\r\n";
    std::string requests;
    for (int i = 0; i < 20000; ++i)
      requests += request;
    greedy.Send(requests);  // fails part way once the server gives up
    const auto deadline = std::chrono::steady_clock::now() + testing::kWait;
    while (server.server().open_connections() != 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(10ms);
    }
    EXPECT_EQ(server.server().open_connections(), 0u);
  }
  EXPECT_TRUE(Exchange(server.port(), kGet));  // and the server is still serving
}

TEST(HttpServerLoopback, GracefulShutdownFinishesTheResponseInFlight) {
  RunningServer server({});
  Client idle(server.port());
  ASSERT_TRUE(idle.Send(kGet));
  ASSERT_TRUE(idle.Read());
  Client busy(server.port());
  ASSERT_TRUE(busy.Send(
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"));
  const auto interim = busy.Read();  // the server is now inside the request
  ASSERT_TRUE(interim);
  ASSERT_EQ(interim->status, 100);

  server.server().Shutdown();
  EXPECT_TRUE(idle.WaitClosed());  // idle keep-alive connections close at once
  ASSERT_TRUE(busy.Send("hello"));
  const auto r = busy.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->Header("Connection"), "close");
  EXPECT_TRUE(r->body.ends_with("body-length: 5\nhello"));
  EXPECT_TRUE(busy.WaitClosed());
  EXPECT_TRUE(server.Stop());
  Client late(server.port());
  EXPECT_FALSE(late.connected());
}

TEST(HttpServerLoopback, ShutdownDropsStragglersAfterTheGracePeriod) {
  ServerConfig config;
  config.shutdown_grace = 200ms;
  RunningServer server(config);
  Client slow(server.port());
  ASSERT_TRUE(slow.Send("GET / HTTP/1.1\r\n"));  // never finishes its head
  ASSERT_TRUE(slow.StaysQuiet(50ms));
  server.server().Shutdown();
  EXPECT_TRUE(slow.ReadUntilClosed());
  EXPECT_TRUE(server.Stop());
}

TEST(HttpServerLoopback, SeveralThreadsServeSeveralConnections) {
  ServerConfig config;
  config.threads = 3;
  RunningServer server(config);
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < 6; ++i)
    clients.push_back(std::make_unique<Client>(server.port()));
  for (int round = 0; round < 3; ++round) {
    for (auto& client : clients)
      ASSERT_TRUE(client->Send(kGet));
    for (auto& client : clients) {
      const auto r = client->Read();
      ASSERT_TRUE(r);
      EXPECT_EQ(r->status, 200);
    }
  }
  EXPECT_EQ(server.server().open_connections(), 6u);
  EXPECT_TRUE(server.Stop());
}

TEST(HttpServerLoopback, ConnectionsBeyondTheLimitGet503) {
  ServerConfig config;
  config.max_connections = 1;
  RunningServer server(config);
  Client first(server.port());
  ASSERT_TRUE(first.Send(kGet));
  ASSERT_TRUE(first.Read());
  Client second(server.port());
  const auto r = second.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(r->body, "error: too-many-connections\n");
  EXPECT_TRUE(second.WaitClosed());
  ASSERT_TRUE(first.Send(kGet));
  EXPECT_TRUE(first.Read());
}

TEST(HttpServerLoopback, PortInUseIsAnError) {
  const testing::HeldPort held;
  ServerConfig config;
  config.port = held.port();
  Server server(config);
  EXPECT_EQ(server.Listen(), boost::asio::error::address_in_use);
}

}  // namespace
}  // namespace parley::http
