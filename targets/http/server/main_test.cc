// The http-server program itself: its command line, exit codes, ready line and signals.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <regex>

#include "targets/http/server/test_support.h"

namespace parley::http {
namespace {

using testing::ChildProcess;
using testing::Client;

const std::string kProgram = HTTP_SERVER_PROGRAM;

// Starts http-server on port 0 with `flags`; returns the port from its ready line (0 if none).
std::uint16_t StartServer(ChildProcess& child) {
  const auto line = child.ReadLine();
  if (!line) return 0;
  std::smatch match;
  static const std::regex kReady(R"(listening on http://127\.0\.0\.1:([0-9]+))");
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

}  // namespace
}  // namespace parley::http
