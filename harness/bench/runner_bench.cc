// How much playing a scenario costs on top of the exchange itself: 1,000 one-request HTTP
// scenarios played by parley's runner (in process, `--jobs` at a time) against http-server,
// against the same 1,000 exchanges made by a plain Asio client (connect, write the request,
// read the response, close) at the same concurrency, once with blocking calls (one thread per
// job) and once with coroutines like parley's. Prints the times and the ratios.
// ci/bench-runner.sh builds and runs it.
//
// usage: runner_bench [--server PATH] [--count N] [--rounds R] [--jobs J]
//                     [--only plain|async|parley]
//   PATH defaults to http-server beside this program. --only runs one side alone (for
//   profiling it with strace -c or perf).
#include <sys/resource.h>

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
#include <thread>
#include <vector>

#include "harness/play/process.h"
#include "harness/play/runner.h"
#include "harness/play/target_pool.h"
#include "harness/scenario/loader.h"

namespace parley::bench {
namespace {

namespace asio = boost::asio;
using namespace parley::harness;
using Clock = std::chrono::steady_clock;

constexpr const char* kRequest = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";

// The wall-clock time of a round, and the CPU time this process (every thread of it, not the
// server) spent in it.
struct Times {
  double wall_ms = 0;
  double cpu_ms = 0;
};

double CpuMs() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto ms = [](const timeval& t) { return t.tv_sec * 1e3 + t.tv_usec / 1e3; };
  return ms(usage.ru_utime) + ms(usage.ru_stime);
}

class Stopwatch {
 public:
  Stopwatch() : wall_(Clock::now()), cpu_(CpuMs()) {}
  Times Read() const {
    return {std::chrono::duration<double, std::milli>(Clock::now() - wall_).count(),
            CpuMs() - cpu_};
  }

 private:
  Clock::time_point wall_;
  double cpu_;
};

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

// `jobs` coroutines on one thread share the `count` exchanges.
Times AsyncRound(const asio::ip::tcp::endpoint& server, int count, int jobs) {
  asio::io_context io;
  bool ok = true;
  int next = 0;
  Stopwatch stopwatch;
  for (int j = 0; j < jobs; ++j) {
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
          while (ok && next < count) {
            ++next;
            ok = co_await AsyncExchange(server);
          }
        },
        asio::detached);
  }
  io.run();
  if (!ok) {
    std::fprintf(stderr, "runner_bench: an async exchange failed\n");
    std::exit(1);
  }
  return stopwatch.Read();
}

// `jobs` threads, each with blocking calls, share the `count` exchanges.
Times PlainRound(const asio::ip::tcp::endpoint& server, int count, int jobs) {
  auto work = [&server](int n) {
    asio::io_context io;
    for (int i = 0; i < n; ++i) {
      if (!PlainExchange(io, server)) {
        std::fprintf(stderr, "runner_bench: a plain exchange failed\n");
        std::exit(1);
      }
    }
  };
  Stopwatch stopwatch;
  std::vector<std::thread> threads;
  for (int j = 1; j < jobs; ++j)
    threads.emplace_back(work, count / jobs);
  work(count - (jobs - 1) * (count / jobs));
  for (std::thread& t : threads)
    t.join();
  return stopwatch.Read();
}

Times ParleyRound(const std::vector<PlannedRun>& plan, const Endpoint& server, int jobs) {
  asio::io_context io;
  PoolOptions pool_options;
  pool_options.external["http"] = server;
  TargetPool pool(io.get_executor(), nullptr, pool_options);
  RunOptions options;
  options.jobs = jobs;
  Runner runner(io.get_executor(), &pool, options, nullptr);
  std::vector<ScenarioResult> results;
  Stopwatch stopwatch;
  asio::co_spawn(
      io, [&]() -> asio::awaitable<void> { results = co_await runner.Run(plan); },
      [](std::exception_ptr e) {
        if (e) std::rethrow_exception(e);
      });
  io.run();
  for (const ScenarioResult& r : results) {
    if (!r.passed()) {
      std::fprintf(stderr, "runner_bench: a scenario failed: %s\n", r.message.c_str());
      std::exit(1);
    }
  }
  results.clear();  // the reports' data is part of the cost
  return stopwatch.Read();
}

// The median of the rounds' wall-clock times, and of their CPU times.
Times Median(const std::vector<Times>& rounds) {
  std::vector<double> wall;
  std::vector<double> cpu;
  for (const Times& t : rounds) {
    wall.push_back(t.wall_ms);
    cpu.push_back(t.cpu_ms);
  }
  std::sort(wall.begin(), wall.end());
  std::sort(cpu.begin(), cpu.end());
  return {wall[wall.size() / 2], cpu[cpu.size() / 2]};
}

}  // namespace

int Main(int argc, char** argv) {
  std::string server_path;
  int count = 1000;
  int rounds = 5;
  int jobs = 1;
  std::string only;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--server" && i + 1 < argc) {
      server_path = argv[++i];
    } else if (arg == "--count" && i + 1 < argc) {
      count = std::max(1, std::atoi(argv[++i]));
    } else if (arg == "--rounds" && i + 1 < argc) {
      rounds = std::max(1, std::atoi(argv[++i]));
    } else if (arg == "--jobs" && i + 1 < argc) {
      jobs = std::clamp(std::atoi(argv[++i]), 1, 64);
    } else if (arg == "--only" && i + 1 < argc &&
               (std::string(argv[i + 1]) == "plain" || std::string(argv[i + 1]) == "async" ||
                std::string(argv[i + 1]) == "parley")) {
      only = argv[++i];
    } else {
      std::fprintf(stderr,
                   "usage: runner_bench [--server PATH] [--count N] [--rounds R] [--jobs J] "
                   "[--only plain|async|parley]\n");
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
  Endpoint endpoint{(*where)[0], (*where)[1], std::nullopt};
  asio::ip::tcp::endpoint tcp_endpoint(asio::ip::make_address(endpoint.host),
                                       static_cast<unsigned short>(std::stoi(endpoint.port)));

  bool run_plain = only.empty() || only == "plain";
  bool run_async = only.empty() || only == "async";
  bool run_parley = only.empty() || only == "parley";
  std::vector<Times> plain;
  std::vector<Times> async;
  std::vector<Times> parley;
  std::vector<PlannedRun> warm_up(plan.begin(),
                                  plan.begin() + std::min<std::size_t>(plan.size(), 200));
  if (run_plain) PlainRound(tcp_endpoint, std::min(count, 200), jobs);  // warm up every side
  if (run_async) AsyncRound(tcp_endpoint, std::min(count, 200), jobs);
  if (run_parley) ParleyRound(warm_up, endpoint, jobs);
  for (int r = 0; r < rounds; ++r) {
    if (run_plain) plain.push_back(PlainRound(tcp_endpoint, count, jobs));
    if (run_async) async.push_back(AsyncRound(tcp_endpoint, count, jobs));
    if (run_parley) parley.push_back(ParleyRound(plan, endpoint, jobs));
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

  std::printf(
      "one-request HTTP exchanges against http-server, %d per round, %d at a time, median of %d "
      "rounds\n",
      count, jobs, rounds);
  auto show = [count](const char* what, const std::vector<Times>& rounds) {
    if (rounds.empty()) return;
    Times t = Median(rounds);
    std::printf("%s: %8.1f ms  %6.1f us each   (client CPU %5.1f us each)\n", what, t.wall_ms,
                t.wall_ms * 1000 / count, t.cpu_ms * 1000 / count);
  };
  show("plain Asio client, blocking calls", plain);
  show("plain Asio client, coroutines    ", async);
  show("parley scenarios                 ", parley);
  if (!parley.empty() && !plain.empty()) {
    std::printf("ratio parley/blocking client     : %.2f\n",
                Median(parley).wall_ms / Median(plain).wall_ms);
  }
  if (!parley.empty() && !async.empty()) {
    std::printf("ratio parley/coroutine client    : %.2f\n",
                Median(parley).wall_ms / Median(async).wall_ms);
  }
  return 0;
}

}  // namespace parley::bench

int main(int argc, char** argv) {
  return parley::bench::Main(argc, argv);
}
