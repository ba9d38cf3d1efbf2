// UringConnection: drives one Session (session.h) over a plain TCP socket through a UringLoop
// (uring_loop.h), for `http-server --io uring`. It behaves as Connection<Socket> does over
// epoll (connection.h): the same session, deadlines (through its ConnectionManager), drain,
// abort and lingering close. Only the waits differ:
//   - every read and write is a ring operation, submitted with the loop's next pass;
//   - a fresh connection, and one in steady keep-alive use (from its second request on, for up
//     to config.hold_workspace), waits with a read into its workspace;
//   - any other idle connection waits for readability without holding a buffer, then reads, so
//     an idle keep-alive connection owns no workspace.
// After a final response it shuts down sending and reads until EOF or the linger deadline.
//
// Lifetime: Start() hands the connection to itself; it deletes itself once closed and no ring
// operation of its own is left in flight (the kernel may still write into its buffers until
// then). The descriptor is closed at that point too. All members run on the loop's thread.
#ifndef PARLEY_TARGETS_HTTP_SERVER_URING_CONNECTION_H_
#define PARLEY_TARGETS_HTTP_SERVER_URING_CONNECTION_H_

#include <cstdint>

#include "targets/http/server/connection_manager.h"
#include "targets/http/server/session.h"
#include "targets/http/server/uring_loop.h"

namespace parley::http {

class UringConnection final : public ManagedConnection {
 public:
  // Serves `fd`, a connected TCP socket it now owns; with `drain`, only a request already sent
  // is answered (the server is shutting down). `loop`, `context` and `manager` (null: no
  // deadlines) must outlive the connection.
  static void Start(int fd, UringLoop& loop, SessionContext& context, ConnectionManager* manager,
                    std::uint64_t id, bool drain);

  Clock::time_point deadline() const override;
  void OnDeadline(Clock::time_point now) override;
  void Drain() override;
  void Abort() override { CloseNow(); }

 private:
  using Action = Session::Action;

  // One ring operation slot; its completion goes to the member function given.
  class Slot final : public UringLoop::Operation {
   public:
    using Handler = void (UringConnection::*)(int result);
    Slot(UringConnection* owner, Handler handler) : owner_(owner), handler_(handler) {}
    void Complete(int result) override;
    bool pending = false;

   private:
    UringConnection* owner_;
    Handler handler_;
  };

  UringConnection(int fd, UringLoop& loop, SessionContext& context, ConnectionManager* manager,
                  std::uint64_t id);
  ~UringConnection();

  void Step(Clock::time_point now);
  void SendRest();
  void StartRead(Clock::time_point now);
  void Recv();
  void WaitReadable();
  void OnWritten(int result);
  void OnRead(int result);
  void OnReadable(int result);
  void BeginClose();
  void LingerRecv();
  void CloseNow();
  // Deletes the connection once closed and nothing of its own is in flight.
  void FinishIfDone();

  int fd_;
  UringLoop& loop_;
  Session session_;
  Slot read_{this, &UringConnection::OnRead};
  Slot wait_{this, &UringConnection::OnReadable};
  Slot write_{this, &UringConnection::OnWritten};
  std::size_t written_ = 0;  // bytes of the current Output() already sent
  std::size_t asked_ = 0;    // the size of the pending read's space
  bool closed_ = false;
  bool lingering_ = false;
  // The last read returned less than asked: the receive buffer was empty. A fresh connection
  // starts so, and first waits for readability without a buffer.
  bool drained_ = true;
  // The held read was given back (release_at_ passed); no new one until data arrives.
  bool hold_expired_ = false;
  // While a held read is pending: when it gives its workspace back.
  Clock::time_point release_at_ = Clock::time_point::max();
};

}  // namespace parley::http

#endif  // PARLEY_TARGETS_HTTP_SERVER_URING_CONNECTION_H_
