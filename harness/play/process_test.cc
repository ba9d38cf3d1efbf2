#include "harness/play/process.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <filesystem>

namespace parley::harness {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

// Runs `body` on a fresh io_context; fails the test if it has not finished within 20 s.
template <class F>
void RunCoroutine(F body) {
  asio::io_context io;
  bool done = false;
  asio::co_spawn(io, body(io.get_executor()), [&](std::exception_ptr e) {
    done = true;
    if (e) std::rethrow_exception(e);
  });
  io.run_for(std::chrono::seconds(20));
  EXPECT_TRUE(done) << "timed out";
}

Regex Ready() {
  std::string error;
  return *Regex::Compile(R"(^listening on ([^:]+):(\d+)$)", &error);
}

// The extra environment sets new variables and replaces inherited ones; the rest is inherited.
TEST(ChildProcess, RunsInParleysEnvironmentWithTheExtraVariables) {
  ::setenv("PARLEY_TEST_INHERITED", "kept", 1);
  ::setenv("PARLEY_TEST_REPLACED", "old", 1);
  RunCoroutine([](asio::any_io_executor ex) -> asio::awaitable<void> {
    std::string error;
    auto p = ChildProcess::Start(ex,
                                 {"sh", "-c",
                                  "echo \"$PARLEY_TEST_INHERITED $PARLEY_TEST_REPLACED "
                                  "$PARLEY_TEST_NEW\"; env | grep -c PARLEY_TEST_REPLACED"},
                                 &error, {"PARLEY_TEST_REPLACED=new", "PARLEY_TEST_NEW=x=y"});
    EXPECT_TRUE(p) << error;
    if (!p) co_return;
    co_await p->WaitForExit(Clock::now() + std::chrono::seconds(15));
    co_await p->WaitForOutputs(Clock::now() + std::chrono::seconds(15));
    EXPECT_EQ(p->StdoutText(), "kept new x=y\n1\n");
  });
}

TEST(ChildProcess, WaitsForTheReadyLineAndStops) {
  RunCoroutine([](asio::any_io_executor ex) -> asio::awaitable<void> {
    std::string error;
    auto p = ChildProcess::Start(
        ex,
        {"/bin/sh", "-c",
         "echo starting; echo oops >&2; echo listening on 127.0.0.1:4321; exec sleep 30"},
        &error);
    EXPECT_TRUE(p) << error;
    if (!p) co_return;
    auto groups = co_await p->WaitForLine(Ready(), Duration(10000), &error);
    EXPECT_TRUE(groups) << error;
    if (groups) {
      EXPECT_EQ(*groups, (std::vector<std::string>{"127.0.0.1", "4321"}));
    }
    EXPECT_TRUE(p->running());
    bool killed = true;
    ExitStatus status = co_await p->Stop(Duration(2000), &killed);
    EXPECT_FALSE(killed);
    EXPECT_TRUE(status.signaled);
    EXPECT_EQ(status.signal, SIGTERM);
    EXPECT_EQ(status.ToString(), "killed by signal 15 (SIGTERM)");
    co_await p->WaitForOutputs(Clock::now() + std::chrono::seconds(15));
    EXPECT_EQ(p->StderrSince(0), "oops\n");
    EXPECT_FALSE(p->Signal(SIGTERM));
  });
}

TEST(ChildProcess, AProgramThatCannotRunIsAnError) {
  asio::io_context io;
  std::string error;
  auto p = ChildProcess::Start(io.get_executor(), {"/nonexistent/program"}, &error);
  EXPECT_FALSE(p);
  EXPECT_EQ(error, "cannot run '/nonexistent/program': No such file or directory");
  EXPECT_FALSE(ChildProcess::Start(io.get_executor(), {}, &error));
  EXPECT_EQ(error, "the command is empty");
}

TEST(ChildProcess, ExitingBeforeReadyIsReported) {
  RunCoroutine([](asio::any_io_executor ex) -> asio::awaitable<void> {
    std::string error;
    auto p = ChildProcess::Start(ex, {"/bin/sh", "-c", "echo bad flag >&2; exit 3"}, &error);
    EXPECT_TRUE(p);
    if (!p) co_return;
    auto groups = co_await p->WaitForLine(Ready(), Duration(10000), &error);
    EXPECT_FALSE(groups);
    EXPECT_EQ(error.substr(0, 22), "it exited (exit code 3");
    co_await p->WaitForOutputs(Clock::now() + std::chrono::seconds(15));
    EXPECT_EQ(p->StderrSince(0), "bad flag\n");
  });
}

TEST(ChildProcess, NeverReadyTimesOutAndAStubbornProcessIsKilled) {
  RunCoroutine([](asio::any_io_executor ex) -> asio::awaitable<void> {
    std::string error;
    auto p = ChildProcess::Start(
        ex, {"/bin/sh", "-c", "trap '' TERM; echo waiting; while :; do sleep 1; done"}, &error);
    EXPECT_TRUE(p);
    if (!p) co_return;
    auto start = Clock::now();
    auto groups = co_await p->WaitForLine(Ready(), Duration(200), &error);
    EXPECT_FALSE(groups);
    EXPECT_GE(Clock::now() - start, std::chrono::milliseconds(200));
    EXPECT_EQ(error, "it printed no line matching /^listening on ([^:]+):(\\d+)$/ within 200ms");
    bool killed = false;
    ExitStatus status = co_await p->Stop(Duration(100), &killed);
    EXPECT_TRUE(killed);
    EXPECT_EQ(status.signal, SIGKILL);
  });
}

TEST(ChildProcess, KeepsOnlyTheTailOfStderr) {
  RunCoroutine([](asio::any_io_executor ex) -> asio::awaitable<void> {
    std::string error;
    auto p = ChildProcess::Start(
        ex,
        {"/bin/sh", "-c",
         "i=0; while [ $i -lt 2000 ]; do echo 0123456789012345678901234567890123456789012345678 "
         ">&2; i=$((i+1)); done; echo end >&2"},
        &error);
    EXPECT_TRUE(p);
    if (!p) co_return;
    auto status = co_await p->WaitForExit(Clock::now() + std::chrono::seconds(15));
    co_await p->WaitForOutputs(Clock::now() + std::chrono::seconds(15));
    EXPECT_TRUE(status);
    if (status) {
      EXPECT_TRUE(status->clean());
    }
    EXPECT_EQ(p->stderr_total(), 2000u * 50 + 4);
    std::string tail = p->StderrSince(0);
    EXPECT_EQ(tail.substr(0, 5), "[... ");
    EXPECT_EQ(tail.substr(tail.size() - 4), "end\n");
    EXPECT_EQ(p->StderrSince(p->stderr_total() - 4), "end\n");
  });
}

TEST(ChildProcess, DestructorKillsAndReaps) {
  pid_t pid = 0;
  {
    asio::io_context io;
    std::string error;
    auto p = ChildProcess::Start(io.get_executor(), {"/bin/sh", "-c", "exec sleep 30"}, &error);
    ASSERT_TRUE(p);
    pid = p->pid();
    p.reset();
    io.run_for(std::chrono::milliseconds(20));
  }                              // the io_context drops the pipe readers, the last owners
  EXPECT_NE(::kill(pid, 0), 0);  // killed and reaped: no such process
}

TEST(ChildProcess, RunsInItsFolderAndRemovesItsOwnFolderOnceReaped) {
  std::string error;
  OwnedDir dir = OwnedDir::Create("parley-process-test", &error);
  ASSERT_FALSE(dir.empty()) << error;
  const std::string path = dir.path();
  EXPECT_EQ(std::filesystem::status(path).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_all);
  RunCoroutine([&](asio::any_io_executor ex) -> asio::awaitable<void> {
    ProcessOptions options;
    options.cwd = path;
    options.dir = std::move(dir);
    auto p = ChildProcess::Start(ex, {"/bin/sh", "-c", "pwd; echo x > made-here; exec sleep 30"},
                                 &error, std::move(options));
    EXPECT_TRUE(p) << error;
    if (!p) co_return;
    std::string regex_error;
    auto groups =
        co_await p->WaitForLine(*Regex::Compile("^(/.*)$", &regex_error), Duration(10000), &error);
    EXPECT_TRUE(groups) << error;
    if (groups) {
      EXPECT_EQ((*groups)[0], path);
    }
    EXPECT_TRUE(std::filesystem::exists(path));
    bool killed = false;
    co_await p->Stop(Duration(2000), &killed);
    EXPECT_FALSE(std::filesystem::exists(path));  // removed at the reap
  });
}

TEST(ChildProcess, AMissingFolderIsAStartError) {
  asio::io_context io;
  std::string error;
  OwnedDir dir = OwnedDir::Create("parley-process-test", &error);
  const std::string path = dir.path();
  ProcessOptions options;
  options.cwd = "/nonexistent/folder";
  options.dir = std::move(dir);
  EXPECT_FALSE(ChildProcess::Start(io.get_executor(), {"true"}, &error, std::move(options)));
  EXPECT_EQ(error, "cannot change to the folder '/nonexistent/folder': No such file or directory");
  EXPECT_FALSE(std::filesystem::exists(path));  // the options, and so the folder, are gone
}

TEST(ChildProcess, TheDestructorRemovesTheFolderAfterTheReap) {
  std::string error;
  std::string path;
  {
    asio::io_context io;
    ProcessOptions options;
    options.dir = OwnedDir::Create("parley-process-test", &error);
    path = options.dir.path();
    auto p = ChildProcess::Start(io.get_executor(), {"/bin/sh", "-c", "exec sleep 30"}, &error,
                                 std::move(options));
    ASSERT_TRUE(p);
    p.reset();
    io.run_for(std::chrono::milliseconds(20));
  }
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(ChildProcess, WaitsForAReadyLineOnStderr) {
  RunCoroutine([](asio::any_io_executor ex) -> asio::awaitable<void> {
    std::string error;
    auto p = ChildProcess::Start(
        ex, {"/bin/sh", "-c", "echo listening on 1.2.3.4:5 >&2; exec sleep 30"}, &error);
    EXPECT_TRUE(p);
    if (!p) co_return;
    auto on_stdout = co_await p->WaitForLine(Ready(), Duration(300), &error);
    EXPECT_FALSE(on_stdout);
    auto groups =
        co_await p->WaitForLine(Ready(), Duration(10000), &error, ChildProcess::Stream::kStderr);
    EXPECT_TRUE(groups) << error;
    if (groups) {
      EXPECT_EQ(*groups, (std::vector<std::string>{"1.2.3.4", "5"}));
    }
  });
}

TEST(ChildProcess, ExitingBeforeAStderrLineSaysSo) {
  RunCoroutine([](asio::any_io_executor ex) -> asio::awaitable<void> {
    std::string error;
    auto p = ChildProcess::Start(ex, {"/bin/sh", "-c", "echo listening on a:1; exit 2"}, &error);
    EXPECT_TRUE(p);
    if (!p) co_return;
    auto groups =
        co_await p->WaitForLine(Ready(), Duration(10000), &error, ChildProcess::Stream::kStderr);
    EXPECT_FALSE(groups);
    EXPECT_EQ(error,
              "it exited (exit code 2) before printing a line that matches "
              "/^listening on ([^:]+):(\\d+)$/ on stderr");
  });
}

TEST(ChildProcess, KeepsTheEndOfStdout) {
  RunCoroutine([](asio::any_io_executor ex) -> asio::awaitable<void> {
    std::string error;
    auto p = ChildProcess::Start(
        ex, {"/bin/sh", "-c", "i=0; while [ $i -lt 3000 ]; do echo line $i; i=$((i+1)); done"},
        &error);
    EXPECT_TRUE(p);
    if (!p) co_return;
    co_await p->WaitForExit(Clock::now() + std::chrono::seconds(15));
    co_await p->WaitForOutputs(Clock::now() + std::chrono::seconds(15));
    EXPECT_EQ(p->StdoutText().substr(0, 14), "line 0\nline 1\n");
    EXPECT_EQ(p->StdoutEnd().size(), ChildProcess::kStdoutEndBytes);
    EXPECT_EQ(LastLines(p->StdoutEnd(), 2), "[... 1637 earlier lines ...]\nline 2998\nline 2999\n");
  });
}

// After a failure the runner waits for a target only while it shows that it is dying: a
// healthy, silent process is let go after the quiet time; one that is writing a sanitizer's
// report, or keeps writing to stderr, is waited for until it exits.
TEST(ChildProcess, WaitsForAnExitOnlyWhileTheProcessShowsItIsDying) {
  RunCoroutine([](asio::any_io_executor ex) -> asio::awaitable<void> {
    std::string error;
    auto healthy = ChildProcess::Start(ex, {"sleep", "30"}, &error);
    EXPECT_TRUE(healthy) << error;
    if (!healthy) co_return;
    auto start = Clock::now();
    auto status = co_await healthy->WaitForExitWhileReporting(
        0, std::chrono::milliseconds(25), std::chrono::milliseconds(500),
        Clock::now() + std::chrono::seconds(10));
    EXPECT_FALSE(status);
    EXPECT_LT(Clock::now() - start, std::chrono::seconds(5));

    // The report's first line, then a pause longer than the quiet time (symbolizing), then
    // the exit: waited for.
    auto reporting =
        ChildProcess::Start(ex,
                            {"sh", "-c",
                             "echo '==77==ERROR: AddressSanitizer: heap-use-after-free' >&2; "
                             "sleep 0.4; exit 1"},
                            &error);
    EXPECT_TRUE(reporting) << error;
    if (!reporting) co_return;
    status = co_await reporting->WaitForExitWhileReporting(0, std::chrono::milliseconds(25),
                                                           std::chrono::milliseconds(25),
                                                           Clock::now() + std::chrono::seconds(10));
    EXPECT_TRUE(status && status->code == 1);

    // Output that keeps coming, each piece within the linger time, then the exit: waited for.
    auto writing = ChildProcess::Start(
        ex, {"sh", "-c", "for i in 1 2 3 4 5 6; do echo frame $i >&2; sleep 0.05; done; exit 3"},
        &error);
    EXPECT_TRUE(writing) << error;
    if (!writing) co_return;
    status = co_await writing->WaitForExitWhileReporting(0, std::chrono::milliseconds(25),
                                                         std::chrono::milliseconds(400),
                                                         Clock::now() + std::chrono::seconds(10));
    EXPECT_TRUE(status && status->code == 3);

    // A report written before the mark (an earlier scenario's) does not hold the wait.
    auto earlier = ChildProcess::Start(
        ex, {"sh", "-c", "echo '==9==ERROR: LeakSanitizer' >&2; exec sleep 30"}, &error);
    EXPECT_TRUE(earlier) << error;
    if (!earlier) co_return;
    co_await earlier->WaitForExitWhileReporting(0, std::chrono::milliseconds(300),
                                                std::chrono::milliseconds(0),
                                                Clock::now() + std::chrono::milliseconds(300));
    start = Clock::now();
    status = co_await earlier->WaitForExitWhileReporting(
        earlier->stderr_total(), std::chrono::milliseconds(25), std::chrono::milliseconds(100),
        Clock::now() + std::chrono::seconds(10));
    EXPECT_FALSE(status);
    EXPECT_LT(Clock::now() - start, std::chrono::seconds(5));
    // A process that has closed all its files is exiting: waited for. (A shell that closed
    // its descriptors and sleeps stands in for a process between closing its files and the
    // exit the parent can reap.)
    auto closing =
        ChildProcess::Start(ex, {"sh", "-c", "exec 0<&- 1>&- 2>&-; sleep 0.3; exit 4"}, &error);
    EXPECT_TRUE(closing) << error;
    if (!closing) co_return;
    co_await closing->WaitForOutputs(Clock::now() + std::chrono::seconds(5));
    status = co_await closing->WaitForExitWhileReporting(0, std::chrono::milliseconds(25),
                                                         std::chrono::milliseconds(0),
                                                         Clock::now() + std::chrono::seconds(10));
    EXPECT_TRUE(status && status->code == 4);

    bool killed = false;
    co_await healthy->Stop(std::chrono::seconds(5), &killed);
    co_await earlier->Stop(std::chrono::seconds(5), &killed);
  });
}

TEST(ShellQuote, QuotesOnlyWhatAShellWouldRead) {
  EXPECT_EQ(ShellQuote("nginx"), "nginx");
  EXPECT_EQ(ShellQuote("/usr/sbin/ngircd"), "/usr/sbin/ngircd");
  EXPECT_EQ(ShellQuote("--port=8080,a:b@c%d+e"), "--port=8080,a:b@c%d+e");
  EXPECT_EQ(ShellQuote(""), "''");
  EXPECT_EQ(ShellQuote("daemon off;"), "'daemon off;'");
  EXPECT_EQ(ShellQuote("it's"), "'it'\\''s'");
  EXPECT_EQ(ShellQuote("$HOME"), "'$HOME'");
  EXPECT_EQ(ShellQuote("a\nb"), "'a\nb'");
  EXPECT_EQ(ShellQuote("*"), "'*'");
  EXPECT_EQ(ShellCommand({"nginx", "-g", "daemon off;"}, {"LANG=C", "GREETING=hola mundo"}),
            "LANG=C GREETING='hola mundo' nginx -g 'daemon off;'");
  EXPECT_EQ(ShellCommand({"./a=b", "c=d"}), "'./a=b' c=d");
}

TEST(LastLines, KeepsTheLastLinesAndCountsTheRest) {
  EXPECT_EQ(LastLines("", 3), "");
  EXPECT_EQ(LastLines("a\nb\n", 3), "a\nb\n");
  EXPECT_EQ(LastLines("a\nb\nc\nd", 2), "[... 2 earlier lines ...]\nc\nd");
  EXPECT_EQ(LastLines("a\nb\nc\n", 2), "[... 1 earlier lines ...]\nb\nc\n");
  EXPECT_EQ(LastLines("a\nb\nc\n", 3), "a\nb\nc\n");
  EXPECT_EQ(LastLines("\n\nx\n", 2), "[... 1 earlier lines ...]\n\nx\n");
}

}  // namespace
}  // namespace parley::harness
