#include "harness/play/connection.h"

#include <sys/socket.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <memory>
#include <optional>
#include <vector>

namespace parley::harness {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;

constexpr std::size_t kReadChunk = 64 * 1024;  // a UDP datagram fits
constexpr std::size_t kLeastRead = 16 * 1024;
constexpr std::size_t kMostRead = 256 * 1024;

std::string FormatLimit(std::size_t bytes) {
  if (bytes % (1024 * 1024) == 0) return std::to_string(bytes / (1024 * 1024)) + " MiB";
  if (bytes % 1024 == 0) return std::to_string(bytes / 1024) + " KiB";
  return std::to_string(bytes) + " bytes";
}

// SO_ERROR as an Asio socket option: how a non-blocking connect ended.
class PendingError {
 public:
  template <class Protocol>
  int level(const Protocol&) const {
    return SOL_SOCKET;
  }
  template <class Protocol>
  int name(const Protocol&) const {
    return SO_ERROR;
  }
  template <class Protocol>
  int* data(const Protocol&) {
    return &value_;
  }
  template <class Protocol>
  std::size_t size(const Protocol&) const {
    return sizeof value_;
  }
  template <class Protocol>
  void resize(const Protocol&, std::size_t) {}
  int value() const { return value_; }

 private:
  int value_ = 0;
};

// host:port when both are numeric: such an address is taken as it is, without a resolver
// (which runs getaddrinfo on a thread of its own).
template <class Protocol>
std::optional<typename Protocol::endpoint> NumericEndpoint(const std::string& host,
                                                           const std::string& port) {
  unsigned short number = 0;
  auto [end, parse_error] = std::from_chars(port.data(), port.data() + port.size(), number);
  if (parse_error != std::errc() || end != port.data() + port.size()) return std::nullopt;
  error_code ec;
  auto address = asio::ip::make_address(host, ec);
  if (ec) return std::nullopt;
  return typename Protocol::endpoint(address, number);
}

// The endpoints of host:port, numeric or resolved within the deadline.
template <class Protocol>
asio::awaitable<std::vector<typename Protocol::endpoint>> Resolve(
    asio::any_io_executor executor, const Deadlines& deadlines, const std::string& host,
    const std::string& port, Connection::TimePoint deadline, error_code& ec) {
  std::vector<typename Protocol::endpoint> endpoints;
  if (auto numeric = NumericEndpoint<Protocol>(host, port)) {
    endpoints.push_back(*numeric);
    co_return endpoints;
  }
  auto resolver = std::make_shared<typename Protocol::resolver>(executor);
  Deadlines::Watch watch(deadlines, deadline, [resolver] { resolver->cancel(); });
  auto results =
      co_await resolver->async_resolve(host, port, asio::ip::resolver_base::numeric_service,
                                       asio::redirect_error(asio::use_awaitable, ec));
  if (watch.expired()) ec = asio::error::timed_out;
  for (const auto& entry : results)
    endpoints.push_back(entry.endpoint());
  if (!ec && endpoints.empty()) ec = asio::error::host_not_found;
  co_return endpoints;
}

}  // namespace

Connection::Connection(asio::any_io_executor executor, Transport transport, Limits limits,
                       std::shared_ptr<Transcript> transcript, Deadlines deadlines)
    : executor_(executor),
      transport_(transport),
      limits_(limits),
      transcript_(std::move(transcript)),
      deadlines_(std::move(deadlines)),
      tcp_(executor),
      udp_(executor),
      notify_(executor, std::chrono::steady_clock::time_point::max()),
      inbox_(transport == Transport::kUdp),
      http_(ResponseLimits{.max_body = limits.max_receive}) {}

asio::awaitable<bool> Connection::Connect(std::string host, std::string port,
                                          std::size_t receive_buffer, TimePoint deadline,
                                          std::string* error) {
  auto self = shared_from_this();
  error_code ec;
  peer_ = host + ":" + port;
  host_ = host;
  if (transport_ == Transport::kTcp) {
    std::vector<asio::ip::tcp::endpoint> endpoints;
    if (auto numeric = NumericEndpoint<asio::ip::tcp>(host, port)) {
      endpoints.push_back(*numeric);  // no coroutine frame for the common case
    } else {
      endpoints = co_await Resolve<asio::ip::tcp>(executor_, deadlines_, host, port, deadline, ec);
    }
    if (ec) {
      *error = ec == asio::error::timed_out ? "resolving " + host + " timed out"
                                            : "cannot resolve " + peer_ + ": " + ec.message();
      co_return false;
    }
    bool connected = co_await ConnectTcp(endpoints, receive_buffer, deadline, ec);
    if (!connected) {
      *error = ec == asio::error::timed_out ? "connecting to " + peer_ + " timed out"
                                            : "cannot connect to " + peer_ + ": " + ec.message();
      co_return false;
    }
    tcp_.set_option(asio::ip::tcp::no_delay(true), ec);
    transcript_->Note("connected to " + peer_ + " (tcp, from port " +
                      std::to_string(tcp_.local_endpoint(ec).port()) + ")");
  } else {
    auto endpoints =
        co_await Resolve<asio::ip::udp>(executor_, deadlines_, host, port, deadline, ec);
    if (!ec) udp_.open(endpoints.front().protocol(), ec);
    if (!ec && receive_buffer > 0) {
      udp_.set_option(asio::socket_base::receive_buffer_size(static_cast<int>(receive_buffer)), ec);
    }
    if (!ec) udp_.non_blocking(true, ec);
    if (!ec) udp_.connect(endpoints.front(), ec);
    if (ec) {
      *error = "cannot set up UDP to " + peer_ + ": " + ec.message();
      co_return false;
    }
    transcript_->Note("udp socket to " + peer_ + " (from port " +
                      std::to_string(udp_.local_endpoint(ec).port()) + ")");
  }
  StartReading();
  co_return true;
}

// Tries each endpoint in turn. A non-blocking connect to loopback is complete by the time the
// call returns (the handshake runs inside it), which getpeername confirms; only otherwise does
// it wait for the socket to become writable.
asio::awaitable<bool> Connection::ConnectTcp(const std::vector<asio::ip::tcp::endpoint>& to,
                                             std::size_t receive_buffer, TimePoint deadline,
                                             error_code& ec) {
  std::weak_ptr<Connection> weak = shared_from_this();
  for (const asio::ip::tcp::endpoint& endpoint : to) {
    error_code ignored;
    tcp_.close(ignored);
    tcp_.open(endpoint.protocol(), ec);
    if (!ec && receive_buffer > 0) {
      tcp_.set_option(asio::socket_base::receive_buffer_size(static_cast<int>(receive_buffer)), ec);
    }
    if (!ec) tcp_.non_blocking(true, ec);
    if (ec) continue;
    if (::connect(tcp_.native_handle(), endpoint.data(), static_cast<socklen_t>(endpoint.size())) ==
        0) {
      co_return true;
    }
    if (errno != EINPROGRESS && errno != EINTR) {
      ec = error_code(errno, asio::error::get_system_category());
      continue;
    }
    tcp_.remote_endpoint(ec);
    if (!ec) co_return true;
    Deadlines::Watch watch(deadlines_, deadline, [weak] {
      if (auto c = weak.lock()) {
        error_code e;
        c->tcp_.close(e);
      }
    });
    co_await tcp_.async_wait(asio::ip::tcp::socket::wait_write,
                             asio::redirect_error(asio::use_awaitable, ec));
    if (watch.expired()) {
      ec = asio::error::timed_out;
      co_return false;
    }
    PendingError pending;
    if (!ec) tcp_.get_option(pending, ec);
    if (!ec && pending.value() != 0) {
      ec = error_code(pending.value(), asio::error::get_system_category());
    }
    if (!ec) co_return true;
  }
  if (!ec) ec = asio::error::host_not_found;
  co_return false;
}

asio::awaitable<bool> Connection::StopReadingLoop(TimePoint deadline) {
  if (!reading_) co_return true;
  holding_ = true;
  error_code ec;
  tcp_.cancel(ec);  // a read waiting for the socket completes now, aborted
  while (reading_) {
    if (!co_await WaitForChange(deadline)) break;
  }
  holding_ = false;
  co_return !reading_;
}

asio::awaitable<bool> Connection::FlushTls(TimePoint deadline, error_code& ec) {
  std::string out = tls_->TakeOutput();
  if (out.empty()) co_return true;
  std::size_t sent = tcp_.write_some(asio::buffer(out), ec);
  if (ec == asio::error::would_block || ec == asio::error::try_again) {
    ec.clear();
    sent = 0;
  }
  if (ec) co_return false;
  if (sent < out.size()) {
    std::weak_ptr<Connection> weak = shared_from_this();
    Deadlines::Watch watch(deadlines_, deadline, [weak] {
      if (auto c = weak.lock()) c->Close();
    });
    co_await asio::async_write(tcp_, asio::buffer(out.data() + sent, out.size() - sent),
                               asio::redirect_error(asio::use_awaitable, ec));
    if (watch.expired()) ec = asio::error::timed_out;
  }
  co_return !ec;
}

asio::awaitable<bool> Connection::StartTls(const TlsClientConfig& config, TimePoint deadline,
                                           std::string* error) {
  auto self = shared_from_this();
  if (transport_ != Transport::kTcp) {
    *error = "TLS needs a TCP connection";
    co_return false;
  }
  if (tls_) {
    *error = "the connection already speaks TLS";
    co_return false;
  }
  if (closed_by_us_ || !inbox_.open()) {
    *error =
        "cannot start TLS: " + (closed_by_us_ ? "the connection was closed" : inbox_.DescribeEnd());
    co_return false;
  }
  if (!co_await StopReadingLoop(deadline)) {
    *error = "cannot start TLS: the connection did not stop reading in time";
    co_return false;
  }
  tls_ = TlsSession::Create(config, error);
  if (!tls_) {
    StartReading();
    co_return false;
  }
  if (!ciphertext_) ciphertext_ = std::make_unique_for_overwrite<char[]>(kReadChunk);
  std::weak_ptr<Connection> weak = self;
  std::string failure;
  for (;;) {
    error_code ec;
    const TlsSession::Status status = tls_->Handshake();
    if (!co_await FlushTls(deadline, ec)) {
      failure = ec == asio::error::timed_out ? "sending the handshake timed out"
                                             : "sending the handshake failed: " + ec.message();
      break;
    }
    if (status == TlsSession::Status::kDone) break;
    if (status == TlsSession::Status::kFailed) {
      failure = tls_->error();
      break;
    }
    Deadlines::Watch watch(deadlines_, deadline, [weak] {
      if (auto c = weak.lock()) {
        error_code e;
        c->tcp_.cancel(e);
      }
    });
    const std::size_t n = co_await tcp_.async_read_some(
        asio::buffer(ciphertext_.get(), kReadChunk), asio::redirect_error(asio::use_awaitable, ec));
    if (watch.expired()) {
      failure = "the peer did not finish the handshake in time";
      break;
    }
    if (ec == asio::error::eof) {
      failure = "the peer closed the connection during the handshake";
      break;
    }
    if (ec) {
      failure = ec.message();
      break;
    }
    tls_->Feed(std::string_view(ciphertext_.get(), n));
  }
  if (!failure.empty()) {
    tls_.reset();
    *error = "TLS handshake with " + peer_ + " failed: " + failure;
    transcript_->Note(*error);
    StartReading();
    co_return false;
  }
  tls_summary_ = tls_->Summary();
  const TlsSummary& s = tls_summary_;
  std::string note = "TLS " + s.version + " handshake done: " + s.cipher;
  note += s.alpn.empty() ? ", no ALPN" : ", ALPN " + s.alpn;
  if (!s.peer_subject.empty())
    note += ", peer " + s.peer_subject + " (issuer " + s.peer_issuer + ")";
  transcript_->Note(note);
  StartReading();
  co_return true;
}

asio::awaitable<bool> Connection::Send(std::string_view bytes, TimePoint deadline,
                                       std::string* error) {
  auto self = shared_from_this();
  std::weak_ptr<Connection> weak = self;
  error_code ec;
  if (tls_) {
    if (!tls_->Write(bytes)) {
      *error = "sending over TLS failed: " + tls_->error();
      co_return false;
    }
    if (!co_await FlushTls(deadline, ec)) {
      *error = ec == asio::error::timed_out
                   ? "sending " + std::to_string(bytes.size()) +
                         " bytes did not finish in time (the peer is not reading?)"
                   : "sending failed: " + ec.message();
      transcript_->Note(*error);
      co_return false;
    }
    transcript_->Sent(bytes);
    co_return true;
  }
  // Most writes fit in the socket buffer at once: try without waiting first, so the common
  // case needs neither a deadline nor a trip through the event loop.
  std::size_t sent = 0;
  if (transport_ == Transport::kTcp) {
    sent = tcp_.write_some(asio::buffer(bytes.data(), bytes.size()), ec);
  } else {
    sent = udp_.send(asio::buffer(bytes.data(), bytes.size()), 0, ec);
  }
  if (ec == asio::error::would_block || ec == asio::error::try_again) ec.clear();
  if (!ec && sent < bytes.size()) {
    Deadlines::Watch watch(deadlines_, deadline, [weak] {
      if (auto c = weak.lock()) c->Close();
    });
    std::string_view rest = bytes.substr(sent);
    if (transport_ == Transport::kTcp) {
      co_await asio::async_write(tcp_, asio::buffer(rest.data(), rest.size()),
                                 asio::redirect_error(asio::use_awaitable, ec));
    } else {
      co_await udp_.async_send(asio::buffer(bytes.data(), bytes.size()),
                               asio::redirect_error(asio::use_awaitable, ec));
    }
    if (watch.expired()) {
      transcript_->Note("sending timed out; closed the connection");
      *error = "sending " + std::to_string(bytes.size()) +
               " bytes did not finish in time (the peer is not reading?)";
      co_return false;
    }
  }
  if (ec) {
    transcript_->Note("sending failed: " + ec.message());
    *error = "sending failed: " + ec.message();
    co_return false;
  }
  transcript_->Sent(bytes);
  co_return true;
}

// TLS: close_notify first. It is a few dozen bytes, written at once unless the socket's buffer
// is full, and then it is noted as lost.
bool Connection::SendCloseNotify() {
  if (!tls_) return false;
  tls_->SendCloseNotify();
  const std::string out = tls_->TakeOutput();
  error_code ec;
  const std::size_t sent = tcp_.write_some(asio::buffer(out), ec);
  transcript_->Note(!ec && sent == out.size() ? "sent TLS close_notify"
                                              : "could not send TLS close_notify");
  return true;
}

void Connection::ShutdownWrite() {
  error_code ec;
  SendCloseNotify();
  tcp_.shutdown(asio::ip::tcp::socket::shutdown_send, ec);
  transcript_->Note(ec ? "shutdown for writing failed: " + ec.message()
                       : std::string("shut down for writing (FIN sent)"));
}

void Connection::Close() {
  if (closed_by_us_) return;
  closed_by_us_ = true;
  error_code ec;
  if (tcp_.is_open()) {
    if (!reset_) SendCloseNotify();
    tcp_.close(ec);
    transcript_->Note("closed");
  }
  if (udp_.is_open()) {
    udp_.close(ec);
    transcript_->Note("closed");
  }
  Wake();
}

void Connection::Reset() {
  error_code ec;
  tcp_.set_option(asio::socket_base::linger(true, 0), ec);
  reset_ = true;
  transcript_->Note("closing with a reset (RST)");
  Close();
}

void Connection::Pause() {
  if (paused_) return;
  paused_ = true;
  transcript_->Note("paused: not reading");
  // A read already waiting would still take the next bytes: take it back. The read loop sees
  // the cancellation, finds the connection paused and stops.
  error_code ec;
  if (transport_ == Transport::kTcp) {
    tcp_.cancel(ec);
  } else {
    udp_.cancel(ec);
  }
}

void Connection::Resume() {
  if (!paused_) return;
  paused_ = false;
  transcript_->Note("resumed reading");
  if (!reading_) StartReading();
}

void Connection::StartReading() {
  if (closed_by_us_ || !inbox_.open()) return;
  reading_ = true;
  if (transport_ == Transport::kTcp) {
    ReadTcp();
  } else {
    asio::co_spawn(executor_, ReadUdp(shared_from_this()), asio::detached);
  }
}

// The TCP read loop is a chain of completion handlers rather than a coroutine: a coroutine
// would start from a posted handler, one more turn of the event loop (a system call) for every
// connection. Each read goes straight into the inbox's free room, which stays put until the
// read completes (see Inbox::Reserve); Asio tries it at once and waits for the socket only when
// it finds nothing.
void Connection::ReadTcp() {
  if (tls_) return ReadTls();
  // Into the room the inbox has (up to kMostRead), unless it is small: a connection that
  // receives a little at a time keeps one small block; one whose last read filled all its
  // room is flooding, and reads kMostRead at a time (the bytes judged meanwhile slide out of
  // the way cheaply).
  const std::size_t room = inbox_.room();
  const std::size_t want = room >= kLeastRead ? std::min(room, kMostRead)
                           : flooded_         ? kMostRead
                                              : kReadChunk;
  char* to = inbox_.Reserve(want);
  tcp_.async_read_some(asio::buffer(to, want),
                       [self = shared_from_this(), to, want](const error_code& ec, std::size_t n) {
                         self->flooded_ = n == want;
                         self->TcpRead(to, ec, n);
                       });
}

void Connection::TcpRead(const char* to, const error_code& ec, std::size_t n) {
  if (!Received(to, n)) {
    reading_ = false;
    return;
  }
  if (closed_by_us_ || !inbox_.open()) {
    reading_ = false;
    return;
  }
  if (!ec && (!flooded_ || inbox_.room() < kLeastRead)) {
    // The socket is drained for now, or the inbox has no room left where it is. Let whoever
    // waits for these bytes act on them before reading again: if that closes the connection,
    // the next read is never attempted; if it consumes them, the next read slides what is
    // left to the front of the block instead of moving it all to a larger one. The read
    // still runs before the event loop next waits for the kernel.
    asio::post(executor_, [self = shared_from_this()] {
      if (self->closed_by_us_ || self->paused_ || self->holding_) {
        self->reading_ = false;
        self->Wake();
      } else {
        self->ReadTcp();
      }
    });
    return;
  }
  if (paused_ || holding_) {
    reading_ = false;
    Wake();
    return;
  }
  if (!ec || ec == asio::error::operation_aborted) {  // aborted: by a Pause
    ReadTcp();
    return;
  }
  StopReading(ec);
}

// TLS: decrypts what the session holds into the inbox, then reads more ciphertext. Each
// decrypted piece is judged (Received wakes the waiting expectation) before the next.
void Connection::ReadTls() {
  for (;;) {
    const std::size_t room = inbox_.room();
    const std::size_t want = room >= kLeastRead ? std::min(room, kMostRead) : kReadChunk;
    char* to = inbox_.Reserve(want);
    std::size_t n = 0;
    const TlsSession::ReadStatus status = tls_->Read(to, want, &n);
    if (status == TlsSession::ReadStatus::kData) {
      if (!Received(to, n) || closed_by_us_ || !inbox_.open()) {
        reading_ = false;
        return;
      }
      continue;
    }
    Received(to, 0);
    if (status == TlsSession::ReadStatus::kClosed) {
      reading_ = false;
      transcript_->Note("received TLS close_notify");
      return End(Inbox::End::kClosed, "");
    }
    if (status == TlsSession::ReadStatus::kFailed) {
      reading_ = false;
      return End(Inbox::End::kError, "TLS: " + tls_->error());
    }
    break;
  }
  if (raw_eof_) {
    reading_ = false;
    return End(Inbox::End::kTruncated, "");
  }
  if (closed_by_us_ || paused_ || holding_) {
    reading_ = false;
    Wake();
    return;
  }
  tcp_.async_read_some(
      asio::buffer(ciphertext_.get(), kReadChunk),
      [self = shared_from_this()](const error_code& ec, std::size_t n) { self->TlsRead(ec, n); });
}

void Connection::TlsRead(const error_code& ec, std::size_t n) {
  if (n > 0) tls_->Feed(std::string_view(ciphertext_.get(), n));
  if (closed_by_us_ || !inbox_.open()) {
    reading_ = false;
    return;
  }
  if (ec == asio::error::eof) raw_eof_ = true;
  if (ec && ec != asio::error::eof && ec != asio::error::operation_aborted) {
    return StopReading(ec);
  }
  ReadTls();
}

void Connection::StopReading(const error_code& ec) {
  reading_ = false;
  if (ec == asio::error::eof) {
    End(Inbox::End::kClosed, "");
  } else if (ec == asio::error::connection_reset) {
    End(Inbox::End::kReset, "");
  } else {
    End(Inbox::End::kError, ec.message());
  }
}

asio::awaitable<void> Connection::ReadUdp(std::shared_ptr<Connection> self) {
  auto buffer = std::make_unique_for_overwrite<char[]>(kReadChunk);
  for (;;) {
    error_code ec;
    std::size_t n = co_await self->udp_.async_receive(
        asio::buffer(buffer.get(), kReadChunk), asio::redirect_error(asio::use_awaitable, ec));
    if (self->closed_by_us_ || self->paused_) break;
    if (ec == asio::error::operation_aborted) continue;
    if (ec == asio::error::connection_refused) {
      // An ICMP "port unreachable" for an earlier datagram: note it and keep listening.
      self->transcript_->Note("the peer's port is unreachable (ICMP)");
      continue;
    }
    if (ec) {
      self->End(Inbox::End::kError, ec.message());
      break;
    }
    char* to = self->inbox_.Reserve(n);
    if (n > 0) std::memcpy(to, buffer.get(), n);
    if (!self->Received(to, n)) break;
    if (!self->inbox_.open()) break;
  }
  self->reading_ = false;
}

bool Connection::Received(const char* data, std::size_t n) {
  if (n == 0) {
    inbox_.Commit(0);
    return true;
  }
  transcript_->Received(std::string_view(data, n));
  received_total_ += n;
  if (received_total_ > limits_.max_receive) {
    inbox_.Abandon();
    End(Inbox::End::kCutOff, FormatLimit(limits_.max_receive));
    error_code ec;
    tcp_.close(ec);
    udp_.close(ec);
    return false;
  }
  inbox_.Commit(n);
  Wake();
  return true;
}

void Connection::End(Inbox::End end, std::string detail) {
  inbox_.Finish(end, std::move(detail));
  transcript_->Note(inbox_.DescribeEnd());
  Wake();
}

asio::awaitable<bool> Connection::WaitForChange(TimePoint deadline) {
  auto self = shared_from_this();
  if (std::chrono::steady_clock::now() >= deadline) co_return false;
  Deadlines::Watch watch(deadlines_, deadline, [this] { Wake(); });
  error_code ec;
  co_await notify_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  co_return !watch.expired();
}

}  // namespace parley::harness
