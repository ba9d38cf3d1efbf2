#include "targets/http/server/uring_connection.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string_view>

namespace parley::http {

void UringConnection::Start(int fd, UringLoop& loop, SessionContext& context,
                            ConnectionManager* manager, std::uint64_t id, bool drain) {
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  auto* connection = new UringConnection(fd, loop, context, manager, id);
  if (drain) connection->session_.Drain();
  connection->Step(Clock::now());  // may end the connection; not touched after this
}

UringConnection::UringConnection(int fd, UringLoop& loop, SessionContext& context,
                                 ConnectionManager* manager, std::uint64_t id)
    : ManagedConnection(manager), fd_(fd), loop_(loop), session_(context, Clock::now(), id) {}

UringConnection::~UringConnection() {
  close(fd_);
}

void UringConnection::Slot::Complete(int result) {
  pending = false;
  (owner_->*handler_)(result);  // may delete the owner, and this slot with it
}

UringConnection::Clock::time_point UringConnection::deadline() const {
  return std::min(session_.deadline(), release_at_);
}

void UringConnection::OnDeadline(Clock::time_point now) {
  if (closed_) return;
  if (release_at_ <= now) {
    // The held read gives the workspace back: cancelled, it completes and the connection then
    // waits without it.
    release_at_ = Clock::time_point::max();
    hold_expired_ = true;
    if (read_.pending) loop_.Cancel(&read_);
    if (session_.deadline() > now) return;
  }
  if (lingering_ || write_.pending) return CloseNow();
  session_.Expire(now);
  Step(now);
}

void UringConnection::Drain() {
  if (closed_) return;
  session_.Drain();
  if (write_.pending || lingering_) return;  // the write's completion or the linger ends it
  Step(Clock::now());
}

// Runs the session until it waits for the network.
void UringConnection::Step(Clock::time_point now) {
  if (closed_ || write_.pending || lingering_) return;
  switch (session_.Next(now)) {
    case Action::kWrite:
      written_ = 0;
      return SendRest();
    case Action::kRead:
      if (read_.pending || wait_.pending) return;
      return StartRead(now);
    case Action::kClose:
      return BeginClose();
  }
}

void UringConnection::SendRest() {
  write_.pending = true;
  loop_.Send(fd_, session_.Output().substr(written_), &write_);
}

void UringConnection::OnWritten(int result) {
  if (closed_) return FinishIfDone();
  if (result <= 0) return CloseNow();
  written_ += static_cast<std::size_t>(result);
  if (written_ < session_.Output().size()) return SendRest();
  const Clock::time_point now = Clock::now();
  session_.Sent(now);
  Step(now);
}

// As Connection<Socket> does: read at once while the last read filled its space; after a short
// read (the receive buffer was emptied), hold a read in steady keep-alive use, or else wait for
// readability without a buffer.
void UringConnection::StartRead(Clock::time_point now) {
  if (!drained_) return Recv();
  const ServerConfig& config = session_.config();
  if (session_.requests() >= 2 && config.hold_workspace.count() > 0 && !hold_expired_) {
    release_at_ = now + config.hold_workspace;
    return Recv();
  }
  WaitReadable();
}

void UringConnection::Recv() {
  const std::span<char> space = session_.ReadSpace();
  asked_ = space.size();
  read_.pending = true;
  loop_.Recv(fd_, space, &read_);
}

void UringConnection::WaitReadable() {
  session_.ReleaseIfIdle();
  wait_.pending = true;
  loop_.PollReadable(fd_, &wait_);
}

void UringConnection::OnRead(int result) {
  release_at_ = Clock::time_point::max();
  if (closed_) return FinishIfDone();
  if (lingering_) return result > 0 || result == -ECANCELED ? LingerRecv() : CloseNow();
  const Clock::time_point now = Clock::now();
  if (result == -ECANCELED) {
    WaitReadable();  // the held read gave its workspace back
    return;
  }
  if (result == 0) {
    session_.ReceivedEof();
  } else if (result < 0) {
    return CloseNow();
  } else {
    session_.Received(static_cast<std::size_t>(result), now);
    drained_ = static_cast<std::size_t>(result) < asked_;
    hold_expired_ = false;
  }
  Step(now);
}

void UringConnection::OnReadable(int result) {
  if (closed_) return FinishIfDone();
  if (result < 0) return CloseNow();
  if (lingering_) return LingerRecv();
  drained_ = false;
  Step(Clock::now());
}

// Graceful close: FIN first, then discard input until the peer's EOF or the linger deadline.
void UringConnection::BeginClose() {
  if (!session_.linger()) return CloseNow();
  lingering_ = true;
  shutdown(fd_, SHUT_WR);
  if (!read_.pending && !wait_.pending) LingerRecv();
}

void UringConnection::LingerRecv() {
  static thread_local char discard[4096];  // never read: every lingering connection shares it
  asked_ = sizeof discard;
  read_.pending = true;
  loop_.Recv(fd_, std::span<char>(discard, sizeof discard), &read_);
}

void UringConnection::CloseNow() {
  if (closed_) return;
  closed_ = true;
  for (Slot* slot : {&read_, &wait_, &write_}) {
    if (slot->pending) loop_.Cancel(slot);
  }
  FinishIfDone();
}

void UringConnection::FinishIfDone() {
  if (closed_ && !read_.pending && !wait_.pending && !write_.pending) delete this;
}

}  // namespace parley::http
