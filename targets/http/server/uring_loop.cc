#include "targets/http/server/uring_loop.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

namespace parley::http {

namespace {

// user_data of the loop's own submissions; an Operation's address is never this small.
constexpr std::uint64_t kWakeRead = 1;
constexpr std::uint64_t kCancelRequest = 2;

constexpr unsigned kPreferredFlags =
    IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_R_DISABLED;

// Makes the calling thread the ring's one submitter. liburing 2.3 declares
// io_uring_enable_rings but its shared library does not export it: the register call itself.
void EnableRing(io_uring& ring) {
  syscall(__NR_io_uring_register, ring.ring_fd, IORING_REGISTER_ENABLE_RINGS, nullptr, 0);
}

}  // namespace

std::unique_ptr<UringLoop> UringLoop::Create(unsigned entries, std::string* error) {
  for (unsigned flags : {kPreferredFlags, 0u}) {
    std::unique_ptr<UringLoop> loop(new UringLoop());
    io_uring_params params{};
    params.flags = flags;
    const int result = io_uring_queue_init_params(entries, &loop->ring_, &params);
    if (result == -EINVAL && flags != 0) continue;  // a kernel before 6.1
    if (result < 0) {
      *error = std::string("io_uring is not available: ") + std::strerror(-result);
      return nullptr;
    }
    loop->ring_ok_ = true;
    loop->wake_fd_ = eventfd(0, EFD_CLOEXEC);  // blocking: the ring waits on it, not the thread
    if (loop->wake_fd_ < 0) {
      *error = std::string("eventfd: ") + std::strerror(errno);
      return nullptr;
    }
    return loop;
  }
  *error = "io_uring is not available";
  return nullptr;
}

UringLoop::~UringLoop() {
  if (ring_ok_) io_uring_queue_exit(&ring_);
  if (wake_fd_ >= 0) close(wake_fd_);
}

void UringLoop::Post(std::function<void()> task) {
  bool was_empty;
  {
    std::lock_guard<std::mutex> lock(posted_mutex_);
    was_empty = posted_.empty();
    posted_.push_back(std::move(task));
  }
  // The loop empties the queue and then waits; a task added after it looked needs a wake-up.
  if (was_empty) Wake();
}

void UringLoop::Wake() {
  const std::uint64_t one = 1;
  [[maybe_unused]] const ssize_t written = write(wake_fd_, &one, sizeof one);
}

io_uring_sqe* UringLoop::NextSqe() {
  io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
  while (sqe == nullptr) {  // the submission queue is full: hand it to the kernel now
    io_uring_submit(&ring_);
    sqe = io_uring_get_sqe(&ring_);
  }
  return sqe;
}

void UringLoop::Recv(int fd, std::span<char> into, Operation* op) {
  io_uring_sqe* sqe = NextSqe();
  io_uring_prep_recv(sqe, fd, into.data(), into.size(), 0);
  io_uring_sqe_set_data64(sqe, reinterpret_cast<std::uint64_t>(op));
  ++in_flight_;
}

void UringLoop::Send(int fd, std::string_view bytes, Operation* op) {
  io_uring_sqe* sqe = NextSqe();
  io_uring_prep_send(sqe, fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  io_uring_sqe_set_data64(sqe, reinterpret_cast<std::uint64_t>(op));
  ++in_flight_;
}

void UringLoop::PollReadable(int fd, Operation* op) {
  io_uring_sqe* sqe = NextSqe();
  io_uring_prep_poll_add(sqe, fd, POLLIN);
  io_uring_sqe_set_data64(sqe, reinterpret_cast<std::uint64_t>(op));
  ++in_flight_;
}

void UringLoop::Cancel(Operation* op) {
  io_uring_sqe* sqe = NextSqe();
  io_uring_prep_cancel64(sqe, reinterpret_cast<std::uint64_t>(op), 0);
  io_uring_sqe_set_data64(sqe, kCancelRequest);
}

void UringLoop::ArmWakeRead() {
  io_uring_sqe* sqe = NextSqe();
  io_uring_prep_read(sqe, wake_fd_, &wake_value_, sizeof wake_value_, 0);
  io_uring_sqe_set_data64(sqe, kWakeRead);
}

void UringLoop::RunPosted() {
  {
    std::lock_guard<std::mutex> lock(posted_mutex_);
    running_.swap(posted_);
  }
  for (auto& task : running_)
    task();
  running_.clear();
}

// Completions are taken one at a time and marked seen before their operation runs, so an
// operation may queue more work, or end its owner, from Complete.
void UringLoop::Reap() {
  io_uring_cqe* cqe = nullptr;
  while (io_uring_peek_cqe(&ring_, &cqe) == 0) {
    const std::uint64_t data = io_uring_cqe_get_data64(cqe);
    const int result = cqe->res;
    io_uring_cqe_seen(&ring_, cqe);
    if (data == kCancelRequest) continue;
    if (data == kWakeRead) {
      ArmWakeRead();
      continue;
    }
    --in_flight_;
    reinterpret_cast<Operation*>(data)->Complete(result);
  }
}

void UringLoop::Run(std::chrono::milliseconds tick,
                    const std::function<void(Clock::time_point)>& on_tick,
                    const std::function<bool()>& keep_running) {
  if (!started_) {  // the first Run: this thread becomes the ring's submitter
    started_ = true;
    if (ring_.flags & IORING_SETUP_R_DISABLED) EnableRing(ring_);
    ArmWakeRead();
  }
  Clock::time_point next_tick = Clock::now() + tick;
  for (;;) {
    RunPosted();
    if (!keep_running()) break;
    const auto wait = std::chrono::duration_cast<std::chrono::nanoseconds>(
        std::max(next_tick - Clock::now(), Clock::duration::zero()));
    __kernel_timespec timeout{};
    timeout.tv_sec = static_cast<long long>(wait.count() / 1'000'000'000);
    timeout.tv_nsec = static_cast<long long>(wait.count() % 1'000'000'000);
    io_uring_cqe* first = nullptr;
    io_uring_submit_and_wait_timeout(&ring_, &first, 1, &timeout, nullptr);
    Reap();
    const Clock::time_point now = Clock::now();
    if (now >= next_tick) {
      on_tick(now);
      next_tick = now + tick;
    }
  }
  io_uring_submit(&ring_);  // cancellations queued by the last pass
}

}  // namespace parley::http
