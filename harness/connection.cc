#include "harness/connection.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <charconv>
#include <memory>
#include <vector>

namespace parley::harness {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;

constexpr std::size_t kReadBuffer = 64 * 1024;  // a UDP datagram fits

std::string FormatLimit(std::size_t bytes) {
  if (bytes % (1024 * 1024) == 0) return std::to_string(bytes / (1024 * 1024)) + " MiB";
  if (bytes % 1024 == 0) return std::to_string(bytes / 1024) + " KiB";
  return std::to_string(bytes) + " bytes";
}

// Runs `on_expiry` if the deadline passes before the returned guard is destroyed.
class Watchdog {
 public:
  template <class F>
  Watchdog(asio::any_io_executor executor, Connection::TimePoint deadline, F on_expiry)
      : timer_(executor, deadline), expired_(std::make_shared<bool>(false)) {
    timer_.async_wait([expired = expired_, on_expiry](const error_code& ec) {
      if (ec) return;
      *expired = true;
      on_expiry();
    });
  }
  ~Watchdog() { timer_.cancel(); }
  bool expired() const { return *expired_; }

 private:
  asio::steady_timer timer_;
  std::shared_ptr<bool> expired_;
};

}  // namespace

Connection::Connection(asio::any_io_executor executor, Transport transport, Limits limits,
                       std::shared_ptr<Transcript> transcript)
    : executor_(executor),
      transport_(transport),
      limits_(limits),
      transcript_(std::move(transcript)),
      tcp_(executor),
      udp_(executor),
      notify_(executor) {}

// The endpoints of host:port. A numeric address is taken as it is: the resolver runs
// getaddrinfo on a thread of its own, which costs more than a loopback exchange.
template <class Protocol>
asio::awaitable<std::vector<typename Protocol::endpoint>> Resolve(asio::any_io_executor executor,
                                                                  const std::string& host,
                                                                  const std::string& port,
                                                                  Connection::TimePoint deadline,
                                                                  error_code& ec) {
  std::vector<typename Protocol::endpoint> endpoints;
  unsigned short number = 0;
  auto [end, parse_error] = std::from_chars(port.data(), port.data() + port.size(), number);
  auto address = asio::ip::make_address(host, ec);
  if (!ec && parse_error == std::errc() && end == port.data() + port.size()) {
    endpoints.emplace_back(address, number);
    co_return endpoints;
  }
  ec.clear();
  auto resolver = std::make_shared<typename Protocol::resolver>(executor);
  Watchdog watchdog(executor, deadline, [resolver] { resolver->cancel(); });
  auto results =
      co_await resolver->async_resolve(host, port, asio::ip::resolver_base::numeric_service,
                                       asio::redirect_error(asio::use_awaitable, ec));
  if (watchdog.expired()) ec = asio::error::timed_out;
  for (const auto& entry : results)
    endpoints.push_back(entry.endpoint());
  if (!ec && endpoints.empty()) ec = asio::error::host_not_found;
  co_return endpoints;
}

asio::awaitable<bool> Connection::Connect(std::string host, std::string port, TimePoint deadline,
                                          std::string* error) {
  auto self = shared_from_this();
  error_code ec;
  std::weak_ptr<Connection> weak = self;
  peer_ = host + ":" + port;
  if (transport_ == Transport::kTcp) {
    auto endpoints = co_await Resolve<asio::ip::tcp>(executor_, host, port, deadline, ec);
    if (ec) {
      *error = "cannot resolve " + peer_ + ": " + ec.message();
      co_return false;
    }
    Watchdog watchdog(executor_, deadline, [weak] {
      if (auto c = weak.lock()) {
        error_code ignored;
        c->tcp_.close(ignored);
      }
    });
    co_await asio::async_connect(tcp_, endpoints, asio::redirect_error(asio::use_awaitable, ec));
    if (watchdog.expired()) {
      *error = "connecting to " + peer_ + " timed out";
      co_return false;
    }
    if (ec) {
      *error = "cannot connect to " + peer_ + ": " + ec.message();
      co_return false;
    }
    tcp_.set_option(asio::ip::tcp::no_delay(true), ec);
    transcript_->Note("connected to " + peer_ + " (tcp, from port " +
                      std::to_string(tcp_.local_endpoint(ec).port()) + ")");
    asio::co_spawn(executor_, ReadTcp(self), asio::detached);
  } else {
    auto endpoints = co_await Resolve<asio::ip::udp>(executor_, host, port, deadline, ec);
    if (!ec) {
      udp_.open(endpoints.front().protocol(), ec);
      if (!ec) udp_.connect(endpoints.front(), ec);
    }
    if (ec) {
      *error = "cannot set up UDP to " + peer_ + ": " + ec.message();
      co_return false;
    }
    transcript_->Note("udp socket to " + peer_ + " (from port " +
                      std::to_string(udp_.local_endpoint(ec).port()) + ")");
    asio::co_spawn(executor_, ReadUdp(self), asio::detached);
  }
  co_return true;
}

asio::awaitable<bool> Connection::Send(std::string_view bytes, TimePoint deadline,
                                       std::string* error) {
  auto self = shared_from_this();
  std::weak_ptr<Connection> weak = self;
  error_code ec;
  // Most writes fit in the socket buffer at once: try without waiting first, so the common
  // case needs no deadline timer.
  std::size_t sent = 0;
  if (transport_ == Transport::kTcp) {
    tcp_.non_blocking(true, ec);
    if (!ec) sent = tcp_.write_some(asio::buffer(bytes.data(), bytes.size()), ec);
  } else {
    udp_.non_blocking(true, ec);
    if (!ec) sent = udp_.send(asio::buffer(bytes.data(), bytes.size()), 0, ec);
  }
  if (ec == asio::error::would_block || ec == asio::error::try_again) ec.clear();
  if (!ec && sent < bytes.size()) {
    Watchdog watchdog(executor_, deadline, [weak] {
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
    if (watchdog.expired()) {
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

void Connection::ShutdownWrite() {
  error_code ec;
  tcp_.shutdown(asio::ip::tcp::socket::shutdown_send, ec);
  transcript_->Note(ec ? "shutdown for writing failed: " + ec.message()
                       : std::string("shut down for writing (FIN sent)"));
}

void Connection::Close() {
  if (closed_by_us_) return;
  closed_by_us_ = true;
  error_code ec;
  if (tcp_.is_open()) {
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
  transcript_->Note("closing with a reset (RST)");
  Close();
}

asio::awaitable<void> Connection::ReadTcp(std::shared_ptr<Connection> self) {
  auto buffer = std::make_unique_for_overwrite<char[]>(kReadBuffer);
  for (;;) {
    error_code ec;
    std::size_t n = co_await self->tcp_.async_read_some(
        asio::buffer(buffer.get(), kReadBuffer), asio::redirect_error(asio::use_awaitable, ec));
    if (n > 0) self->Received(buffer.get(), n, false);
    if (self->end_ != Inbox::End::kOpen) co_return;
    if (!ec) continue;
    if (self->closed_by_us_ || ec == asio::error::operation_aborted) co_return;
    if (ec == asio::error::eof) {
      self->End(Inbox::End::kClosed, "");
    } else if (ec == asio::error::connection_reset) {
      self->End(Inbox::End::kReset, "");
    } else {
      self->End(Inbox::End::kError, ec.message());
    }
    co_return;
  }
}

asio::awaitable<void> Connection::ReadUdp(std::shared_ptr<Connection> self) {
  auto buffer = std::make_unique_for_overwrite<char[]>(kReadBuffer);
  for (;;) {
    error_code ec;
    std::size_t n = co_await self->udp_.async_receive(
        asio::buffer(buffer.get(), kReadBuffer), asio::redirect_error(asio::use_awaitable, ec));
    if (self->closed_by_us_ || ec == asio::error::operation_aborted) co_return;
    if (ec == asio::error::connection_refused) {
      // An ICMP "port unreachable" for an earlier datagram: note it and keep listening.
      self->transcript_->Note("the peer's port is unreachable (ICMP)");
      continue;
    }
    if (ec) {
      self->End(Inbox::End::kError, ec.message());
      co_return;
    }
    self->Received(buffer.get(), n, true);
    if (self->end_ != Inbox::End::kOpen) co_return;
  }
}

void Connection::Received(const char* data, std::size_t n, bool datagram) {
  transcript_->Received(std::string_view(data, n));
  received_total_ += n;
  if (received_total_ > limits_.max_receive) {
    End(Inbox::End::kCutOff, FormatLimit(limits_.max_receive));
    error_code ec;
    tcp_.close(ec);
    udp_.close(ec);
    return;
  }
  inbox_.append(data, n);
  if (datagram) datagram_ends_.push_back(inbox_.size());
  Wake();
}

void Connection::End(Inbox::End end, std::string detail) {
  end_ = end;
  end_detail_ = std::move(detail);
  Inbox view;
  view.end = end_;
  view.end_detail = end_detail_;
  transcript_->Note(DescribeEnd(view));
  Wake();
}

Inbox Connection::inbox() const {
  Inbox view;
  view.bytes = inbox_;
  view.datagram_ends = transport_ == Transport::kUdp ? &datagram_ends_ : nullptr;
  view.end = end_;
  view.end_detail = end_detail_;
  return view;
}

void Connection::Consume(std::size_t n) {
  n = std::min(n, inbox_.size());
  inbox_.erase(0, n);
  while (!datagram_ends_.empty() && datagram_ends_.front() <= n)
    datagram_ends_.pop_front();
  for (std::size_t& end : datagram_ends_)
    end -= n;
}

asio::awaitable<bool> Connection::WaitForChange(TimePoint deadline) {
  auto self = shared_from_this();
  if (std::chrono::steady_clock::now() >= deadline) co_return false;
  notify_.expires_at(deadline);
  error_code ec;
  co_await notify_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  co_return ec == asio::error::operation_aborted;
}

}  // namespace parley::harness
