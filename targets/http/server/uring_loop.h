// UringLoop: one thread's event loop on a Linux io_uring (liburing), for http-server's
// `--io uring`. Reads, writes and readiness waits are queued as submissions; each pass of the
// loop submits everything queued and reaps every completion in one io_uring_enter call, so a
// busy connection costs no system call of its own per request (epoll costs three: the read,
// the write, and the next read's EAGAIN or re-arm).
//
//   auto loop = UringLoop::Create(4096, &error);   // null, with a reason, where io_uring is
//                                                  // unavailable (old kernel, seccomp)
//   loop->Post([] { ... });                        // from any thread
//   loop->Recv(fd, buffer, &op);                   // on the loop's thread; op->Complete(n) later
//   loop->Run(tick, on_tick, keep_running);        // on the thread that owns the loop
//
// The ring is set up with IORING_SETUP_SINGLE_ISSUER and IORING_SETUP_DEFER_TASKRUN: the kernel
// finishes completions only when the loop asks for them, instead of interrupting the thread (a
// ring without them measured slower and erratic under load: its interrupting task work
// contended for each socket's lock with the sender's). Kernels without them (before 6.1) get a
// plain ring. The ring starts disabled and is enabled by Run(), so the thread that runs the loop
// is its only submitter. All members but Post() and Wake() run on that thread.
#ifndef PARLEY_TARGETS_HTTP_SERVER_URING_LOOP_H_
#define PARLEY_TARGETS_HTTP_SERVER_URING_LOOP_H_

#include <liburing.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace parley::http {

class UringLoop {
 public:
  using Clock = std::chrono::steady_clock;

  // An operation in flight. The loop calls Complete exactly once per queued operation, with the
  // kernel's result: a byte count, 0 at EOF, or -errno (-ECANCELED after Cancel).
  class Operation {
   public:
    virtual void Complete(int result) = 0;

   protected:
    ~Operation() = default;
  };

  // A ring of `entries` submissions, or null with `*error` set.
  static std::unique_ptr<UringLoop> Create(unsigned entries, std::string* error);
  ~UringLoop();

  UringLoop(const UringLoop&) = delete;
  UringLoop& operator=(const UringLoop&) = delete;

  // Thread-safe: runs `task` on the loop's thread, in order, during a later pass.
  void Post(std::function<void()> task);

  // Queue an operation; `op` must stay alive until its Complete. The buffers must too.
  void Recv(int fd, std::span<char> into, Operation* op);
  void Send(int fd, std::string_view bytes, Operation* op);
  // Completes when `fd` is readable (or at an error or hang-up), holding no buffer.
  void PollReadable(int fd, Operation* op);
  // Asks the kernel to end `op` early; `op` still completes (with -ECANCELED if it was stopped).
  void Cancel(Operation* op);

  // Runs passes until `keep_running()` is false before a pass. Each pass waits for at least one
  // completion or a posted task, at most `tick`; `on_tick(now)` runs at least every `tick`.
  // May be called again; every call must come from the same thread.
  void Run(std::chrono::milliseconds tick, const std::function<void(Clock::time_point)>& on_tick,
           const std::function<bool()>& keep_running);

  // Thread-safe: ends the current wait early (keep_running is asked again).
  void Wake();

  // Operations queued or in flight (not counting the loop's own wake-up read).
  std::size_t in_flight() const { return in_flight_; }

 private:
  UringLoop() = default;
  io_uring_sqe* NextSqe();
  void ArmWakeRead();
  void RunPosted();
  void Reap();

  io_uring ring_{};
  bool ring_ok_ = false;
  bool started_ = false;
  int wake_fd_ = -1;
  std::uint64_t wake_value_ = 0;
  std::size_t in_flight_ = 0;

  std::mutex posted_mutex_;
  std::vector<std::function<void()>> posted_;
  std::vector<std::function<void()>> running_;
};

}  // namespace parley::http

#endif  // PARLEY_TARGETS_HTTP_SERVER_URING_LOOP_H_
