#include "harness/play/process.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cerrno>
#include <cstdlib>
#include <filesystem>

namespace parley::harness {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

void CloseFd(int fd) {
  if (fd >= 0) ::close(fd);
}

// What the child reports on its report pipe when it cannot exec: the step that failed, errno.
enum ChildStage : int { kSetUp = 0, kChangeDir = 1, kExec = 2 };
struct ChildFailure {
  int stage = kSetUp;
  int error = 0;
};

[[noreturn]] void ReportAndExit(int report_fd, int stage) {
  ChildFailure failure{stage, errno};
  (void)!::write(report_fd, &failure, sizeof failure);
  ::_exit(127);
}

// Runs in the child between fork and exec: only async-signal-safe calls.
[[noreturn]] void ExecChild(char* const* argv, char* const* envp, const char* cwd, int stdout_fd,
                            int stderr_fd, int report_fd, pid_t parent) {
  ::setpgid(0, 0);
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent) ::_exit(127);
  sigset_t none;
  ::sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  for (int sig : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD})
    ::signal(sig, SIG_DFL);
  int null_fd = ::open("/dev/null", O_RDONLY);
  if (null_fd < 0 || ::dup2(null_fd, 0) < 0 || ::dup2(stdout_fd, 1) < 0 ||
      ::dup2(stderr_fd, 2) < 0) {
    ReportAndExit(report_fd, kSetUp);
  }
  if (cwd != nullptr && ::chdir(cwd) != 0) ReportAndExit(report_fd, kChangeDir);
  // Nothing else of parley's (sockets of other scenarios, other targets' pipes) leaks into the
  // target: a leaked client socket would keep a connection open after parley closes it.
  if (report_fd > 3) ::close_range(3, static_cast<unsigned>(report_fd) - 1, 0);
  ::close_range(static_cast<unsigned>(report_fd) + 1, ~0U, 0);
  if (envp != nullptr) {
    ::execvpe(argv[0], argv, envp);
  } else {
    ::execvp(argv[0], argv);
  }
  ReportAndExit(report_fd, kExec);
}

// Characters a shell takes literally in a word.
bool ShellSafe(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("_@%+=:,./-").find(c) != std::string_view::npos;
}

const char* SignalName(int signal) {
  switch (signal) {
    case SIGHUP:
      return "SIGHUP";
    case SIGINT:
      return "SIGINT";
    case SIGQUIT:
      return "SIGQUIT";
    case SIGILL:
      return "SIGILL";
    case SIGABRT:
      return "SIGABRT";
    case SIGBUS:
      return "SIGBUS";
    case SIGFPE:
      return "SIGFPE";
    case SIGKILL:
      return "SIGKILL";
    case SIGSEGV:
      return "SIGSEGV";
    case SIGPIPE:
      return "SIGPIPE";
    case SIGTERM:
      return "SIGTERM";
    case SIGUSR1:
      return "SIGUSR1";
    case SIGUSR2:
      return "SIGUSR2";
    default:
      return "";
  }
}

}  // namespace

std::string ExitStatus::ToString() const {
  if (!signaled) return "exit code " + std::to_string(code);
  std::string name = SignalName(signal);
  return "killed by signal " + std::to_string(signal) + (name.empty() ? "" : " (" + name + ")");
}

std::string ShellQuote(std::string_view arg) {
  if (!arg.empty() && std::all_of(arg.begin(), arg.end(), ShellSafe)) return std::string(arg);
  std::string out = "'";
  for (char c : arg)
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string ShellCommand(const std::vector<std::string>& argv,
                         const std::vector<std::string>& environment) {
  std::string out;
  for (const std::string& entry : environment) {
    std::size_t eq = entry.find('=');
    out += entry.substr(0, eq) + "=" + ShellQuote(std::string_view(entry).substr(eq + 1)) + " ";
  }
  for (const std::string& arg : argv) {
    std::string word = ShellQuote(arg);
    // A first word with '=' would be read as one more assignment.
    if (&arg == &argv.front() && word == arg && arg.find('=') != std::string::npos) {
      word = "'" + arg + "'";
    }
    out += word + " ";
  }
  if (!out.empty()) out.pop_back();
  return out;
}

std::string LastLines(std::string_view text, std::size_t count) {
  if (text.empty() || count == 0) return "";
  // The lines kept start after `cut`; a final LF ends the last line rather than starting one.
  std::size_t cut = text.back() == '\n' ? text.size() - 1 : text.size();
  for (std::size_t i = 0; i < count; ++i) {
    std::size_t lf = cut == 0 ? std::string_view::npos : text.rfind('\n', cut - 1);
    if (lf == std::string_view::npos) return std::string(text);
    cut = lf;
  }
  auto left_out =
      std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(cut) + 1, '\n');
  return "[... " + std::to_string(left_out) + " earlier lines ...]\n" +
         std::string(text.substr(cut + 1));
}

OwnedDir OwnedDir::Create(std::string_view prefix, std::string* error) {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/" +
                        std::string(prefix) + "-XXXXXX";
  OwnedDir dir;
  if (::mkdtemp(pattern.data()) == nullptr) {
    *error = "cannot create a folder " + pattern + ": " + ::strerror(errno);
    return dir;
  }
  dir.path_ = std::filesystem::absolute(pattern).lexically_normal().string();
  return dir;
}

OwnedDir& OwnedDir::operator=(OwnedDir&& other) noexcept {
  if (this != &other) {
    Remove();
    path_ = std::move(other.path_);
    other.path_.clear();
  }
  return *this;
}

void OwnedDir::Remove() {
  if (path_.empty()) return;
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
  path_.clear();
}

std::shared_ptr<ChildProcess> ChildProcess::Start(asio::any_io_executor executor,
                                                  const std::vector<std::string>& argv,
                                                  std::string* error,
                                                  const std::vector<std::string>& environment) {
  ProcessOptions options;
  options.environment = environment;
  return Start(executor, argv, error, std::move(options));
}

std::shared_ptr<ChildProcess> ChildProcess::Start(asio::any_io_executor executor,
                                                  const std::vector<std::string>& argv,
                                                  std::string* error, ProcessOptions options) {
  const std::vector<std::string>& environment = options.environment;
  if (argv.empty() || argv[0].empty()) {
    *error = "the command is empty";
    return nullptr;
  }
  std::vector<char*> args;
  for (const std::string& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  // The child's environment: parley's, with each NAME=VALUE of `environment` in place of (or
  // beside) the variable of that name. Built before the fork: the child only reads it.
  std::vector<std::string> merged;
  std::vector<char*> envp;
  if (!environment.empty()) {
    auto name_of = [](std::string_view entry) { return entry.substr(0, entry.find('=')); };
    for (char** e = environ; *e != nullptr; ++e) {
      std::string_view entry(*e);
      bool replaced = false;
      for (const std::string& extra : environment)
        replaced = replaced || name_of(extra) == name_of(entry);
      if (!replaced) merged.emplace_back(entry);
    }
    merged.insert(merged.end(), environment.begin(), environment.end());
    for (std::string& entry : merged)
      envp.push_back(entry.data());
    envp.push_back(nullptr);
  }
  int out[2] = {-1, -1};
  int err[2] = {-1, -1};
  int report[2] = {-1, -1};
  if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0 ||
      ::pipe2(report, O_CLOEXEC) != 0) {
    *error = std::string("cannot create pipes: ") + ::strerror(errno);
    for (int fd : {out[0], out[1], err[0], err[1], report[0], report[1]})
      CloseFd(fd);
    return nullptr;
  }
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) {
    *error = std::string("cannot fork: ") + ::strerror(errno);
    for (int fd : {out[0], out[1], err[0], err[1], report[0], report[1]})
      CloseFd(fd);
    return nullptr;
  }
  if (pid == 0) {
    ExecChild(args.data(), envp.empty() ? nullptr : envp.data(),
              options.cwd.empty() ? nullptr : options.cwd.c_str(), out[1], err[1], report[1],
              parent);
  }
  // Also set the group from this side, so a signal sent right away reaches the group.
  ::setpgid(pid, pid);
  for (int fd : {out[1], err[1], report[1]})
    CloseFd(fd);
  ChildFailure failure;
  ssize_t n;
  do {
    n = ::read(report[0], &failure, sizeof failure);
  } while (n < 0 && errno == EINTR);
  CloseFd(report[0]);
  if (n == static_cast<ssize_t>(sizeof failure)) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    CloseFd(out[0]);
    CloseFd(err[0]);
    std::string reason = ::strerror(failure.error);
    if (failure.stage == kChangeDir) {
      *error = "cannot change to the folder '" + options.cwd + "': " + reason;
    } else if (failure.stage == kSetUp) {
      *error = "cannot set up the standard streams of '" + argv[0] + "': " + reason;
    } else {
      *error = "cannot run '" + argv[0] + "': " + reason;
    }
    return nullptr;
  }
  std::shared_ptr<ChildProcess> child(new ChildProcess(executor, pid, out[0], err[0]));
  child->program_ = argv[0];
  child->dir_ = std::move(options.dir);
  child->StartReading();
  return child;
}

ChildProcess::ChildProcess(asio::any_io_executor executor, pid_t pid, int stdout_fd, int stderr_fd)
    : executor_(executor),
      pid_(pid),
      stdout_pipe_(executor, stdout_fd),
      stderr_pipe_(executor, stderr_fd),
      notify_(executor),
      close_timer_(executor) {}

ChildProcess::~ChildProcess() {
  if (!status_ && pid_ > 0) {
    ::kill(-pid_, SIGKILL);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
  // dir_ (a member) is removed after this body: after the reap.
}

void ChildProcess::StartReading() {
  asio::co_spawn(executor_, Drain(shared_from_this(), false), asio::detached);
  asio::co_spawn(executor_, Drain(shared_from_this(), true), asio::detached);
}

asio::awaitable<void> ChildProcess::Drain(std::shared_ptr<ChildProcess> self, bool is_stderr) {
  auto& pipe = is_stderr ? self->stderr_pipe_ : self->stdout_pipe_;
  Tail* tail = is_stderr ? &self->stderr_ : &self->stdout_;
  char buffer[8192];
  for (;;) {
    boost::system::error_code ec;
    std::size_t n = co_await pipe.async_read_some(asio::buffer(buffer),
                                                  asio::redirect_error(asio::use_awaitable, ec));
    if (n > 0) self->Append(tail, buffer, n);
    if (ec) break;
  }
  tail->eof = true;
  self->Notify();
}

void ChildProcess::Append(Tail* tail, const char* data, std::size_t n) {
  tail->total += n;
  tail->last_write = Clock::now();
  if (tail == &stdout_) {
    // stdout keeps its beginning: that is where the ready line is; and its end, for reports.
    if (tail->tail.size() < kTailBytes)
      tail->tail.append(data, std::min(n, kTailBytes - tail->tail.size()));
    stdout_end_.append(data, n);
    if (stdout_end_.size() > kStdoutEndBytes)
      stdout_end_.erase(0, stdout_end_.size() - kStdoutEndBytes);
  } else {
    tail->tail.append(data, n);
    if (tail->tail.size() > kTailBytes) tail->tail.erase(0, tail->tail.size() - kTailBytes);
  }
  Notify();
}

std::optional<ExitStatus> ChildProcess::Poll() {
  if (status_) return status_;
  int status = 0;
  pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r != pid_) return std::nullopt;
  ExitStatus s;
  if (WIFSIGNALED(status)) {
    s.signaled = true;
    s.signal = WTERMSIG(status);
  } else {
    s.code = WEXITSTATUS(status);
  }
  Reaped(s);
  // The pipes reach their end once the output still in them is read. A grandchild that kept
  // them open must not keep the drains (and so the io_context) alive: close them after a while.
  std::weak_ptr<ChildProcess> weak = weak_from_this();
  close_timer_.expires_after(std::chrono::seconds(1));
  close_timer_.async_wait([weak](const boost::system::error_code& ec) {
    if (ec) return;
    if (auto self = weak.lock()) self->CloseOutputs();
  });
  Notify();
  return status_;
}

void ChildProcess::Reaped(ExitStatus status) {
  status_ = status;
  dir_.Remove();
}

void ChildProcess::CloseOutputs() {
  // Take what is still buffered in the pipes, then close them.
  for (bool is_stderr : {false, true}) {
    auto& pipe = is_stderr ? stderr_pipe_ : stdout_pipe_;
    if (!pipe.is_open()) continue;
    boost::system::error_code ec;
    pipe.non_blocking(true, ec);
    char buffer[8192];
    for (int rounds = 0; rounds < 64 && !ec; ++rounds) {
      std::size_t n = pipe.read_some(asio::buffer(buffer), ec);
      if (n > 0) Append(is_stderr ? &stderr_ : &stdout_, buffer, n);
    }
    pipe.close(ec);
  }
}

bool ChildProcess::Signal(int signal) {
  if (Poll()) return false;
  return ::kill(-pid_, signal) == 0 || ::kill(pid_, signal) == 0;
}

asio::awaitable<void> ChildProcess::WaitForChange(Clock::time_point until) {
  notify_.expires_at(until);
  boost::system::error_code ec;
  co_await notify_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

std::optional<std::string_view> ChildProcess::NextLine(Tail* tail, bool keeps_start) {
  std::size_t begin = tail->begin(keeps_start);
  tail->scanned = std::max(tail->scanned, begin);  // what fell out of the tail is skipped
  std::size_t from = tail->scanned - begin;
  std::size_t lf = tail->tail.find('\n', from);
  if (lf == std::string::npos) return std::nullopt;
  std::string_view line(tail->tail.data() + from, lf - from);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  tail->scanned = begin + lf + 1;
  return line;
}

asio::awaitable<std::optional<std::vector<std::string>>> ChildProcess::WaitForLine(
    const Regex& ready, Duration timeout, std::string* error, Stream stream) {
  auto self = shared_from_this();
  auto deadline = Clock::now() + timeout;
  const bool is_stdout = stream == Stream::kStdout;
  Tail* tail = is_stdout ? &stdout_ : &stderr_;
  const std::string name = is_stdout ? "stdout" : "stderr";
  const std::string where = is_stdout ? "" : " on stderr";
  for (;;) {
    while (auto line = NextLine(tail, is_stdout)) {
      std::vector<std::string> groups;
      if (ready.Search(*line, &groups)) co_return groups;
    }
    if (auto status = Poll()) {
      *error = "it exited (" + status->ToString() + ") before printing a line that matches /" +
               ready.pattern() + "/" + where;
      co_return std::nullopt;
    }
    if (tail->eof) {
      // Usually the process is exiting: say how it ended, if it does so soon.
      co_await WaitForExit(std::min(deadline, Clock::now() + std::chrono::seconds(1)));
      if (auto status = Poll()) {
        *error = "it exited (" + status->ToString() + ") before printing a line that matches /" +
                 ready.pattern() + "/" + where;
      } else {
        *error = "it closed its " + name + " before printing a line that matches /" +
                 ready.pattern() + "/";
      }
      co_return std::nullopt;
    }
    auto now = Clock::now();
    if (now >= deadline) {
      *error = "it printed no line matching /" + ready.pattern() + "/" + where + " within " +
               FormatDuration(timeout);
      co_return std::nullopt;
    }
    // Exit is noticed by polling; output wakes the wait at once.
    co_await WaitForChange(std::min(deadline, now + std::chrono::milliseconds(20)));
  }
}

asio::awaitable<std::optional<ExitStatus>> ChildProcess::WaitForExit(Clock::time_point deadline) {
  auto self = shared_from_this();
  auto pause = std::chrono::milliseconds(1);
  for (;;) {
    if (auto status = Poll()) co_return status;
    auto now = Clock::now();
    if (now >= deadline) co_return std::nullopt;
    co_await WaitForChange(std::min(deadline, now + pause));
    pause = std::min(pause * 2, std::chrono::milliseconds(20));
  }
}

namespace {

// The first line of an AddressSanitizer / UBSan / LeakSanitizer report ("==123==ERROR: ...",
// "file.cc:12:3: runtime error: ..."), which ends with the process's exit.
bool HoldsSanitizerReport(std::string_view text) {
  return text.find("==ERROR: ") != std::string_view::npos ||
         text.find(": runtime error: ") != std::string_view::npos;
}

}  // namespace

bool ChildProcess::ClosedItsFiles() const {
  const std::string folder = "/proc/" + std::to_string(pid_) + "/fd";
  DIR* dir = ::opendir(folder.c_str());
  if (dir == nullptr) return errno == ENOENT || errno == ESRCH;
  bool any = false;
  while (const dirent* entry = ::readdir(dir)) {
    if (std::strcmp(entry->d_name, ".") != 0 && std::strcmp(entry->d_name, "..") != 0) {
      any = true;
      break;
    }
  }
  ::closedir(dir);
  return !any;
}

asio::awaitable<std::optional<ExitStatus>> ChildProcess::WaitForExitWhileReporting(
    std::size_t stderr_since, Duration quiet, Duration linger, Clock::time_point limit) {
  auto self = shared_from_this();
  const Clock::time_point quiet_until = Clock::now() + quiet;
  auto pause = std::chrono::milliseconds(1);
  std::size_t looked_at = 0;  // stderr's byte count when it was last searched for a report
  bool reporting = false;
  for (;;) {
    if (auto status = Poll()) co_return status;
    const auto now = Clock::now();
    if (stderr_.total != looked_at) {
      looked_at = stderr_.total;
      reporting = HoldsSanitizerReport(StderrSince(stderr_since));
    }
    Clock::time_point until = std::max(quiet_until, stderr_.last_write + linger);
    if (reporting || ClosedItsFiles()) until = limit;
    until = std::min(until, limit);
    if (now >= until) co_return std::nullopt;
    co_await WaitForChange(std::min(until, now + pause));
    pause = std::min(pause * 2, std::chrono::milliseconds(20));
  }
}

asio::awaitable<void> ChildProcess::WaitForOutputs(Clock::time_point deadline) {
  auto self = shared_from_this();
  while (!(stdout_.eof && stderr_.eof) && Clock::now() < deadline) {
    co_await WaitForChange(deadline);
  }
}

asio::awaitable<ExitStatus> ChildProcess::Stop(Duration grace, bool* killed) {
  auto self = shared_from_this();
  *killed = false;
  if (auto status = Poll()) co_return *status;
  Signal(SIGTERM);
  if (auto status = co_await WaitForExit(Clock::now() + grace)) co_return *status;
  *killed = true;
  Signal(SIGKILL);
  if (auto status = co_await WaitForExit(Clock::now() + std::chrono::seconds(10)))
    co_return *status;
  // A process that survives SIGKILL for 10 s is stuck in the kernel; the destructor waits.
  ExitStatus unknown;
  unknown.signaled = true;
  unknown.signal = SIGKILL;
  co_return unknown;
}

std::string ChildProcess::StderrSince(std::size_t since) const {
  if (since >= stderr_.total) return "";
  std::size_t wanted = stderr_.total - since;
  if (wanted <= stderr_.tail.size()) return stderr_.tail.substr(stderr_.tail.size() - wanted);
  return "[... " + std::to_string(wanted - stderr_.tail.size()) + " bytes not kept ...]\n" +
         stderr_.tail;
}

}  // namespace parley::harness
