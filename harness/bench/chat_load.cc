#include "harness/bench/chat_load.h"

#include <algorithm>
#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <functional>
#include <memory>

#include "harness/bench/chat_lines.h"

namespace parley::bench {

namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;

constexpr std::chrono::milliseconds kTick{20};
constexpr std::size_t kReadSize = 16 * 1024;

double Seconds(Clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

struct Client {
  Client(asio::io_context& io, std::uint32_t lines, std::size_t payload_size)
      : socket(io), checker(lines, payload_size) {}
  tcp::socket socket;
  std::array<char, kReadSize> buffer;
  LineChecker checker;
  bool heard = false;         // received something since connecting
  std::uint32_t reached = 0;  // lines known complete here
};

// The crowd and the phases every run shares: connect, read everywhere, wait for quiet, then the
// run's own sending (`on_settled`) and progress (`on_progress`, after each read).
class Crowd {
 public:
  explicit Crowd(const ChatLoadOptions& options) : options_(options), tick_(io_), deadline_(io_) {}

  // Returns the error, or empty once the run called Finish().
  std::string Run(std::function<void()> on_settled, std::function<void(Client&)> on_progress) {
    on_settled_ = std::move(on_settled);
    on_progress_ = std::move(on_progress);
    if (options_.clients < 2) return "at least 2 clients are needed";
    deadline_.expires_after(options_.timeout);
    deadline_.async_wait([this](const error_code& ec) {
      if (!ec) Fail("timed out " + std::string(settled_ ? "sending" : "connecting or settling"));
    });
    Connect();
    io_.run();
    return error_;
  }

  Client& sender() { return *clients_.front(); }
  int receivers() const { return static_cast<int>(clients_.size()) - 1; }
  std::vector<std::unique_ptr<Client>>& clients() { return clients_; }
  asio::io_context& io() { return io_; }
  bool finished() const { return finished_; }

  void Fail(std::string error) {
    if (finished_) return;
    error_ = std::move(error);
    Finish();
  }

  void Finish() {
    finished_ = true;
    tick_.cancel();
    deadline_.cancel();
    for (auto& client : clients_) {
      error_code ignored;
      client->socket.close(ignored);
    }
  }

 private:
  // One client at a time, each reading from the moment it is connected: a relay may block on
  // a client that does not read the notices of the others joining.
  void Connect() {
    clients_.push_back(std::make_unique<Client>(io_, options_.lines, options_.payload_size));
    Client& client = *clients_.back();
    client.socket.async_connect(options_.server, [this, &client](const error_code& ec) {
      if (finished_) return;
      if (ec) return Fail("connect " + std::to_string(clients_.size()) + ": " + ec.message());
      error_code ignored;
      client.socket.set_option(tcp::no_delay(true), ignored);
      last_input_ = Clock::now();
      Read(client);
      if (static_cast<int>(clients_.size()) < options_.clients) return Connect();
      Tick();
    });
  }

  void Read(Client& client) {
    client.socket.async_read_some(
        asio::buffer(client.buffer), [this, &client](const error_code& ec, std::size_t n) {
          if (finished_) return;
          if (ec) return Fail("a client's connection ended: " + ec.message());
          client.heard = true;
          last_input_ = Clock::now();
          if (&client != clients_.front().get()) {
            client.checker.Feed(std::string_view(client.buffer.data(), n));
            if (settled_) on_progress_(client);
            if (finished_) return;
          }
          Read(client);
        });
  }

  // Settling: every client heard from (its welcome), then quiet for options.settle.
  void Tick() {
    tick_.expires_after(kTick);
    tick_.async_wait([this](const error_code& ec) {
      if (ec || finished_) return;
      const bool heard = std::all_of(clients_.begin(), clients_.end(),
                                     [](const auto& client) { return client->heard; });
      if (!heard || Clock::now() - last_input_ < options_.settle) return Tick();
      settled_ = true;
      for (auto& client : clients_)
        client->checker.Reset();
      on_settled_();
    });
  }

  const ChatLoadOptions& options_;
  asio::io_context io_;
  asio::steady_timer tick_;
  asio::steady_timer deadline_;
  std::vector<std::unique_ptr<Client>> clients_;
  std::function<void()> on_settled_;
  std::function<void(Client&)> on_progress_;
  Clock::time_point last_input_;
  bool settled_ = false;
  bool finished_ = false;
  std::string error_;
};

}  // namespace

double FanoutResult::deliveries_per_second() const {
  return seconds > 0 ? double(receivers) * lines / seconds : 0;
}

std::uint64_t FanoutResult::missing() const {
  const std::uint64_t expected = std::uint64_t(receivers) * lines;
  return expected > intact + damaged ? expected - intact - damaged : 0;
}

double LatencyResult::median() const {
  if (milliseconds.empty()) return 0;
  std::vector<double> sorted = milliseconds;
  std::sort(sorted.begin(), sorted.end());
  return sorted[sorted.size() / 2];
}

FanoutResult RunFanout(const ChatLoadOptions& options) {
  FanoutResult result;
  result.lines = options.lines;
  std::string all;
  for (std::uint32_t i = 0; i < options.lines; ++i)
    all += PayloadLine(i, options.payload_size);
  Crowd crowd(options);
  Clock::time_point start;
  int done = 0;
  const std::string error = crowd.Run(
      [&] {
        start = Clock::now();
        asio::async_write(crowd.sender().socket, asio::buffer(all),
                          [&](const error_code& ec, std::size_t) {
                            if (ec) crowd.Fail("sending: " + ec.message());
                          });
      },
      [&](Client& client) {
        if (client.reached > 0 || !client.checker.done()) return;
        client.reached = options.lines;
        if (++done == crowd.receivers()) {
          result.seconds = Seconds(Clock::now() - start);
          crowd.Finish();
        }
      });
  result.error = error;
  result.receivers = crowd.receivers();
  for (auto& client : crowd.clients()) {
    if (client.get() == &crowd.sender()) continue;
    result.intact += client->checker.intact();
    result.damaged += client->checker.damaged();
    result.unprefixed += client->checker.unprefixed();
  }
  return result;
}

LatencyResult RunLatency(const ChatLoadOptions& options) {
  LatencyResult result;
  Crowd crowd(options);
  asio::steady_timer gap(crowd.io());
  std::uint32_t sample = 0;  // the line in flight
  int reached = 0;
  std::string line;
  Clock::time_point sent;
  std::function<void()> send = [&] {
    line = PayloadLine(sample, options.payload_size);
    reached = 0;
    sent = Clock::now();
    asio::async_write(crowd.sender().socket, asio::buffer(line),
                      [&](const error_code& ec, std::size_t) {
                        if (ec) crowd.Fail("sending: " + ec.message());
                      });
  };
  const std::uint64_t line_bytes = options.payload_size + 1;
  const std::string error = crowd.Run(send, [&](Client& client) {
    if (client.reached > sample || client.checker.payload_bytes() < (sample + 1) * line_bytes) {
      return;
    }
    client.reached = sample + 1;
    if (++reached < crowd.receivers()) return;
    result.milliseconds.push_back(Seconds(Clock::now() - sent) * 1000);
    if (++sample == options.lines) return crowd.Finish();
    gap.expires_after(options.gap);
    gap.async_wait([&](const error_code& ec) {
      if (!ec && !crowd.finished()) send();
    });
  });
  gap.cancel();
  result.error = error;
  result.receivers = crowd.receivers();
  return result;
}

}  // namespace parley::bench
