#include "harness/play/player.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "harness/scenario/loader.h"
#include "targets/tls/server_context.h"
#include "targets/tls/test_pki.h"

namespace parley::harness {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using asio::ip::udp;
using boost::system::error_code;

// What a test server does with one accepted connection.
using Peer = std::function<asio::awaitable<void>(tcp::socket)>;

asio::awaitable<void> Serve(tcp::acceptor& acceptor, Peer peer) {
  for (;;) {
    error_code ec;
    tcp::socket socket =
        co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    asio::co_spawn(acceptor.get_executor(), peer(std::move(socket)), asio::detached);
  }
}

asio::awaitable<void> Pause(std::chrono::milliseconds d) {
  asio::steady_timer t(co_await asio::this_coro::executor, d);
  error_code ec;
  co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

// A line server: greets with "hello", echoes lines as "echo: <line>", closes on "bye".
asio::awaitable<void> LinePeer(tcp::socket socket) {
  error_code ec;
  co_await asio::async_write(socket, asio::buffer(std::string("hello\n")),
                             asio::redirect_error(asio::use_awaitable, ec));
  asio::streambuf buffer;
  for (;;) {
    std::size_t n = co_await asio::async_read_until(socket, buffer, '\n',
                                                    asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    std::string line(asio::buffers_begin(buffer.data()),
                     asio::buffers_begin(buffer.data()) + static_cast<long>(n) - 1);
    buffer.consume(n);
    if (line == "bye") co_return;  // the socket closes: FIN
    if (line == "late") {
      co_await Pause(std::chrono::milliseconds(150));
      line = "late line";
    }
    std::string reply = "echo: " + line + "\n";
    co_await asio::async_write(socket, asio::buffer(reply),
                               asio::redirect_error(asio::use_awaitable, ec));
  }
}

// The next request head (through its empty line) from `socket`, or nullopt when it ends.
asio::awaitable<std::optional<std::string>> ReadHead(tcp::socket& socket, asio::streambuf& buffer) {
  error_code ec;
  std::size_t n = co_await asio::async_read_until(socket, buffer, "\r\n\r\n",
                                                  asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return std::nullopt;
  std::string head(asio::buffers_begin(buffer.data()),
                   asio::buffers_begin(buffer.data()) + static_cast<long>(n));
  buffer.consume(n);
  co_return head;
}

// Answers pipelined HEAD and GET requests: HEAD responses announce a body they do not carry.
asio::awaitable<void> HttpPeer(tcp::socket socket) {
  error_code ec;
  asio::streambuf buffer;
  for (;;) {
    std::optional<std::string> next = co_await ReadHead(socket, buffer);
    if (!next) co_return;
    const std::string& head = *next;
    bool is_head = head.rfind("HEAD ", 0) == 0;
    std::string reply = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 19\r\n\r\n";
    if (!is_head) reply += "<h1>Hola Mundo</h1>";
    if (head.find("/missing") != std::string::npos) {
      reply = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    }
    co_await asio::async_write(socket, asio::buffer(reply),
                               asio::redirect_error(asio::use_awaitable, ec));
    if (reply.find("close") != std::string::npos) co_return;
  }
}

asio::awaitable<void> FloodPeer(tcp::socket socket) {
  std::string chunk(64 * 1024, 'x');
  for (int i = 0; i < 64; ++i) {
    error_code ec;
    co_await asio::async_write(socket, asio::buffer(chunk),
                               asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
  }
}

asio::awaitable<void> UdpEcho(udp::socket& socket) {
  char data[2048];
  for (;;) {
    udp::endpoint from;
    error_code ec;
    std::size_t n = co_await socket.async_receive_from(
        asio::buffer(data), from, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    std::string reply = "echo: " + std::string(data, n);
    co_await socket.async_send_to(asio::buffer(reply), from,
                                  asio::redirect_error(asio::use_awaitable, ec));
  }
}

// Answers each request line "GET /N ..." with status N (200 or 404), keeping the connection.
asio::awaitable<void> StatusPeer(tcp::socket socket) {
  error_code ec;
  asio::streambuf buffer;
  for (;;) {
    std::optional<std::string> next = co_await ReadHead(socket, buffer);
    if (!next) co_return;
    const std::string& head = *next;
    std::string status = head.substr(5, 3);
    std::string reply = "HTTP/1.1 " + status + " X\r\nContent-Length: 0\r\n\r\n";
    co_await asio::async_write(socket, asio::buffer(reply),
                               asio::redirect_error(asio::use_awaitable, ec));
  }
}

// Writes 4 MiB as fast as the client takes it, then "end\n", and records the longest time
// one 64 KiB write waited: long while the client does not read.
struct Writer {
  std::chrono::steady_clock::duration longest{0};
  bool finished = false;

  Peer peer() {
    return [this](tcp::socket socket) -> asio::awaitable<void> {
      std::string chunk(64 * 1024, 'x');
      for (int i = 0; i < 64; ++i) {
        auto start = std::chrono::steady_clock::now();
        error_code ec;
        co_await asio::async_write(socket, asio::buffer(chunk),
                                   asio::redirect_error(asio::use_awaitable, ec));
        if (ec) co_return;
        longest = std::max(longest, std::chrono::steady_clock::now() - start);
      }
      error_code ec;
      co_await asio::async_write(socket, asio::buffer(std::string("end\n")),
                                 asio::redirect_error(asio::use_awaitable, ec));
      finished = !ec;
      co_await Pause(std::chrono::milliseconds(2000));  // keep the connection open
    };
  }
};

class PlayerTest : public testing::Test {
 protected:
  // Plays the scenario in `yaml` against a server running `peer` (target "srv").
  ScenarioResult Play(const std::string& yaml, Peer peer, double scale = 1.0) {
    LoadOptions load;
    load.check_files = false;
    for (const auto& [name, value] : options_.variables.values())
      load.variables.push_back(name);
    LoadResult loaded = LoadScenarios(yaml, "p.yaml", load);
    EXPECT_TRUE(loaded.ok()) << (loaded.error ? loaded.error->ToString() : "");
    if (!loaded.ok()) return ScenarioResult();
    scenario_ = std::move(loaded.scenarios[0]);
    tcp::acceptor acceptor(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    udp::socket udp(
        io_, udp::endpoint(asio::ip::make_address("127.0.0.1"), acceptor.local_endpoint().port()));
    std::string port = std::to_string(acceptor.local_endpoint().port());
    PoolOptions pool_options;
    pool_options.external["srv"] = Endpoint{"127.0.0.1", port, std::nullopt};
    TargetPool pool(io_.get_executor(), nullptr, pool_options);
    options_.timeout_scale = scale;
    Player player(io_.get_executor(), &pool, &options_);
    player_ = &player;
    asio::co_spawn(io_, Serve(acceptor, peer), asio::detached);
    asio::co_spawn(io_, UdpEcho(udp), asio::detached);
    ScenarioResult result;
    bool done = false;
    asio::co_spawn(io_, player.Play(scenario_, 0), [&](std::exception_ptr e, ScenarioResult r) {
      if (e) std::rethrow_exception(e);
      result = std::move(r);
      done = true;
      acceptor.close();
      udp.close();
    });
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!done && std::chrono::steady_clock::now() < deadline)
      io_.run_one_for(std::chrono::milliseconds(100));
    EXPECT_TRUE(done) << "the scenario did not finish";
    io_.run_for(std::chrono::milliseconds(50));
    player_ = nullptr;
    return result;
  }

  asio::io_context io_;
  PlayOptions options_;
  Scenario scenario_;
  Player* player_ = nullptr;
};

TEST_F(PlayerTest, PlaysAConversationWithCapturesAndVariables) {
  options_.variables.Set("word", "hola");
  ScenarioResult r = Play(R"(name: conversation
target: srv
steps:
  - connect: a
  - connect: b
  - expect: {on: a, line: {regex: '^(h\w+)$'}, capture: greeting}
  - expect: {on: b, line: hello}
  - send: {on: a, text: "${greeting} ${word} ${target.port}\n"}
  - expect: {on: a, line: {regex: '^echo: hello hola \d+$'}}
  - expect: {on: b, silence: 50ms}
  - send: {on: a, text: "bye\n"}
  - expect: {on: a, closed: true}
  - close: a
  - connect: a
  - expect: {on: a, line: hello}
)",
                          LinePeer);
  EXPECT_EQ(r.status, ScenarioResult::Status::kPassed) << r.message;
  ASSERT_EQ(r.transcripts.size(), 3u);
  EXPECT_EQ(r.transcripts[2]->name(), "a (#2)");
  EXPECT_NE(r.transcripts[0]->Render().find("< \"hello\\n\""), std::string::npos);
  ASSERT_EQ(r.targets.size(), 1u);
  EXPECT_FALSE(r.targets[0].own);
}

TEST_F(PlayerTest, GeneratedValuesLineEndingsAndSkippedLines) {
  ScenarioResult r = Play(R"(name: generated values
target: srv
vars: {id: "${unique}"}
steps:
  - connect: {name: a, line_ending: lf}
  - send: {on: a, text: "${id} ${repeat} ${random.hex4}"}
  - expect: {on: a, line: {regex: '^echo: (u[0-9a-f]{7}) 1 ([0-9a-f]{4})$'}, skip: 1,
             capture: [seen, random]}
  - send: {on: a, text: "${seen} ${random.hex4}"}
  - expect: {on: a, line: {exact: "ECHO: ${id} ${random}", ignore_case: true}}
)",
                          LinePeer);
  EXPECT_EQ(r.status, ScenarioResult::Status::kPassed) << r.message;
}

// A line protocol with STARTTLS: "STARTTLS" is answered "220 go ahead" and TLS begins; then
// each line is answered "secret: LINE", and "bye" ends TCP without close_notify (truncation).
Peer StartTlsPeer(asio::ssl::context& context) {
  return [&context](tcp::socket socket) -> asio::awaitable<void> {
    error_code ec;
    asio::streambuf plain;
    co_await asio::async_read_until(socket, plain, '\n',
                                    asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    co_await asio::async_write(socket, asio::buffer(std::string("220 go ahead\n")),
                               asio::redirect_error(asio::use_awaitable, ec));
    asio::ssl::stream<tcp::socket&> tls(socket, context);
    co_await tls.async_handshake(asio::ssl::stream_base::server,
                                 asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    asio::streambuf in;
    for (;;) {
      std::size_t n = co_await asio::async_read_until(
          tls, in, '\n', asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
      std::string line(asio::buffers_begin(in.data()),
                       asio::buffers_begin(in.data()) + static_cast<long>(n) - 1);
      in.consume(n);
      if (line == "bye") {
        socket.close(ec);
        co_return;
      }
      co_await asio::async_write(tls, asio::buffer("secret: " + line + "\n"),
                                 asio::redirect_error(asio::use_awaitable, ec));
    }
  };
}

class PlayerTlsTest : public PlayerTest {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/parley-player-tls-XXXXXX";
    dir_ = mkdtemp(pattern);
    tls::TestCa ca("parley test CA");
    tls::CertificateSpec spec;
    spec.common_name = "localhost";
    spec.dns_names = {"localhost"};
    spec.ip_addresses = {"127.0.0.1"};
    tls::Pem server = ca.Issue(spec);
    tls::WriteTextFile(dir_ + "/server.pem", server.certificate);
    tls::WriteTextFile(dir_ + "/server.key", server.private_key);
    tls::WriteTextFile(dir_ + "/ca.pem", ca.certificate());
    std::string error;
    server_ = tls::ServerTls::Load(dir_ + "/server.pem", dir_ + "/server.key", {}, &error);
    ASSERT_NE(server_, nullptr) << error;
    options_.variables.Set("ca", dir_ + "/ca.pem");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string dir_;
  std::unique_ptr<tls::ServerTls> server_;
};

TEST_F(PlayerTlsTest, StartTlsUpgradesAndABareFinIsATruncation) {
  ScenarioResult r = Play(R"(name: starttls
target: srv
steps:
  - connect: c
  - send: {text: "STARTTLS\n"}
  - expect: {line: "220 go ahead"}
  - starttls: {on: c, tls: {ca: "${ca}", sni: localhost}}
  - expect: {on: c, tls: {version: "1.3", peer: {subject: {contains: CN=localhost}}}}
  - send: {text: "hello\n", split: 2}
  - expect: {line: "secret: hello"}
  - send: {text: "bye\n"}
  - expect: {closed: true}
)",
                          StartTlsPeer(server_->context()));
  EXPECT_EQ(r.status, ScenarioResult::Status::kFailed);
  ASSERT_TRUE(r.failed_at);
  EXPECT_EQ(r.failed_at->line, 12);
  EXPECT_NE(r.message.find("without a TLS close_notify (truncated)"), std::string::npos)
      << r.message;
  const std::string transcript = r.transcripts[0]->Render();
  EXPECT_NE(transcript.find("TLS 1.3 handshake done"), std::string::npos) << transcript;
  EXPECT_NE(transcript.find("> \"hello\\n\""), std::string::npos) << transcript;  // decrypted
}

// A peer that accepts and never answers the ClientHello: the handshake is bound by the step's
// timeout.
TEST_F(PlayerTlsTest, AStalledHandshakeIsBoundByTheStepTimeout) {
  ScenarioResult r = Play(R"(name: stalled
target: srv
steps:
  - connect: {name: c, tls: {ca: "${ca}"}, timeout: 300ms}
)",
                          [](tcp::socket socket) -> asio::awaitable<void> {
                            co_await Pause(std::chrono::milliseconds(3000));
                            socket.close();
                          });
  EXPECT_EQ(r.status, ScenarioResult::Status::kFailed);
  EXPECT_NE(r.message.find("failed: the peer did not finish the handshake in time"),
            std::string::npos)
      << r.message;
  EXPECT_LT(r.elapsed, std::chrono::milliseconds(2500));
}

TEST_F(PlayerTlsTest, AHandshakeWithAPeerThatDoesNotSpeakTlsFailsAsExpected) {
  ScenarioResult r = Play(R"(name: no tls
target: srv
steps:
  - connect: {name: c, tls: {ca: "${ca}"}, expect_failure: {regex: 'wrong version number|packet length|in time|closed'}, timeout: 1s}
)",
                          LinePeer);
  EXPECT_EQ(r.status, ScenarioResult::Status::kPassed) << r.message;
}

// `never` looks at the lines, unread or arriving, without consuming them; it passes when its
// time is up or the peer closes, and fails on the first line that matches.
TEST_F(PlayerTest, NeverPassesWhenNoSuchLineArrivesAndLeavesTheLines) {
  ScenarioResult r = Play(R"(name: never
target: srv
steps:
  - connect: a
  - send: {text: "late\n"}
  - expect: {never: {regex: '^echo: early'}, for: 300ms}
  - expect: {line: hello, timeout: 10ms}
  - expect: {line: "echo: late line", timeout: 10ms}
  - send: {text: "bye\n"}
  - expect: {never: anything, for: 5s}
  - expect: {closed: true, timeout: 10ms}
)",
                          LinePeer);
  EXPECT_EQ(r.status, ScenarioResult::Status::kPassed) << r.message;
  EXPECT_LT(r.elapsed, std::chrono::milliseconds(3000));  // the close ended the 5 s window
}

TEST_F(PlayerTest, NeverFailsOnALineThatMatchesAndShowsIt) {
  ScenarioResult r = Play(R"(name: never
target: srv
steps:
  - connect: a
  - send: {text: "late\n"}
  - expect: {never: {regex: '^echo: l'}, for: 2s}
)",
                          LinePeer);
  EXPECT_EQ(r.status, ScenarioResult::Status::kFailed);
  EXPECT_EQ(r.failed_step, "expect");
  EXPECT_NE(r.message.find("a line arrived that must never: \"echo: late line\""),
            std::string::npos)
      << r.message;
}

TEST_F(PlayerTest, AFailureNamesTheStepAndKeepsTheTranscript) {
  ScenarioResult r = Play(R"(name: wrong line
target: srv
steps:
  - connect: a
  - expect: {line: hello}
  - send: {text: "ping\n"}
  - expect: {line: "echo: pong"}
  - expect: {line: never reached}
)",
                          LinePeer);
  EXPECT_EQ(r.status, ScenarioResult::Status::kFailed);
  ASSERT_TRUE(r.failed_at);
  EXPECT_EQ(r.failed_at->line, 7);
  EXPECT_EQ(r.failed_step, "expect");
  EXPECT_EQ(r.failed_connection, "a");
  EXPECT_EQ(r.Location(), "p.yaml:7");
  EXPECT_EQ(r.message,
            "the line differs:\nexpected: \"echo: pong\"\n  actual: \"echo: ping\"\n"
            "                  ^ byte 7");
}

TEST_F(PlayerTest, ExpectationsTimeOutWithWhatArrived) {
  auto start = std::chrono::steady_clock::now();
  ScenarioResult r = Play(R"(name: timeout
target: srv
timeout: 100ms
steps:
  - connect: a
  - expect: {line: hello}
  - expect: {line: more}
)",
                          LinePeer, 2.0);
  EXPECT_EQ(r.status, ScenarioResult::Status::kFailed);
  EXPECT_EQ(r.message, "nothing arrived within 200ms (expected a line exactly \"more\")");
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(200));
}

TEST_F(PlayerTest, RetryWaitsAgainForALateLine) {
  ScenarioResult r = Play(R"(name: retry
target: srv
steps:
  - connect: a
  - expect: {line: hello}
  - send: {text: "late\n"}
  - expect: {line: "echo: late line", timeout: 40ms, retry: {times: 20, delay: 10ms}}
)",
                          LinePeer);
  EXPECT_EQ(r.status, ScenarioResult::Status::kPassed) << r.message;
  EXPECT_NE(r.transcripts[0]->Render().find("failed; retrying"), std::string::npos);
}

// Sends 128 KiB of 'a', pauses 300 ms, sends 128 KiB more: an expectation over all of it times
// out in between.
asio::awaitable<void> PausingPeer(tcp::socket socket) {
  const std::string half(128 * 1024, 'a');
  error_code ec;
  co_await asio::async_write(socket, asio::buffer(half),
                             asio::redirect_error(asio::use_awaitable, ec));
  co_await Pause(std::chrono::milliseconds(300));
  co_await asio::async_write(socket, asio::buffer(half),
                             asio::redirect_error(asio::use_awaitable, ec));
  co_await Pause(std::chrono::milliseconds(2000));
}

// A retried expectation goes on from where its last try got, although it consumed the equal
// bytes it had compared: the retry does not start the compare again on what is left.
TEST_F(PlayerTest, ARetryGoesOnFromWhereTheLastTryGot) {
  ScenarioResult r = Play(R"(name: retry a long compare
target: srv
steps:
  - connect: a
  - expect: {bytes: {repeat: a, count: 262144}, timeout: 100ms, retry: {times: 20, delay: 10ms}}
  - expect: {silence: 20ms}
)",
                          PausingPeer);
  EXPECT_EQ(r.status, ScenarioResult::Status::kPassed) << r.message;
  EXPECT_NE(r.transcripts[0]->Render().find("failed; retrying: only 131072 of 262144 expected"),
            std::string::npos)
      << r.transcripts[0]->Render();
}

TEST_F(PlayerTest, PipelinedResponsesToHeadAndGetAreReadInOrder) {
  ScenarioResult r = Play(R"(name: pipelined
target: srv
steps:
  - connect: c
  - send: {text: "HEAD / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\nGET /missing HTTP/1.1\r\nHost: x\r\n\r\n"}
  - expect: {http: {status: 200, headers: {Content-Length: "19"}, body: {length: 0}, responses: 1}}
  - expect: {http: {status: 200, body: "<h1>Hola Mundo</h1>", headers: {Content-Type: {regex: '^text/(\w+)$'}}}, capture: kind}
  - expect: {http: {status: 404, reason: Not Found, headers: {Connection: close}, responses: 3}}
  - expect: {closed: true}
)",
                          HttpPeer);
  EXPECT_EQ(r.status, ScenarioResult::Status::kPassed) << r.message;
}

TEST_F(PlayerTest, AWrongStatusListsTheMismatches) {
  ScenarioResult r = Play(R"(name: wrong status
target: srv
steps:
  - connect: c
  - send: {text: "GET /missing HTTP/1.1\r\n\r\n"}
  - expect: {http: {status: 200}}
)",
                          HttpPeer);
  EXPECT_EQ(r.status, ScenarioResult::Status::kFailed);
  EXPECT_EQ(
      r.message,
      "the response does not match:\n  - status is 404 (expected 200)\nresponse head: \"HTTP/1.1 "
      "404 Not Found\\r\\nContent-Length: 0\\r\\nConnection: close\\r\\n\\r\\n\"");
}

TEST_F(PlayerTest, SplitSendsArriveInPieces) {
  ScenarioResult r = Play(R"(name: split
target: srv
steps:
  - connect: c
  - expect: {line: hello}
  - send: {text: "abcdef\n", split: [2, 3], delay: 20ms}
  - expect: {line: "echo: abcdef"}
)",
                          LinePeer);
  EXPECT_EQ(r.status, ScenarioResult::Status::kPassed) << r.message;
  int sent = 0;
  for (const auto& e : r.transcripts[0]->entries())
    sent += e.kind == Transcript::Kind::kSent;
  EXPECT_EQ(sent, 3);
}

TEST_F(PlayerTest, UdpDatagramsCarryLines) {
  ScenarioResult r = Play(R"(name: udp
target: srv
steps:
  - connect: {name: u, protocol: udp}
  - send: {text: "one"}
  - expect: {line: "echo: one"}
  - send: {text: "two\nthree\n"}
  - expect: {lines: ["echo: two", "three"]}
)",
                          LinePeer);
  EXPECT_EQ(r.status, ScenarioResult::Status::kPassed) << r.message;
}

TEST_F(PlayerTest, AFloodIsCutOffAtTheLimit) {
  options_.limits.max_receive = 1024 * 1024;
  ScenarioResult r = Play(R"(name: flood
target: srv
steps:
  - connect: c
  - expect: {contains: "never sent"}
)",
                          FloodPeer);
  EXPECT_EQ(r.status, ScenarioResult::Status::kFailed);
  EXPECT_EQ(r.message.substr(0, 74),
            "the peer sent more than 1 MiB and was cut off before \"never sent\" arrived;")
      << r.message;
}

TEST_F(PlayerTest, CountChecksEachOfTheNextResponses) {
  ScenarioResult r = Play(R"(name: count
target: srv
steps:
  - connect: c
  - send: {text: "GET /200 HTTP/1.1\r\n\r\nGET /200 HTTP/1.1\r\n\r\nGET /200 HTTP/1.1\r\n\r\nGET /404 HTTP/1.1\r\n\r\n"}
  - expect: {http: {status: 200, count: 3, responses: 1}}
  - expect: {http: {status: 404, responses: 4}}
  - expect: {silence: 20ms}
)",
                          StatusPeer);
  EXPECT_EQ(r.status, ScenarioResult::Status::kPassed) << r.message;
}

TEST_F(PlayerTest, CountNamesTheResponseThatDiffers) {
  ScenarioResult r = Play(R"(name: count fails
target: srv
steps:
  - connect: c
  - send: {text: "GET /200 HTTP/1.1\r\n\r\nGET /404 HTTP/1.1\r\n\r\nGET /200 HTTP/1.1\r\n\r\n"}
  - expect: {http: {status: 200, count: 3}}
)",
                          StatusPeer);
  EXPECT_EQ(r.status, ScenarioResult::Status::kFailed);
  EXPECT_EQ(r.message,
            "response 2 of 3 (response 2 on the connection) does not match:\n"
            "  - status is 404 (expected 200)\n"
            "response head: \"HTTP/1.1 404 X\\r\\nContent-Length: 0\\r\\n\\r\\n\"");
}

TEST_F(PlayerTest, CountTimesOutSayingHowManyArrived) {
  ScenarioResult r = Play(R"(name: count short
target: srv
timeout: 100ms
steps:
  - connect: c
  - send: {text: "GET /200 HTTP/1.1\r\n\r\nGET /200 HTTP/1.1\r\n\r\n"}
  - expect: {http: {status: 200, count: 3}}
)",
                          StatusPeer);
  EXPECT_EQ(r.status, ScenarioResult::Status::kFailed);
  EXPECT_EQ(r.message, "only 2 of 3 expected responses arrived within 100ms");
}

TEST_F(PlayerTest, AFailedHttpExpectationConsumesNothing) {
  // The retry looks at the same response again, so the 404 cannot be skipped over by retrying.
  ScenarioResult r = Play(R"(name: retry keeps the response
target: srv
steps:
  - connect: c
  - send: {text: "GET /404 HTTP/1.1\r\n\r\nGET /200 HTTP/1.1\r\n\r\n"}
  - expect: {http: {status: 200}, timeout: 50ms, retry: {times: 2, delay: 10ms}}
)",
                          StatusPeer);
  EXPECT_EQ(r.status, ScenarioResult::Status::kFailed);
  EXPECT_NE(r.message.find("status is 404"), std::string::npos) << r.message;
}

TEST_F(PlayerTest, ResponsesArePositionedInTheOrderTheyArrive) {
  ScenarioResult r = Play(R"(name: the failed response is still next
target: srv
steps:
  - connect: c
  - send: {text: "GET /404 HTTP/1.1\r\n\r\nGET /200 HTTP/1.1\r\n\r\n"}
  - expect: {http: {status: 404, responses: 1}}
  - expect: {http: {status: 200, responses: 2}}
)",
                          StatusPeer);
  EXPECT_EQ(r.status, ScenarioResult::Status::kPassed) << r.message;
}

TEST_F(PlayerTest, DatagramsAreCheckedWhole) {
  ScenarioResult r = Play(R"(name: datagrams
target: srv
steps:
  - connect: {name: u, protocol: udp}
  - send: {text: "one"}
  - expect: {datagram: "echo: one"}
  - send: {text: "two\nthree\n"}
  - expect: {datagram: {regex: '^echo: (\w+)\n(\w+)\n$'}, capture: [first, second]}
  - send: {text: "${second}"}
  - expect: {datagram: {hex: "65 63 68 6f 3a 20 74 68 72 65 65"}}
)",
                          LinePeer);
  EXPECT_EQ(r.status, ScenarioResult::Status::kPassed) << r.message;
}

TEST_F(PlayerTest, ADatagramThatDiffersShowsTheDifference) {
  ScenarioResult r = Play(R"(name: datagram differs
target: srv
steps:
  - connect: {name: u, protocol: udp}
  - send: {text: "a\nb\n"}
  - expect: {datagram: "echo: a\n"}
)",
                          LinePeer);
  EXPECT_EQ(r.status, ScenarioResult::Status::kFailed);
  EXPECT_EQ(r.message,
            "the datagram differs:\n--- expected\n+++ actual\n@@ -1,1 +1,2 @@\n echo: a\\n\n+b\\n")
      << r.message;
}

TEST_F(PlayerTest, ADatagramCannotBeCheckedWholeAfterALineTookPartOfIt) {
  ScenarioResult r = Play(R"(name: datagram after line
target: srv
steps:
  - connect: {name: u, protocol: udp}
  - send: {text: "a\nb\n"}
  - expect: {line: "echo: a"}
  - expect: {datagram: "b\n"}
)",
                          LinePeer);
  EXPECT_EQ(r.status, ScenarioResult::Status::kFailed);
  EXPECT_EQ(r.message,
            "an earlier expectation consumed the start of the next datagram, so it cannot be "
            "checked whole; what is left of it: \"b\\n\"");
}

TEST_F(PlayerTest, APausedConnectionStopsReadingUntilResumed) {
  Writer writer;
  ScenarioResult r = Play(R"(name: stalled reader
target: srv
steps:
  - connect: {name: c, recv_buffer: 4096}
  - pause: c
  - sleep: 400ms
  - resume: c
  - expect: {contains: "end\n", timeout: 10s}
)",
                          writer.peer());
  EXPECT_EQ(r.status, ScenarioResult::Status::kPassed) << r.message;
  EXPECT_TRUE(writer.finished);
  // While paused the peer's writes could not go anywhere for most of the 400ms.
  EXPECT_GE(writer.longest, std::chrono::milliseconds(250));
  std::string transcript = r.transcripts[0]->Render();
  EXPECT_NE(transcript.find("paused: not reading"), std::string::npos) << transcript;
  EXPECT_NE(transcript.find("resumed reading"), std::string::npos) << transcript;
}

TEST_F(PlayerTest, AnUnpausedConnectionKeepsDraining) {
  Writer writer;
  ScenarioResult r = Play(R"(name: reader
target: srv
steps:
  - connect: c
  - sleep: 400ms
  - expect: {contains: "end\n", timeout: 10s}
)",
                          writer.peer());
  EXPECT_EQ(r.status, ScenarioResult::Status::kPassed) << r.message;
  EXPECT_TRUE(writer.finished);
  EXPECT_LT(writer.longest, std::chrono::milliseconds(250));
}

TEST_F(PlayerTest, AConnectionRefusedIsAFailure) {
  ScenarioResult r = Play(R"(name: refused
steps:
  - connect: {name: c, address: "127.0.0.1:1"}
)",
                          LinePeer);
  EXPECT_EQ(r.status, ScenarioResult::Status::kFailed);
  EXPECT_EQ(r.message, "cannot connect to 127.0.0.1:1: Connection refused");
}

TEST_F(PlayerTest, AnExternalTargetCannotBeGivenArguments) {
  ScenarioResult r = Play(R"(name: needs own
target: {name: srv, args: [--flag]}
steps:
  - connect: c
)",
                          LinePeer);
  EXPECT_EQ(r.status, ScenarioResult::Status::kSkipped);
  EXPECT_EQ(r.message.substr(0, 22), "needs its own 'srv' pr");
}

TEST_F(PlayerTest, SkipIsHonoured) {
  ScenarioResult r = Play("name: s\nskip: not today\nsteps: [{sleep: 1ms}]\n", LinePeer);
  EXPECT_EQ(r.status, ScenarioResult::Status::kSkipped);
  EXPECT_EQ(r.message, "not today");
}

TEST_F(PlayerTest, InterruptEndsAWaitAtOnce) {
  asio::steady_timer interrupt(io_, std::chrono::milliseconds(50));
  interrupt.async_wait([this](error_code ec) {
    if (!ec && player_ != nullptr) player_->Interrupt();
  });
  auto start = std::chrono::steady_clock::now();
  ScenarioResult r = Play(R"(name: long
target: srv
steps:
  - connect: c
  - expect: {line: hello}
  - expect: {line: never, timeout: 10s}
)",
                          LinePeer);
  EXPECT_EQ(r.status, ScenarioResult::Status::kInterrupted);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

// With a drain time, the scenario's end waits until the peer has read everything and closed:
// this peer takes 100 ms over the last line before it reads the end and closes.
TEST_F(PlayerTest, DrainWaitsUntilThePeerHasReadEverythingAndClosed) {
  bool handled = false;
  Peer slow_reader = [&handled](tcp::socket socket) -> asio::awaitable<void> {
    asio::streambuf buffer;
    error_code ec;
    co_await asio::async_read_until(socket, buffer, '\n',
                                    asio::redirect_error(asio::use_awaitable, ec));
    co_await Pause(std::chrono::milliseconds(100));
    handled = true;
    char rest[64];
    while (!ec)
      co_await socket.async_read_some(asio::buffer(rest),
                                      asio::redirect_error(asio::use_awaitable, ec));
  };
  options_.drain = Duration(5000);
  ScenarioResult r = Play(R"(name: drained
target: srv
steps:
  - connect: c
  - send: {text: "last\n"}
)",
                          slow_reader);
  EXPECT_EQ(r.status, ScenarioResult::Status::kPassed) << r.message;
  EXPECT_TRUE(handled);
  EXPECT_FALSE(r.undrained);
}

// A close step drains its connection the same way before it closes it.
TEST_F(PlayerTest, DrainComesBeforeACloseStep) {
  bool handled = false;
  Peer slow_reader = [&handled](tcp::socket socket) -> asio::awaitable<void> {
    asio::streambuf buffer;
    error_code ec;
    co_await asio::async_read_until(socket, buffer, '\n',
                                    asio::redirect_error(asio::use_awaitable, ec));
    co_await Pause(std::chrono::milliseconds(100));
    handled = true;
  };
  options_.drain = Duration(5000);
  ScenarioResult r = Play(R"(name: drained before the close
target: srv
steps:
  - connect: c
  - send: {text: "last\n"}
  - close: c
  - sleep: 1ms
)",
                          slow_reader);
  EXPECT_EQ(r.status, ScenarioResult::Status::kPassed) << r.message;
  EXPECT_TRUE(handled);
  EXPECT_FALSE(r.undrained);
}

// A peer that keeps its side open is waited for only the drain time, and the result says so.
TEST_F(PlayerTest, DrainGivesUpOnAPeerThatStaysOpen) {
  Peer never_closes = [](tcp::socket socket) -> asio::awaitable<void> {
    co_await Pause(std::chrono::milliseconds(3000));
    socket.close();
  };
  options_.drain = Duration(100);
  ScenarioResult r = Play(R"(name: undrained
target: srv
steps:
  - connect: c
  - send: {text: "x\n"}
)",
                          never_closes);
  EXPECT_EQ(r.status, ScenarioResult::Status::kPassed) << r.message;
  EXPECT_TRUE(r.undrained);
}

}  // namespace
}  // namespace parley::harness
