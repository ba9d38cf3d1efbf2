// What the tests of readiness and the target pool share: a small TCP server to start as a
// target (python3, which every build machine has), a folder for its files, and a way to run a
// coroutine with a time limit.
#ifndef PARLEY_HARNESS_PLAY_TARGET_TEST_UTIL_H_
#define PARLEY_HARNESS_PLAY_TARGET_TEST_UTIL_H_

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

namespace parley::harness::test {

// server.py HOST PORT [DELAY [STREAM]] or server.py --config FILE [DELAY [STREAM]] (FILE: "HOST
// PORT" on its first line, anything on the second): sleeps DELAY seconds, listens, prints "up"
// on STREAM (stdout, stderr or none), and greets each client with a line about itself.
inline constexpr const char* kServerPy = R"(import os, socket, sys, time
args = sys.argv[1:]
extra = ""
if args[0] == "--config":
    with open(args[1]) as f:
        lines = f.read().split("\n")
    host, port = lines[0].split()
    extra = lines[1]
    args = args[2:]
else:
    host, port = args[0], args[1]
    args = args[2:]
time.sleep(float(args[0]) if args else 0)
stream = args[1] if len(args) > 1 else "stdout"
s = socket.socket()
s.bind((host, int(port)))
s.listen(16)
if stream != "none":
    print("up", file=sys.stderr if stream == "stderr" else sys.stdout, flush=True)
while True:
    c, _ = s.accept()
    c.sendall(("hello cwd=%s greeting=%s extra=%s\n" %
               (os.getcwd(), os.environ.get("GREETING", ""), extra)).encode())
    c.close()
)";

// A fresh folder under /tmp, removed at the end of the test, with server.py in it.
class TargetFolder : public testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/parley-target-test-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
    Write("server.py", kServerPy);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void Write(const std::string& name, const std::string& text) {
    std::filesystem::create_directories((dir_ / name).parent_path());
    std::ofstream(dir_ / name, std::ios::binary) << text;
  }
  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

  std::filesystem::path dir_;
};

// Runs `body` on a fresh io_context; fails the test if it has not finished within 30 s.
template <class F>
void RunCoroutine(F body) {
  boost::asio::io_context io;
  bool done = false;
  boost::asio::co_spawn(io, body(io.get_executor()), [&](std::exception_ptr e) {
    done = true;
    if (e) std::rethrow_exception(e);
  });
  io.run_for(std::chrono::seconds(30));
  EXPECT_TRUE(done) << "timed out";
}

// Connects to 127.0.0.1:port (blocking, 5 s at most) and returns the first line it reads, or
// what went wrong.
inline std::string FirstLine(const std::string& port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  timeval five{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &five, sizeof five);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(std::stoi(port)));
  ::inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
  std::string line;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    line = "(cannot connect)";
  } else {
    char c;
    while (::read(fd, &c, 1) == 1 && c != '\n')
      line += c;
  }
  ::close(fd);
  return line;
}

}  // namespace parley::harness::test

#endif  // PARLEY_HARNESS_PLAY_TARGET_TEST_UTIL_H_
