// UringLoop over socket pairs: each operation's result, cancellation, readiness without a
// buffer, wake-ups from other threads and the tick.
#include "targets/http/server/uring_loop.h"

#include <gtest/gtest.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <iterator>
#include <string>
#include <thread>

namespace parley::http {
namespace {

using namespace std::chrono_literals;

// Records the result of one operation.
class Result final : public UringLoop::Operation {
 public:
  void Complete(int result) override {
    value = result;
    done = true;
  }
  int value = 0;
  bool done = false;
};

class HttpServerUringLoop : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    loop_ = UringLoop::Create(64, &error);
    if (!loop_) GTEST_SKIP() << "no io_uring here: " << error;
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, fds_), 0);
  }
  void TearDown() override {
    for (int fd : fds_)
      if (fd >= 0) close(fd);
  }

  // Runs the loop until `done` holds or 10 s pass; returns whether it held.
  bool RunUntil(const std::function<bool()>& done,
                std::chrono::milliseconds tick = std::chrono::milliseconds(5)) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    loop_->Run(
        tick, [](UringLoop::Clock::time_point) {},
        [&] { return !done() && std::chrono::steady_clock::now() < deadline; });
    return done();
  }

  // Runs the loop's passes for `period`.
  void RunFor(std::chrono::milliseconds period) {
    const auto end = std::chrono::steady_clock::now() + period;
    loop_->Run(
        5ms, [](UringLoop::Clock::time_point) {},
        [&] { return std::chrono::steady_clock::now() < end; });
  }

  std::unique_ptr<UringLoop> loop_;
  int fds_[2] = {-1, -1};
};

TEST_F(HttpServerUringLoop, ARecvCompletesWithTheBytesAndZeroAtEof) {
  char buffer[16];
  Result recv;
  loop_->Recv(fds_[0], buffer, &recv);
  ASSERT_EQ(write(fds_[1], "hola", 4), 4);
  ASSERT_TRUE(RunUntil([&] { return recv.done; }));
  EXPECT_EQ(recv.value, 4);
  EXPECT_EQ(std::string(buffer, 4), "hola");

  Result eof;
  loop_->Recv(fds_[0], buffer, &eof);
  close(fds_[1]);
  fds_[1] = -1;
  ASSERT_TRUE(RunUntil([&] { return eof.done; }));
  EXPECT_EQ(eof.value, 0);
}

TEST_F(HttpServerUringLoop, ASendCompletesWithTheBytesWrittenAndAnErrorAsMinusErrno) {
  Result send;
  loop_->Send(fds_[0], "mundo", &send);
  ASSERT_TRUE(RunUntil([&] { return send.done; }));
  EXPECT_EQ(send.value, 5);
  char buffer[8];
  EXPECT_EQ(read(fds_[1], buffer, sizeof buffer), 5);

  Result broken;
  close(fds_[1]);
  fds_[1] = -1;
  loop_->Send(fds_[0], "x", &broken);  // MSG_NOSIGNAL: an error, not SIGPIPE
  ASSERT_TRUE(RunUntil([&] { return broken.done; }));
  EXPECT_EQ(broken.value, -EPIPE);
  EXPECT_EQ(loop_->in_flight(), 0u);
}

TEST_F(HttpServerUringLoop, ACancelledRecvCompletesWithECANCELED) {
  char buffer[16];
  Result recv;
  loop_->Recv(fds_[0], buffer, &recv);
  EXPECT_EQ(loop_->in_flight(), 1u);
  RunFor(30ms);
  EXPECT_FALSE(recv.done);  // nothing to read yet
  loop_->Cancel(&recv);
  ASSERT_TRUE(RunUntil([&] { return recv.done; }));
  EXPECT_EQ(recv.value, -ECANCELED);
  EXPECT_EQ(loop_->in_flight(), 0u);
}

TEST_F(HttpServerUringLoop, PollReadableWaitsForDataWithoutTakingIt) {
  Result readable;
  loop_->PollReadable(fds_[0], &readable);
  RunFor(30ms);
  EXPECT_FALSE(readable.done);
  ASSERT_EQ(write(fds_[1], "x", 1), 1);
  ASSERT_TRUE(RunUntil([&] { return readable.done; }));
  EXPECT_GT(readable.value, 0);  // the poll mask
  char buffer[4];
  EXPECT_EQ(read(fds_[0], buffer, sizeof buffer), 1);  // the byte is still there
}

TEST_F(HttpServerUringLoop, APostFromAnotherThreadWakesAWaitingLoop) {
  bool ran = false;
  std::thread poster([&] {
    std::this_thread::sleep_for(50ms);
    loop_->Post([&] { ran = true; });
  });
  const auto start = std::chrono::steady_clock::now();
  const bool done = RunUntil([&] { return ran; }, std::chrono::hours(1));  // no tick to help
  poster.join();
  EXPECT_TRUE(done);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST_F(HttpServerUringLoop, TheTickRunsWhileNothingHappens) {
  int ticks = 0;
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  loop_->Run(
      10ms, [&](UringLoop::Clock::time_point) { ++ticks; },
      [&] { return ticks < 3 && std::chrono::steady_clock::now() < deadline; });
  EXPECT_EQ(ticks, 3);
}

// Where io_uring is refused (here by a seccomp filter, as a container's can), Create says so.
void CreateWithIoUringRefused() {
  sock_filter program[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  sock_fprog filter{static_cast<unsigned short>(std::size(program)), program};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
      prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &filter) != 0) {
    std::fprintf(stderr, "no seccomp here\n");
    std::_Exit(3);
  }
  std::string error;
  const bool created = UringLoop::Create(64, &error) != nullptr;
  std::fprintf(stderr, "%s\n", error.c_str());
  std::_Exit(created ? 1 : 0);
}

TEST(HttpServerUringLoopDeathTest, WithoutIoUringCreateNamesTheReason) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(CreateWithIoUringRefused(), ::testing::ExitedWithCode(0),
              "io_uring is not available: Operation not permitted");
}

}  // namespace
}  // namespace parley::http
