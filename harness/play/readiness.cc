#include "harness/play/readiness.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>

#include "harness/play/deadlines.h"
#include "harness/play/player.h"

namespace parley::harness {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr auto kPollInterval = std::chrono::milliseconds(50);
constexpr auto kConnectTry = std::chrono::seconds(1);

// The addresses of host:port: a literal address as it is, a name through the resolver.
std::optional<tcp::resolver::results_type> Resolve(asio::any_io_executor executor,
                                                   const std::string& host, const std::string& port,
                                                   std::string* error) {
  tcp::resolver resolver(executor);
  boost::system::error_code ec;
  auto results = resolver.resolve(host, port, ec);
  if (ec || results.empty()) {
    *error = "cannot resolve " + host + ": " + (ec ? ec.message() : "no address");
    return std::nullopt;
  }
  return results;
}

std::string ExitedBefore(const ExitStatus& status, const std::string& what) {
  return "it exited (" + status.ToString() + ") before " + what;
}

asio::awaitable<void> Pause(asio::any_io_executor executor, Clock::time_point deadline) {
  asio::steady_timer timer(executor, std::min(deadline, Clock::now() + kPollInterval));
  boost::system::error_code ec;
  co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

// A listening address stands for the loopback address of its family.
std::string ConnectableHost(std::string host) {
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  if (host == "0.0.0.0" || host.empty()) return "127.0.0.1";
  if (host == "::") return "::1";
  return host;
}

}  // namespace

std::optional<int> PickFreePort(const std::string& host, std::string* error) {
  asio::io_context io;
  auto addresses = Resolve(io.get_executor(), host, "0", error);
  if (!addresses) return std::nullopt;
  tcp::acceptor acceptor(io);
  boost::system::error_code ec;
  acceptor.open(addresses->begin()->endpoint().protocol(), ec);
  if (!ec) acceptor.bind(addresses->begin()->endpoint(), ec);
  if (ec) {
    *error = "cannot bind a port on " + host + ": " + ec.message();
    return std::nullopt;
  }
  int port = acceptor.local_endpoint(ec).port();
  if (ec) {
    *error = "cannot read the port bound on " + host + ": " + ec.message();
    return std::nullopt;
  }
  return port;
}

asio::awaitable<bool> WaitForConnect(asio::any_io_executor executor,
                                     std::shared_ptr<ChildProcess> process, const std::string& host,
                                     const std::string& port, Duration timeout,
                                     std::string* error) {
  const auto deadline = Clock::now() + timeout;
  const std::string where = host + ":" + port;
  auto addresses = Resolve(executor, host, port, error);
  if (!addresses) co_return false;
  Deadlines deadlines(executor);
  std::string last = "no try";
  bool connected = false;
  for (;;) {
    if (auto status = process->Poll()) {
      *error = ExitedBefore(*status, "accepting a connection on " + where);
      break;
    }
    tcp::socket socket(executor);
    boost::system::error_code ec;
    {
      Deadlines::Watch bound(deadlines, std::min(deadline, Clock::now() + kConnectTry), [&socket] {
        boost::system::error_code ignored;
        socket.close(ignored);
      });
      co_await asio::async_connect(socket, *addresses,
                                   asio::redirect_error(asio::use_awaitable, ec));
    }
    if (!ec) {
      connected = true;
      break;
    }
    last = ec == asio::error::operation_aborted || ec == asio::error::bad_descriptor
               ? "the connect took too long"
               : ec.message();
    if (Clock::now() >= deadline) {
      *error = "it accepted no TCP connection on " + where + " within " + FormatDuration(timeout) +
               " (the last try: " + last + ")";
      break;
    }
    co_await Pause(executor, deadline);
  }
  deadlines.Disarm();
  co_return connected;
}

asio::awaitable<bool> WaitForScenario(asio::any_io_executor executor,
                                      std::shared_ptr<ChildProcess> process,
                                      const Scenario& scenario, const std::string& name,
                                      const Endpoint& endpoint, Duration timeout,
                                      double timeout_scale, std::string* error) {
  const auto deadline = Clock::now() + timeout;
  PoolOptions pool_options;
  pool_options.external[name] = endpoint;
  TargetPool pool(executor, nullptr, pool_options);
  PlayOptions play;
  play.timeout_scale = timeout_scale;
  Deadlines deadlines(executor);
  const std::string what = "the scenario " + scenario.file + " passed";
  std::string last;  // the failure of the last try
  bool passed = false;
  for (int tries = 1;; ++tries) {
    if (auto status = process->Poll()) {
      *error = ExitedBefore(*status, what);
      break;
    }
    ScenarioResult result;
    {
      Player player(executor, &pool, &play, deadlines);
      Deadlines::Watch bound(deadlines, deadline, [&player] { player.Interrupt(); });
      result = co_await player.Play(scenario, 0);
    }
    if (result.passed()) {
      passed = true;
      break;
    }
    // A try cut short by the deadline says less than the one before it.
    if (result.status != ScenarioResult::Status::kInterrupted || last.empty()) {
      last = result.message;
    }
    if (Clock::now() >= deadline) {
      *error = "the scenario " + scenario.file + " did not pass within " + FormatDuration(timeout) +
               " (" + std::to_string(tries) + (tries == 1 ? " try" : " tries") +
               "; the last: " + last + ")";
      break;
    }
    co_await Pause(executor, deadline);
  }
  deadlines.Disarm();
  co_return passed;
}

asio::awaitable<std::optional<Endpoint>> WaitUntilReady(asio::any_io_executor executor,
                                                        std::shared_ptr<ChildProcess> process,
                                                        const TargetSpec& spec,
                                                        const Endpoint& planned, Duration timeout,
                                                        double timeout_scale, std::string* error) {
  const ReadySpec& ready = spec.ready;
  Endpoint endpoint = planned;
  endpoint.host = ConnectableHost(endpoint.host);
  switch (ready.kind) {
    case ReadySpec::Kind::kStdout:
    case ReadySpec::Kind::kStderr: {
      auto stream = ready.kind == ReadySpec::Kind::kStdout ? ChildProcess::Stream::kStdout
                                                           : ChildProcess::Stream::kStderr;
      auto groups = co_await process->WaitForLine(*ready.regex, timeout, error, stream);
      if (!groups) co_return std::nullopt;
      if (ready.host_group > 0) {
        auto group = [&](int index) -> std::string {
          return static_cast<std::size_t>(index) <= groups->size()
                     ? (*groups)[static_cast<std::size_t>(index) - 1]
                     : "";
        };
        endpoint.host = ConnectableHost(group(ready.host_group));
        endpoint.port = group(ready.port_group);
      }
      co_return endpoint;
    }
    case ReadySpec::Kind::kConnect:
      if (!co_await WaitForConnect(executor, process, endpoint.host, endpoint.port, timeout,
                                   error)) {
        co_return std::nullopt;
      }
      co_return endpoint;
    case ReadySpec::Kind::kScenario:
      if (!co_await WaitForScenario(executor, process, *ready.scenario, spec.name, endpoint,
                                    timeout, timeout_scale, error)) {
        co_return std::nullopt;
      }
      co_return endpoint;
  }
  co_return std::nullopt;
}

}  // namespace parley::harness
