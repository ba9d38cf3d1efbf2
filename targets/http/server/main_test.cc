// The http-server program itself: its command line, exit codes, ready line and signals.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <filesystem>
#include <regex>

#include "targets/http/server/test_support.h"
#include "targets/tls/test_pki.h"

namespace parley::http {
namespace {

using testing::ChildProcess;
using testing::Client;

const std::string kProgram = HTTP_SERVER_PROGRAM;

// Reads the ready line of an http-server started on port 0; returns its port (0 if none).
std::uint16_t StartServer(ChildProcess& child, bool tls = false) {
  const auto line = child.ReadLine();
  if (!line) return 0;
  std::smatch match;
  const std::regex kReady(tls ? R"(listening on https://127\.0\.0\.1:([0-9]+))"
                              : R"(listening on http://127\.0\.0\.1:([0-9]+))");
  if (!std::regex_match(*line, match, kReady)) {
    ADD_FAILURE() << "unexpected ready line: " << *line;
    return 0;
  }
  return static_cast<std::uint16_t>(std::stoi(match[1]));
}

TEST(HttpServerProgram, PrintsItsVersion) {
  ChildProcess child({kProgram, "--version"});
  EXPECT_EQ(child.ReadLine(), "http-server (parley) " PARLEY_VERSION);
  EXPECT_EQ(child.Wait(), 0);
}

TEST(HttpServerProgram, PrintsHelp) {
  ChildProcess child({kProgram, "--help"});
  EXPECT_EQ(child.ReadLine(), "usage: http-server [options]");
  EXPECT_EQ(child.Wait(), 0);
}

TEST(HttpServerProgram, BadFlagsExitWithUsageError) {
  for (std::vector<std::string> args :
       {std::vector<std::string>{"--frobnicate"}, {"--port", "http"}, {"--idle-timeout", "x"}}) {
    args.insert(args.begin(), kProgram);
    ChildProcess child(args);
    EXPECT_EQ(child.Wait(), 2) << args[1];
    EXPECT_NE(child.Stderr().find("http-server: "), std::string::npos) << child.Stderr();
  }
}

TEST(HttpServerProgram, RootMustBeADirectory) {
  ChildProcess child({kProgram, "--port", "0", "--root", "/dev/null"});
  EXPECT_EQ(child.Wait(), 1);
  EXPECT_NE(child.Stderr().find("not a directory"), std::string::npos) << child.Stderr();
  ChildProcess missing({kProgram, "--port", "0", "--root", "no/such/dir"});
  EXPECT_EQ(missing.Wait(), 1);
  EXPECT_NE(missing.Stderr().find("No such file or directory"), std::string::npos);
}

TEST(HttpServerProgram, PortInUseExitsWithRuntimeError) {
  const testing::HeldPort held;
  const std::string port = std::to_string(held.port());
  ChildProcess child({kProgram, "--port", port});
  EXPECT_EQ(child.Wait(), 1);
  EXPECT_NE(child.Stderr().find("cannot listen on 127.0.0.1:" + port + ": Address already in use"),
            std::string::npos)
      << child.Stderr();
}

TEST(HttpServerProgram, SigtermFinishesTheResponseInFlightAndExitsZero) {
  ChildProcess child({kProgram, "--port", "0"});
  const std::uint16_t port = StartServer(child);
  ASSERT_NE(port, 0);
  Client idle(port);
  ASSERT_TRUE(idle.Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(idle.Read());
  Client busy(port);
  ASSERT_TRUE(busy.Send(
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n"));
  const auto interim = busy.Read();  // the server is now inside the request
  ASSERT_TRUE(interim);
  ASSERT_EQ(interim->status, 100);

  const auto signalled = std::chrono::steady_clock::now();
  child.Signal(SIGTERM);
  // The idle connection closing shows the shutdown has reached the event loop.
  EXPECT_TRUE(idle.WaitClosed());
  ASSERT_TRUE(busy.Send("abc"));
  const auto r = busy.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->Header("Connection"), "close");
  EXPECT_TRUE(r->body.ends_with("body-length: 3\nabc"));
  EXPECT_TRUE(busy.WaitClosed());
  EXPECT_EQ(child.Wait(), 0) << child.Stderr();
  // The documented bound is 2 s; the margin absorbs a loaded machine.
  EXPECT_LT(std::chrono::steady_clock::now() - signalled, std::chrono::seconds(4));
  Client late(port);
  EXPECT_FALSE(late.connected());
}

TEST(HttpServerProgram, SigintWithIdleConnectionsExitsZero) {
  ChildProcess child({kProgram, "--port", "0", "--threads", "2"});
  const std::uint16_t port = StartServer(child);
  ASSERT_NE(port, 0);
  Client idle(port);
  ASSERT_TRUE(idle.Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(idle.Read());
  child.Signal(SIGINT);
  EXPECT_TRUE(idle.WaitClosed());
  EXPECT_EQ(child.Wait(), 0) << child.Stderr();
  EXPECT_EQ(child.Stderr(), "");  // quiet by default
}

TEST(HttpServerProgram, IoUringServesAndShutsDownOnSigterm) {
  ChildProcess child({kProgram, "--port", "0", "--io", "uring", "--threads", "2"});
  const std::uint16_t port = StartServer(child);
  ASSERT_NE(port, 0) << child.Stderr();
  Client idle(port);
  ASSERT_TRUE(idle.Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  const auto page = idle.Read();
  ASSERT_TRUE(page);
  EXPECT_EQ(page->body, "<h1>Hola Mundo</h1>\n");
  Client busy(port);
  ASSERT_TRUE(busy.Send(
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n"));
  const auto interim = busy.Read();
  ASSERT_TRUE(interim);
  ASSERT_EQ(interim->status, 100);
  child.Signal(SIGTERM);
  EXPECT_TRUE(idle.WaitClosed());
  ASSERT_TRUE(busy.Send("abc"));
  const auto r = busy.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->Header("Connection"), "close");
  EXPECT_TRUE(r->body.ends_with("body-length: 3\nabc"));
  EXPECT_EQ(child.Wait(), 0) << child.Stderr();
  EXPECT_EQ(child.Stderr(), "");
}

TEST(HttpServerProgram, VerboseLogsRequestsOnStderr) {
  ChildProcess child({kProgram, "--port", "0", "--verbose"});
  const std::uint16_t port = StartServer(child);
  ASSERT_NE(port, 0);
  Client client(port);
  ASSERT_TRUE(client.Send("GET /nope HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(client.Read());
  child.Signal(SIGTERM);
  EXPECT_EQ(child.Wait(), 0);
  EXPECT_NE(child.Stderr().find("GET /nope HTTP/1.1 -> 404"), std::string::npos) << child.Stderr();
}

TEST(HttpServerProgram, TlsFlagsComeInPairsAndBadFilesAreStartUpErrors) {
  ChildProcess half({kProgram, "--port", "0", "--tls-cert", "cert.pem"});
  EXPECT_EQ(half.Wait(), 2);
  EXPECT_NE(half.Stderr().find("http-server: --tls-cert needs --tls-key"), std::string::npos)
      << half.Stderr();
  ChildProcess missing(
      {kProgram, "--port", "0", "--tls-cert", "no/such.pem", "--tls-key", "no/such.key"});
  EXPECT_EQ(missing.Wait(), 1);
  EXPECT_NE(missing.Stderr().find(
                "http-server: cannot read the TLS certificate file no/such.pem: No such file"),
            std::string::npos)
      << missing.Stderr();
}

// A throw-away CA and a certificate for 127.0.0.1 and localhost, in a temporary folder.
class TlsFolder {
 public:
  TlsFolder() {
    char pattern[] = "/tmp/parley-https-XXXXXX";
    dir_ = mkdtemp(pattern);
    tls::TestCa ca("parley test CA");
    const tls::Pem server = ca.Issue(
        {.common_name = "localhost", .dns_names = {"localhost"}, .ip_addresses = {"127.0.0.1"}});
    tls::WriteTextFile(cert(), server.certificate);
    tls::WriteTextFile(key(), server.private_key);
    tls::WriteTextFile(ca_file(), ca.certificate());
  }
  ~TlsFolder() { std::filesystem::remove_all(dir_); }
  std::string cert() const { return dir_ + "/server.pem"; }
  std::string key() const { return dir_ + "/server.key"; }
  std::string ca_file() const { return dir_ + "/ca.pem"; }

 private:
  std::string dir_;
};

// Sends `request` over TLS (verifying the test CA, offering ALPN http/1.1) and reads until the
// server ends the connection; `*clean` says whether it ended with close_notify.
std::string HttpsExchange(std::uint16_t port, const std::string& ca_file,
                          const std::string& request, bool* clean) {
  namespace asio = boost::asio;
  asio::io_context io;
  asio::ssl::context context(asio::ssl::context::tls_client);
  context.load_verify_file(ca_file);
  context.set_verify_mode(asio::ssl::verify_peer);
  asio::ssl::stream<asio::ip::tcp::socket> stream(io, context);
  stream.set_verify_callback(asio::ssl::host_name_verification("127.0.0.1"));
  const unsigned char alpn[] = "\x08http/1.1";
  SSL_set_alpn_protos(stream.native_handle(), alpn, sizeof alpn - 1);
  boost::system::error_code ec;
  stream.next_layer().connect({asio::ip::make_address("127.0.0.1"), port}, ec);
  if (!ec) stream.handshake(asio::ssl::stream_base::client, ec);
  if (ec) return "handshake: " + ec.message();
  const unsigned char* chosen = nullptr;
  unsigned chosen_size = 0;
  SSL_get0_alpn_selected(stream.native_handle(), &chosen, &chosen_size);
  std::string got =
      "alpn: " + std::string(reinterpret_cast<const char*>(chosen), chosen_size) + "\n";
  asio::write(stream, asio::buffer(request), ec);
  char buffer[4096];
  for (;;) {
    const std::size_t n = stream.read_some(asio::buffer(buffer), ec);
    if (ec) break;
    got.append(buffer, n);
  }
  *clean = ec == asio::error::eof;
  return got;
}

TEST(HttpServerProgram, ServesHttpsAndAnswersPlainHttpWith400) {
  TlsFolder files;
  ChildProcess child(
      {kProgram, "--port", "0", "--tls-cert", files.cert(), "--tls-key", files.key()});
  const std::uint16_t port = StartServer(child, true);
  ASSERT_NE(port, 0) << child.Stderr();
  bool clean = false;
  const std::string got = HttpsExchange(
      port, files.ca_file(),
      "GET / HTTP/1.1\r\nHost: x\r\n\r\nHEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
      &clean);
  EXPECT_TRUE(got.starts_with("alpn: http/1.1\nHTTP/1.1 200 OK\r\n")) << got;
  EXPECT_TRUE(got.ends_with("Connection: close\r\n\r\n")) << got;  // the HEAD, pipelined
  EXPECT_NE(got.find("<h1>Hola Mundo</h1>\nHTTP/1.1 200 OK\r\n"), std::string::npos) << got;
  EXPECT_TRUE(clean) << "the server did not end with close_notify";

  Client plain(port);
  ASSERT_TRUE(plain.Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  const auto r = plain.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(r->body, "error: plain-http-on-tls-port\n");
  EXPECT_TRUE(plain.WaitClosed());
  child.Signal(SIGTERM);
  EXPECT_EQ(child.Wait(), 0) << child.Stderr();
}

}  // namespace
}  // namespace parley::http
