// A child process the runner started: a target server. It runs in a process group of its own
// (so Ctrl-C at the terminal reaches parley, which then stops it, and a stop reaches the
// target's own children), with stdin from /dev/null, and stdout and stderr read asynchronously
// into bounded buffers (the last 64 KiB of stderr is kept for reports). If parley dies without
// stopping it, the kernel kills it (PR_SET_PDEATHSIG).
//
// All members are used from the io_context's thread. The exit status is collected by polling
// waitpid, so no SIGCHLD handler is involved; the destructor kills and reaps a process that is
// still running, so a ChildProcess never leaves a zombie or an orphan behind. A folder given to
// the process (ProcessOptions::dir) is removed once it has been reaped.
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
#include <string_view>
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

// `arg` as a POSIX shell reads it back: as it is when it has only safe characters, else in
// single quotes (a quote inside written '\''). "" for the empty string.
std::string ShellQuote(std::string_view arg);
// Each NAME=VALUE of `environment`, then `argv`, quoted and joined by spaces: a command line a
// person can paste into a shell.
std::string ShellCommand(const std::vector<std::string>& argv,
                         const std::vector<std::string>& environment = {});
// The last `count` lines of `text` (a last line without LF counts), prefixed with "[... N
// earlier lines ...]" when some were left out.
std::string LastLines(std::string_view text, std::size_t count);

// A private folder (mode 0700) that is removed, with everything in it, when its owner is
// destroyed or calls Remove(). Move-only.
class OwnedDir {
 public:
  OwnedDir() = default;
  // Creates $TMPDIR/PREFIX-XXXXXX (or /tmp/...). On failure returns an empty OwnedDir and sets
  // `*error`.
  static OwnedDir Create(std::string_view prefix, std::string* error);
  OwnedDir(OwnedDir&& other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }
  OwnedDir& operator=(OwnedDir&& other) noexcept;
  OwnedDir(const OwnedDir&) = delete;
  OwnedDir& operator=(const OwnedDir&) = delete;
  ~OwnedDir() { Remove(); }

  const std::string& path() const { return path_; }
  bool empty() const { return path_.empty(); }
  void Remove();

 private:
  std::string path_;
};

struct ProcessOptions {
  // NAME=VALUE entries set in the child's environment (parley's, with these in place of or
  // beside the variables of those names).
  std::vector<std::string> environment;
  std::string cwd;  // the child's working folder; empty: parley's
  OwnedDir dir;     // removed once the process has been reaped (or could not start)
};

class ChildProcess : public std::enable_shared_from_this<ChildProcess> {
 public:
  static constexpr std::size_t kTailBytes = 64 * 1024;
  // What is kept of the end of stdout (its beginning is kept for the ready line).
  static constexpr std::size_t kStdoutEndBytes = 16 * 1024;

  enum class Stream { kStdout, kStderr };

  // Starts `argv` (argv[0] is searched in PATH when it has no slash) as `options` say. On
  // failure (no such program, not executable, no such cwd, out of resources) returns nullptr
  // with `*error` set.
  static std::shared_ptr<ChildProcess> Start(boost::asio::any_io_executor executor,
                                             const std::vector<std::string>& argv,
                                             std::string* error, ProcessOptions options);
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

  // Waits for the first line of `stream` (since start) that `ready` matches, and returns its
  // groups. Fails with `*error` set when `timeout` passes, or the process exits or closes that
  // stream first. Lines that fell out of the kept output (past the first 64 KiB of stdout, or
  // before the last 64 KiB of stderr) are not looked at.
  boost::asio::awaitable<std::optional<std::vector<std::string>>> WaitForLine(
      const Regex& ready, Duration timeout, std::string* error, Stream stream = Stream::kStdout);

  // Waits until the process exits or the deadline passes.
  boost::asio::awaitable<std::optional<ExitStatus>> WaitForExit(
      std::chrono::steady_clock::time_point deadline);

  // After a failure that may be the target's death: waits only as long as the process shows
  // that it is dying, and returns its status once it exits. It waits for the exit (up to
  // `limit`) while stderr since byte `stderr_since` holds a sanitizer's report (which ends with
  // the exit once its stack traces are symbolized) or while the process has closed all its
  // files (the kernel does that as it exits, a moment before the exit can be reaped). Else it
  // returns nothing once the process has been quiet for `quiet`, or for `linger` after its
  // latest write to stderr: a message may be the start of a report.
  boost::asio::awaitable<std::optional<ExitStatus>> WaitForExitWhileReporting(
      std::size_t stderr_since, Duration quiet, Duration linger,
      std::chrono::steady_clock::time_point limit);

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
  // The first 64 KiB of stdout.
  std::string StdoutText() const { return stdout_.tail; }
  // The last kStdoutEndBytes of stdout.
  const std::string& StdoutEnd() const { return stdout_end_; }

 private:
  struct Tail {
    std::string tail;       // stdout: the first kTailBytes bytes; stderr: the last
    std::size_t total = 0;  // bytes ever written
    std::chrono::steady_clock::time_point last_write{};  // when the latest bytes were read
    std::size_t scanned = 0;  // bytes looked at by WaitForLine (the start of a line)
    bool eof = false;

    // The offset in the stream of tail's first byte.
    std::size_t begin(bool keeps_start) const { return keeps_start ? 0 : total - tail.size(); }
  };

  ChildProcess(boost::asio::any_io_executor executor, pid_t pid, int stdout_fd, int stderr_fd);
  // Reaped: remember how it ended, let go of its folder.
  void Reaped(ExitStatus status);
  // The next complete line of `tail` not looked at yet, if any.
  static std::optional<std::string_view> NextLine(Tail* tail, bool keeps_start);
  void StartReading();
  static boost::asio::awaitable<void> Drain(std::shared_ptr<ChildProcess> self, bool is_stderr);
  void Append(Tail* tail, const char* data, std::size_t n);
  void CloseOutputs();
  // True when the process has no open file left: it is exiting (or gone).
  bool ClosedItsFiles() const;
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
  std::string stdout_end_;
  OwnedDir dir_;
  boost::asio::steady_timer notify_;
  boost::asio::steady_timer close_timer_;
};

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_PLAY_PROCESS_H_
