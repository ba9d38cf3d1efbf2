// A child process the runner started: a target server. It runs in a process group of its own
// (so Ctrl-C at the terminal reaches parley, which then stops it, and a stop reaches the
// target's own children), with stdin from /dev/null, and stdout and stderr read asynchronously
// into bounded buffers (the last 64 KiB of stderr is kept for reports). If parley dies without
// stopping it, the kernel kills it (PR_SET_PDEATHSIG).
//
// All members are used from the io_context's thread. The exit status is collected by polling
// waitpid, so no SIGCHLD handler is involved; the destructor kills and reaps a process that is
// still running, so a ChildProcess never leaves a zombie or an orphan behind.
#ifndef PARLEY_HARNESS_PLAY_PROCESS_H_
#define PARLEY_HARNESS_PLAY_PROCESS_H_

#include <sys/types.h>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "harness/scenario/duration.h"
#include "harness/scenario/regex.h"

namespace parley::harness {

struct ExitStatus {
  bool signaled = false;
  int code = 0;    // the exit code, when !signaled
  int signal = 0;  // the signal, when signaled

  bool clean() const { return !signaled && code == 0; }
  // "exit code 1", "killed by signal 6 (SIGABRT)"
  std::string ToString() const;
};

class ChildProcess : public std::enable_shared_from_this<ChildProcess> {
 public:
  static constexpr std::size_t kTailBytes = 64 * 1024;

  // Starts `argv` (argv[0] is searched in PATH when it has no slash) in parley's environment
  // with each NAME=VALUE of `environment` set. On failure (no such program, not executable, out
  // of resources) returns nullptr with `*error` set.
  static std::shared_ptr<ChildProcess> Start(boost::asio::any_io_executor executor,
                                             const std::vector<std::string>& argv,
                                             std::string* error,
                                             const std::vector<std::string>& environment = {});

  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();

  pid_t pid() const { return pid_; }
  const std::string& program() const { return program_; }

  // Reaps the process if it has exited; returns its status then.
  std::optional<ExitStatus> Poll();
  bool running() { return !Poll().has_value(); }

  // Sends `signal` to the process group; false once the process has been reaped.
  bool Signal(int signal);

  // Waits for the first stdout line (since start) that `ready` matches, and returns its
  // groups. Fails with `*error` set when `timeout` passes, or the process exits or closes its
  // stdout first.
  boost::asio::awaitable<std::optional<std::vector<std::string>>> WaitForLine(const Regex& ready,
                                                                              Duration timeout,
                                                                              std::string* error);

  // Waits until the process exits or the deadline passes.
  boost::asio::awaitable<std::optional<ExitStatus>> WaitForExit(
      std::chrono::steady_clock::time_point deadline);

  // Waits until everything the process wrote to stdout and stderr has been read (both pipes at
  // their end), or the deadline passes. Call it after the exit, before reading StderrSince.
  boost::asio::awaitable<void> WaitForOutputs(std::chrono::steady_clock::time_point deadline);

  // SIGTERM, then SIGKILL if it has not exited within `grace`; always reaps. `*killed` tells
  // whether SIGKILL was needed.
  boost::asio::awaitable<ExitStatus> Stop(Duration grace, bool* killed);

  // Everything written to stderr since the byte count `since` (see stderr_total), as far as
  // the kept tail reaches; "[... N bytes not kept ...]" marks what fell out.
  std::string StderrSince(std::size_t since) const;
  std::size_t stderr_total() const { return stderr_.total; }
  std::string StdoutText() const { return stdout_.tail; }

 private:
  struct Tail {
    std::string tail;       // the last kTailBytes bytes
    std::size_t total = 0;  // bytes ever written
    bool eof = false;
  };

  ChildProcess(boost::asio::any_io_executor executor, pid_t pid, int stdout_fd, int stderr_fd);
  void StartReading();
  static boost::asio::awaitable<void> Drain(std::shared_ptr<ChildProcess> self, bool is_stderr);
  void Append(Tail* tail, const char* data, std::size_t n);
  void CloseOutputs();
  // Wakes a waiter in WaitForLine/WaitForExit.
  void Notify() { notify_.cancel(); }
  boost::asio::awaitable<void> WaitForChange(std::chrono::steady_clock::time_point until);

  boost::asio::any_io_executor executor_;
  pid_t pid_ = -1;
  std::string program_;
  std::optional<ExitStatus> status_;
  boost::asio::posix::stream_descriptor stdout_pipe_;
  boost::asio::posix::stream_descriptor stderr_pipe_;
  Tail stdout_;
  Tail stderr_;
  std::size_t stdout_scanned_ = 0;  // offset in stdout_.tail of the first unexamined line
  boost::asio::steady_timer notify_;
  boost::asio::steady_timer close_timer_;
};

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_PLAY_PROCESS_H_
