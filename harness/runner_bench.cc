// How much playing a scenario costs on top of the exchange itself: 1,000 one-request HTTP
// scenarios played by parley's runner (in process, one at a time) against http-server, against
// the same 1,000 exchanges made by a plain Asio client (connect, write the request, read the
// response, close), once with blocking calls and once with coroutines like parley's. Prints
// the times and the ratios. ci/bench-runner.sh builds and runs it.
//
// usage: runner_bench [--server PATH] [--count N] [--rounds R]
//   PATH defaults to http-server beside this program.
// clang-format off
#include <utility>  // before Asio: g++ 12 needs it for Boost 1.74's coroutines
// clang-format on

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "harness/loader.h"
#include "harness/process.h"
#include "harness/runner.h"
#include "harness/target_pool.h"

namespace {

namespace asio = boost::asio;
using namespace parley::harness;
using Clock = std::chrono::steady_clock;

constexpr const char* kRequest = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";

// One exchange the plain way; returns false on any error.
bool PlainExchange(asio::io_context& io, const asio::ip::tcp::endpoint& server) {
  asio::ip::tcp::socket socket(io);
  boost::system::error_code ec;
  socket.connect(server, ec);
  if (ec) return false;
  socket.set_option(asio::ip::tcp::no_delay(true), ec);
  asio::write(socket, asio::buffer(std::string(kRequest)), ec);
  if (ec) return false;
  asio::streambuf buffer;
  std::size_t head = asio::read_until(socket, buffer, "\r\n\r\n", ec);
  if (ec) return false;
  std::string text(asio::buffers_begin(buffer.data()),
                   asio::buffers_begin(buffer.data()) + static_cast<long>(head));
  if (text.compare(0, 12, "HTTP/1.1 200") != 0) return false;
  std::size_t at = text.find("Content-Length: ");
  if (at == std::string::npos) return false;
  std::size_t length = std::strtoul(text.c_str() + at + 16, nullptr, 10);
  std::size_t have = buffer.size() - head;
  if (have < length) asio::read(socket, buffer, asio::transfer_exactly(length - have), ec);
  if (ec) return false;
  socket.close(ec);
  return true;
}

// The same exchange with Asio coroutines (what parley is built on), without deadlines,
// transcripts or checks.
asio::awaitable<bool> AsyncExchange(asio::ip::tcp::endpoint server) {
  auto executor = co_await asio::this_coro::executor;
  asio::ip::tcp::socket socket(executor);
  boost::system::error_code ec;
  co_await socket.async_connect(server, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return false;
  socket.set_option(asio::ip::tcp::no_delay(true), ec);
  std::string request = kRequest;
  co_await asio::async_write(socket, asio::buffer(request),
                             asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return false;
  asio::streambuf buffer;
  std::size_t head = co_await asio::async_read_until(socket, buffer, "\r\n\r\n",
                                                     asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return false;
  std::string text(asio::buffers_begin(buffer.data()),
                   asio::buffers_begin(buffer.data()) + static_cast<long>(head));
  std::size_t at = text.find("Content-Length: ");
  if (text.compare(0, 12, "HTTP/1.1 200") != 0 || at == std::string::npos) co_return false;
  std::size_t length = std::strtoul(text.c_str() + at + 16, nullptr, 10);
  std::size_t have = buffer.size() - head;
  if (have < length) {
    co_await asio::async_read(socket, buffer, asio::transfer_exactly(length - have),
                              asio::redirect_error(asio::use_awaitable, ec));
  }
  socket.close(ec);
  co_return !ec;
}

double AsyncRound(const asio::ip::tcp::endpoint& server, int count) {
  asio::io_context io;
  bool ok = true;
  auto start = Clock::now();
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        for (int i = 0; i < count && ok; ++i)
          ok = co_await AsyncExchange(server);
      },
      asio::detached);
  io.run();
  if (!ok) {
    std::fprintf(stderr, "runner_bench: an async exchange failed\n");
    std::exit(1);
  }
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

double PlainRound(const asio::ip::tcp::endpoint& server, int count) {
  asio::io_context io;
  auto start = Clock::now();
  for (int i = 0; i < count; ++i) {
    if (!PlainExchange(io, server)) {
      std::fprintf(stderr, "runner_bench: a plain exchange failed\n");
      std::exit(1);
    }
  }
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

double ParleyRound(const std::vector<PlannedRun>& plan, const Endpoint& server) {
  asio::io_context io;
  PoolOptions pool_options;
  pool_options.external["http"] = server;
  TargetPool pool(io.get_executor(), nullptr, pool_options);
  RunOptions options;
  options.jobs = 1;
  Runner runner(io.get_executor(), &pool, options, nullptr);
  std::vector<ScenarioResult> results;
  auto start = Clock::now();
  asio::co_spawn(
      io, [&]() -> asio::awaitable<void> { results = co_await runner.Run(plan); },
      [](std::exception_ptr e) {
        if (e) std::rethrow_exception(e);
      });
  io.run();
  double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  for (const ScenarioResult& r : results) {
    if (!r.passed()) {
      std::fprintf(stderr, "runner_bench: a scenario failed: %s\n", r.message.c_str());
      std::exit(1);
    }
  }
  return ms;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  std::string server_path;
  int count = 1000;
  int rounds = 5;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--server" && i + 1 < argc) {
      server_path = argv[++i];
    } else if (arg == "--count" && i + 1 < argc) {
      count = std::max(1, std::atoi(argv[++i]));
    } else if (arg == "--rounds" && i + 1 < argc) {
      rounds = std::max(1, std::atoi(argv[++i]));
    } else {
      std::fprintf(stderr, "usage: runner_bench [--server PATH] [--count N] [--rounds R]\n");
      return 2;
    }
  }
  if (server_path.empty()) {
    server_path =
        (std::filesystem::read_symlink("/proc/self/exe").parent_path() / "http-server").string();
  }

  // The scenarios: each opens a connection, sends one request, checks the response, closes.
  std::string yaml;
  for (int i = 0; i < count; ++i) {
    yaml += "- name: one request " + std::to_string(i) +
            "\n  target: http\n  steps:\n    - connect: c\n"
            "    - send: {text: \"GET / HTTP/1.1\\r\\nHost: localhost\\r\\n\\r\\n\"}\n"
            "    - expect: {http: {status: 200, body: {contains: Hola}}}\n    - close: c\n";
  }
  LoadResult loaded = LoadScenarios(yaml, "bench.yaml");
  if (!loaded.ok()) {
    std::fprintf(stderr, "runner_bench: %s\n", loaded.error->ToString().c_str());
    return 1;
  }
  std::vector<PlannedRun> plan;
  for (const Scenario& s : loaded.scenarios)
    plan.push_back({&s, 0});

  // The server, started and stopped like parley does it.
  asio::io_context io;
  std::string error;
  auto server = ChildProcess::Start(io.get_executor(),
                                    {server_path, "--host", "127.0.0.1", "--port", "0"}, &error);
  if (!server) {
    std::fprintf(stderr, "runner_bench: %s\n", error.c_str());
    return 1;
  }
  std::optional<std::vector<std::string>> where;
  bool started = false;
  auto ready = Regex::Compile(R"(^listening on http://([^:]+):(\d+)$)", &error);
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        where = co_await server->WaitForLine(*ready, Duration(10000), &error);
        started = true;
      },
      asio::detached);
  // The server's output pipes keep `io` busy while it runs: run only until it is ready.
  while (!started)
    io.run_one();
  if (!where) {
    std::fprintf(stderr, "runner_bench: http-server did not start: %s\n", error.c_str());
    return 1;
  }
  Endpoint endpoint{(*where)[0], (*where)[1]};
  asio::ip::tcp::endpoint tcp_endpoint(asio::ip::make_address(endpoint.host),
                                       static_cast<unsigned short>(std::stoi(endpoint.port)));

  std::vector<double> plain;
  std::vector<double> async;
  std::vector<double> parley;
  PlainRound(tcp_endpoint, std::min(count, 200));  // warm up every side
  AsyncRound(tcp_endpoint, std::min(count, 200));
  ParleyRound(plan, endpoint);
  for (int r = 0; r < rounds; ++r) {
    plain.push_back(PlainRound(tcp_endpoint, count));
    async.push_back(AsyncRound(tcp_endpoint, count));
    parley.push_back(ParleyRound(plan, endpoint));
  }
  bool killed = false;
  bool stopped = false;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        co_await server->Stop(Duration(3000), &killed);
        stopped = true;
      },
      asio::detached);
  while (!stopped)
    io.run_one();

  double p = Median(plain);
  double a = Median(async);
  double q = Median(parley);
  std::printf("one-request HTTP exchanges against http-server, %d per round, median of %d rounds\n",
              count, rounds);
  std::printf("plain Asio client, blocking calls : %8.1f ms  (%.1f us per exchange)\n", p,
              p * 1000 / count);
  std::printf("plain Asio client, coroutines     : %8.1f ms  (%.1f us per exchange)\n", a,
              a * 1000 / count);
  std::printf("parley scenarios                  : %8.1f ms  (%.1f us per scenario)\n", q,
              q * 1000 / count);
  std::printf("ratio parley/blocking client      : %.2f\n", q / p);
  std::printf("ratio parley/coroutine client     : %.2f\n", q / a);
  return 0;
}
