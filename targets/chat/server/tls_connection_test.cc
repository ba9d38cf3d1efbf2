// chat-server over TLS on loopback: a real ChatServer with a certificate from a throw-away CA,
// Asio SSL clients that verify it, and raw TCP clients that never speak TLS. Every wait has a
// deadline.
#include "targets/chat/server/tls_connection.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>

#include "targets/chat/server/test_server.h"
#include "targets/tls/server_context.h"
#include "targets/tls/test_pki.h"

namespace parley::chat {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using asio::ip::tcp;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;

constexpr auto kWait = 10s;  // generous: only ever reached when something is wrong

std::chrono::milliseconds Left(Clock::time_point deadline) {
  return std::max(0ms, std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()));
}

// One client on its own io_context, driven from the test's thread: each operation runs the
// context until it completes or its deadline passes (then the socket is closed).
class TlsClient {
 public:
  explicit TlsClient(const std::string& ca_file) {
    context_.load_verify_file(ca_file);
    context_.set_verify_mode(asio::ssl::verify_peer);
    stream_.set_verify_callback(asio::ssl::host_name_verification("127.0.0.1"));
  }

  // `receive_buffer` > 0 shrinks SO_RCVBUF before connecting (a client that reads slowly).
  bool Connect(unsigned short port, int receive_buffer = 0) {
    tcp::socket& socket = stream_.next_layer();
    error_code error;
    socket.open(tcp::v4(), error);
    if (receive_buffer > 0) {
      socket.set_option(asio::socket_base::receive_buffer_size(receive_buffer), error);
    }
    socket.connect({asio::ip::make_address("127.0.0.1"), port}, error);
    return !error;
  }

  error_code Handshake() {
    return Await([&](auto done) {
      stream_.async_handshake(asio::ssl::stream_base::client,
                              [done](const error_code& error) mutable { done(error, 0); });
    });
  }

  // Connects and handshakes; true when both worked.
  bool Join(unsigned short port) {
    if (!Connect(port)) return false;
    const error_code error = Handshake();
    EXPECT_FALSE(error) << error.message();
    return !error;
  }

  void Send(const std::string& bytes) {
    const error_code error =
        Await([&](auto done) { asio::async_write(stream_, asio::buffer(bytes), done); });
    EXPECT_FALSE(error) << "send: " << error.message();
  }

  // The next line without its LF; nullopt at the end of the stream or at the deadline.
  std::optional<std::string> ReadLine(std::chrono::milliseconds wait = kWait) {
    const auto deadline = Clock::now() + wait;
    for (;;) {
      const std::size_t lf = buffer_.find('\n');
      if (lf != std::string::npos) {
        std::string line = buffer_.substr(0, lf);
        buffer_.erase(0, lf + 1);
        return line;
      }
      if (end_ || !Fill(deadline)) return std::nullopt;
    }
  }

  // Reads lines until `line` arrives; false at the end or the deadline.
  bool WaitFor(const std::string& line) {
    const auto deadline = Clock::now() + kWait;
    while (std::optional<std::string> next = ReadLine(Left(deadline))) {
      if (*next == line) return true;
    }
    return false;
  }

  // Reads (and discards) until the stream ends; returns how: eof after the server's
  // close_notify, stream_truncated when the connection closed without it, timed_out at the
  // deadline.
  error_code ReadEnd(std::chrono::milliseconds wait = kWait) {
    const auto deadline = Clock::now() + wait;
    while (!end_) {
      if (!Fill(deadline)) return asio::error::timed_out;
    }
    return *end_;
  }

  // Raw TCP under the TLS layer, for clients that never speak TLS.
  void SendPlain(const std::string& bytes) {
    error_code error;
    asio::write(stream_.next_layer(), asio::buffer(bytes), error);
    EXPECT_FALSE(error) << error.message();
  }
  // True when the server closed the connection (EOF or reset) before the deadline.
  bool WaitPlainClosed(std::chrono::milliseconds wait = kWait) {
    const auto deadline = Clock::now() + wait;
    for (;;) {
      char chunk[4096];
      const error_code error =
          Await([&](auto done) { stream_.next_layer().async_read_some(asio::buffer(chunk), done); },
                Left(deadline));
      if (error == asio::error::timed_out) return false;
      if (error) return true;
    }
  }

  // Half-closes the TCP connection without close_notify.
  void ShutdownTcpSend() {
    error_code ignored;
    stream_.next_layer().shutdown(tcp::socket::shutdown_send, ignored);
  }

 private:
  // Starts an operation with `start(done)`, where done(error, bytes) is its handler, and runs
  // the io_context until it completes; at the deadline closes the socket and returns timed_out.
  template <class Start>
  error_code Await(Start start, std::chrono::milliseconds wait = kWait,
                   std::size_t* bytes = nullptr) {
    bool completed = false;
    error_code result;
    start([&](const error_code& error, std::size_t n) {
      completed = true;
      result = error;
      if (bytes != nullptr) *bytes = n;
    });
    io_.restart();
    io_.run_for(wait);
    if (completed) return result;
    error_code ignored;
    stream_.next_layer().close(ignored);
    io_.restart();
    io_.run();
    return asio::error::timed_out;
  }

  // Reads once; false at the deadline. Sets end_ at the end of the stream.
  bool Fill(Clock::time_point deadline) {
    char chunk[65536];
    std::size_t got = 0;
    const error_code error =
        Await([&](auto done) { stream_.async_read_some(asio::buffer(chunk), done); },
              Left(deadline), &got);
    if (error == asio::error::timed_out) return false;
    if (error) {
      end_ = error;
      return true;
    }
    buffer_.append(chunk, got);
    return true;
  }

  asio::io_context io_;
  asio::ssl::context context_{asio::ssl::context::tls_client};
  asio::ssl::stream<tcp::socket> stream_{io_, context_};
  std::string buffer_;
  std::optional<error_code> end_;
};

// A certificate for 127.0.0.1 from a throw-away CA, loaded into a server context.
class ChatServerTls : public testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/parley-chat-tls-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    tls::TestCa ca("parley test CA");
    const tls::Pem server = ca.Issue(
        {.common_name = "localhost", .dns_names = {"localhost"}, .ip_addresses = {"127.0.0.1"}});
    ASSERT_TRUE(tls::WriteTextFile(dir_ + "/server.pem", server.certificate));
    ASSERT_TRUE(tls::WriteTextFile(dir_ + "/server.key", server.private_key));
    ASSERT_TRUE(tls::WriteTextFile(ca_file(), ca.certificate()));
    std::string error;
    tls_ = tls::ServerTls::Load(dir_ + "/server.pem", dir_ + "/server.key", {}, &error);
    ASSERT_NE(tls_, nullptr) << error;
  }
  void TearDown() override { std::system(("rm -rf '" + dir_ + "'").c_str()); }

  std::string ca_file() const { return dir_ + "/ca.pem"; }
  asio::ssl::context* tls() { return &tls_->context(); }

  // A TLS client that has joined and read its welcome (two lines).
  std::unique_ptr<TlsClient> Join(const TestServer& server) {
    auto client = std::make_unique<TlsClient>(ca_file());
    EXPECT_TRUE(client->Join(server.port()));
    const std::optional<std::string> welcome = client->ReadLine();
    EXPECT_TRUE(welcome && welcome->starts_with("* welcome guest")) << welcome.value_or("(none)");
    const std::optional<std::string> online = client->ReadLine();
    EXPECT_TRUE(online && online->starts_with("* online: ")) << online.value_or("(none)");
    return client;
  }

  std::string dir_;
  std::unique_ptr<tls::ServerTls> tls_;
};

TEST_F(ChatServerTls, TwoClientsTalkAndQuitEndsWithCloseNotify) {
  TestServer server({}, tls());
  TlsClient a(ca_file());
  ASSERT_TRUE(a.Join(server.port()));
  EXPECT_EQ(a.ReadLine(), "* welcome guest1");
  EXPECT_EQ(a.ReadLine(), "* online: guest1");
  TlsClient b(ca_file());
  ASSERT_TRUE(b.Join(server.port()));
  EXPECT_EQ(b.ReadLine(), "* welcome guest2");
  EXPECT_EQ(b.ReadLine(), "* online: guest1 guest2");
  EXPECT_EQ(a.ReadLine(), "* guest2 joined");

  a.Send("hello over tls\n");
  EXPECT_EQ(b.ReadLine(), "<guest1> hello over tls");
  b.Send("/nick bob\nhi\n");
  EXPECT_EQ(b.ReadLine(), "* you are now bob");
  EXPECT_EQ(a.ReadLine(), "* guest2 is now bob");
  EXPECT_EQ(a.ReadLine(), "<bob> hi");
  a.Send("/who\n");
  EXPECT_EQ(a.ReadLine(), "* online: bob guest1");  // no echo of its own line in between

  a.Send("/quit see you\nnever relayed\n");
  EXPECT_EQ(a.ReadEnd(), asio::error::eof) << "the server did not end with close_notify";
  EXPECT_EQ(b.ReadLine(), "* guest1 left (see you)");
  b.Send("/who\n");
  EXPECT_EQ(b.ReadLine(), "* online: bob");
}

TEST_F(ChatServerTls, UdpStaysPlain) {
  TestServer server({}, tls());
  auto a = Join(server);
  asio::io_context io;
  asio::ip::udp::socket udp(io, asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const std::string hello = "hi from udp\n";
  udp.send_to(asio::buffer(hello), {asio::ip::make_address("127.0.0.1"), server.port()});
  EXPECT_EQ(a->ReadLine(), "* guest2 joined");
  EXPECT_EQ(a->ReadLine(), "<guest2> hi from udp");
  a->Send("hi back\n");
  std::string datagram;
  for (int i = 0; i < 3; ++i) {  // welcome, online list, the relayed line
    char buffer[2048];
    bool received = false;
    udp.async_receive(asio::buffer(buffer), [&](const error_code& error, std::size_t size) {
      received = !error;
      datagram.assign(buffer, size);
    });
    io.restart();
    io.run_for(kWait);
    ASSERT_TRUE(received);
  }
  EXPECT_EQ(datagram, "<guest1> hi back\n");
}

TEST_F(ChatServerTls, APlainTcpClientIsClosedAndTheRoomGoesOn) {
  TestServer server({}, tls());
  auto a = Join(server);
  TlsClient plain(ca_file());
  ASSERT_TRUE(plain.Connect(server.port()));
  plain.SendPlain("hello, is this the chat?\n");
  EXPECT_TRUE(plain.WaitPlainClosed());
  auto b = Join(server);  // guest2: the plain client never joined
  EXPECT_EQ(a->ReadLine(), "* guest2 joined");
  b->Send("still here\n");
  EXPECT_EQ(a->ReadLine(), "<guest2> still here");
}

TEST_F(ChatServerTls, AClientThatNeverHandshakesIsDroppedAfterTheCloseGrace) {
  TestServer server({}, tls());
  TlsClient silent(ca_file());
  const auto start = Clock::now();
  ASSERT_TRUE(silent.Connect(server.port()));
  EXPECT_TRUE(silent.WaitPlainClosed());
  const auto took = Clock::now() - start;
  EXPECT_GE(took, 450ms);  // the close grace period is 500 ms
  EXPECT_LT(took, 5s);
  auto a = Join(server);  // the server is fine
}

TEST_F(ChatServerTls, ShutdownDoesNotWaitForAnUnfinishedHandshake) {
  TestServer server({}, tls());
  auto a = Join(server);
  TlsClient silent(ca_file());
  ASSERT_TRUE(silent.Connect(server.port()));
  const auto start = Clock::now();
  EXPECT_TRUE(server.Stop());
  EXPECT_LT(Clock::now() - start, 5s);
  EXPECT_TRUE(a->WaitFor("* server shutting down"));
  EXPECT_EQ(a->ReadEnd(), asio::error::eof);
  EXPECT_TRUE(silent.WaitPlainClosed());
}

TEST_F(ChatServerTls, ATcpHalfCloseWithoutCloseNotifyStillGetsItsAnswer) {
  TestServer server({}, tls());
  auto a = Join(server);
  auto b = Join(server);
  ASSERT_TRUE(a->WaitFor("* guest2 joined"));
  a->Send("/who\nlast words without LF");
  a->ShutdownTcpSend();
  EXPECT_EQ(a->ReadLine(), "* online: guest1 guest2");
  EXPECT_EQ(a->ReadEnd(), asio::error::eof);  // close_notify all the same
  // And the socket closes right after it: the server does not wait out the close grace period
  // (500 ms) for a close_notify of the client's that cannot come.
  EXPECT_TRUE(a->WaitPlainClosed(400ms));
  EXPECT_EQ(b->ReadLine(), "<guest1> last words without LF");
  EXPECT_EQ(b->ReadLine(), "* guest1 left");
}

TEST_F(ChatServerTls, ServerFullAndIdleTimeoutCloseWithCloseNotify) {
  ServerOptions options;
  options.max_clients = 1;
  options.idle_timeout = 1500ms;  // long enough for b to be refused while a is still in
  TestServer server(options, tls());
  auto a = Join(server);
  TlsClient b(ca_file());
  ASSERT_TRUE(b.Join(server.port()));
  EXPECT_EQ(b.ReadLine(), "! error server-full");
  EXPECT_EQ(b.ReadEnd(), asio::error::eof);
  EXPECT_EQ(a->ReadEnd(), asio::error::eof);  // timed out
}

TEST_F(ChatServerTls, ASlowReaderIsDroppedAsTooSlow) {
  ServerOptions options;
  options.max_queue = 64 * 1024;
  TestServer server(options, tls());
  auto sender = Join(server);
  TlsClient stalled(ca_file());  // never reads after its handshake
  ASSERT_TRUE(stalled.Connect(server.port(), 4096));
  ASSERT_EQ(stalled.Handshake(), error_code());
  ASSERT_TRUE(sender->WaitFor("* guest2 joined"));
  const std::string line = std::string(1000, '.') + "\n";
  std::string burst;
  for (int i = 0; i < 64; ++i)
    burst += line;
  for (int i = 0; i < 64; ++i)  // 4 MB, far beyond the queue and the socket buffers
    sender->Send(burst);
  EXPECT_TRUE(sender->WaitFor("* guest2 left (too slow)"));
  EXPECT_EQ(stalled.ReadEnd(), asio::ssl::error::stream_truncated);  // closed at once
}

}  // namespace
}  // namespace parley::chat
