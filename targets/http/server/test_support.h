// Test support for http-server: a blocking loopback client whose every wait has a deadline, a
// response splitter built on Boost.Beast's parser (an implementation independent of the
// server's), an in-process server on 127.0.0.1 port 0, and a child-process runner for the
// http-server program. Test-only; not part of the server library.
#ifndef PARLEY_TARGETS_HTTP_SERVER_TEST_SUPPORT_H_
#define PARLEY_TARGETS_HTTP_SERVER_TEST_SUPPORT_H_

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "targets/http/server/config.h"
#include "targets/http/server/server.h"

namespace parley::http::testing {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Generous: long enough for a loaded machine running sanitizers, short enough to fail fast.
inline constexpr Duration kWait = std::chrono::seconds(10);

struct Response {
  int status = 0;
  std::string reason;
  std::vector<std::pair<std::string, std::string>> headers;  // in order
  std::string body;
  std::string raw;  // the exact bytes

  // The first field with this name (case-insensitive).
  std::optional<std::string> Header(std::string_view name) const;
  bool HasHeader(std::string_view name) const { return Header(name).has_value(); }
};

// Splits `bytes` into consecutive responses. `head` lists, per response, whether it answers a
// HEAD request (missing entries: not HEAD). Interim responses (100) count as responses. Stops at
// the first incomplete or malformed response; `rest` (optional) receives the unparsed bytes.
std::vector<Response> ParseResponses(std::string_view bytes, const std::vector<bool>& head = {},
                                     std::string* rest = nullptr);

// Drops the Date header's value so outputs from different seconds compare equal.
std::string WithoutDates(std::string_view bytes);

// A TCP client with deadlines, on blocking-free sockets and poll().
class Client {
 public:
  explicit Client(std::uint16_t port, Duration timeout = kWait);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  bool connected() const { return fd_ >= 0; }
  bool Send(std::string_view bytes, Duration timeout = kWait);
  // Shuts down the sending side (the server reads EOF).
  void ShutdownSend();
  // The next response; nullopt on timeout, close or malformed bytes.
  std::optional<Response> Read(bool head = false, Duration timeout = kWait);
  // Reads until the server closes; nullopt if it does not within `timeout`. Returns what came.
  std::optional<std::string> ReadUntilClosed(Duration timeout = kWait);
  // True if the server closes within `timeout` without sending anything more.
  bool WaitClosed(Duration timeout = kWait);
  // True if nothing arrives and the connection stays open for `quiet`.
  bool StaysQuiet(Duration quiet);

 private:
  // Appends what arrives before `deadline` to pending_: >0 bytes, 0 on EOF or reset, -1 timeout.
  long Receive(Clock::time_point deadline);

  int fd_ = -1;
  std::string pending_;
};

// An http::Server on 127.0.0.1, port 0, running on its own thread until destroyed. With
// PARLEY_TEST_HTTP_IO=uring in the environment it serves with --io uring, so one test binary
// runs every loopback test over both engines (CMakeLists.txt registers it twice).
class RunningServer {
 public:
  explicit RunningServer(ServerConfig config);
  ~RunningServer();
  RunningServer(const RunningServer&) = delete;
  RunningServer& operator=(const RunningServer&) = delete;

  std::uint16_t port() const { return port_; }
  Server& server() { return *server_; }
  // Shuts down and waits for Run() to return (at most `timeout`); true if it did.
  bool Stop(Duration timeout = kWait);

 private:
  std::unique_ptr<Server> server_;
  std::thread thread_;
  std::future<void> done_;
  std::uint16_t port_ = 0;
};

// A port on 127.0.0.1 held by a listening socket of this process, so that no server can
// listen there.
class HeldPort {
 public:
  HeldPort();  // throws std::runtime_error when no port can be held
  ~HeldPort();
  HeldPort(const HeldPort&) = delete;
  HeldPort& operator=(const HeldPort&) = delete;

  std::uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

// A child process with its stdout and stderr captured.
class ChildProcess {
 public:
  explicit ChildProcess(const std::vector<std::string>& argv);
  ~ChildProcess();  // SIGKILLs and reaps the child if still running
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  bool started() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  // The first stdout line, if one arrives within `timeout`.
  std::optional<std::string> ReadLine(Duration timeout = kWait);
  // The exit status (or 128 + signal) once the child exits within `timeout`.
  std::optional<int> Wait(Duration timeout = kWait);
  void Signal(int signal);
  // What the child wrote to stderr so far (after Wait, all of it).
  std::string Stderr();

 private:
  void Drain(int fd, std::string& into);

  pid_t pid_ = -1;
  int out_ = -1;
  int err_ = -1;
  std::string out_text_;
  std::string err_text_;
  std::optional<int> status_;
};

}  // namespace parley::http::testing

#endif  // PARLEY_TARGETS_HTTP_SERVER_TEST_SUPPORT_H_
