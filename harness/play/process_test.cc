#include "harness/play/process.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

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

}  // namespace
}  // namespace parley::harness
