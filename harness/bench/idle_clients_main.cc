// bench_idle_clients: opens many keep-alive connections that each make one request and then stay
// idle (idle_clients.h), prints "ready N" on stdout, and holds them until its standard input
// closes (or SIGTERM). ci/bench.sh measures the server's memory in between. Exits 1 when the
// connections could not all be opened, 2 on a usage error.
#include <boost/program_options.hpp>
#include <cstdio>
#include <iostream>
#include <string>

#include "harness/bench/command_line.h"
#include "harness/bench/idle_clients.h"

namespace {

namespace po = boost::program_options;

}  // namespace

int main(int argc, char** argv) {
  std::string host = "127.0.0.1";
  unsigned port = 0;
  unsigned timeout_ms = 60000;
  parley::bench::IdleOptions options;
  parley::bench::CommandLine command("bench_idle_clients",
                                     "bench_idle_clients --port PORT [options]");
  // clang-format off
  command.Options()
    ("host", po::value(&host), "the server's address (default 127.0.0.1)")
    ("port", po::value(&port)->required(), "the server's port")
    ("count", po::value(&options.count), "connections (default 10000)")
    ("parallel", po::value(&options.parallel), "connections opened at once (default 200)")
    ("timeout-ms", po::value(&timeout_ms), "give up opening after this long (default 60000)");
  // clang-format on
  if (auto exit_code = command.Parse(argc, argv)) return *exit_code;
  if (options.count < 1 || options.parallel < 1) return command.Usage("bad --count");
  boost::system::error_code ec;
  options.server = {boost::asio::ip::make_address(host, ec), static_cast<unsigned short>(port)};
  if (ec) return command.Usage("bad --host " + host);
  options.timeout = std::chrono::milliseconds(timeout_ms);

  boost::asio::io_context io;
  parley::bench::IdleClients clients(io, options);
  if (const std::string error = clients.Open(); !error.empty()) {
    std::fprintf(stderr, "bench_idle_clients: %s\n", error.c_str());
    return 1;
  }
  std::printf("ready %d\n", clients.idle());
  std::fflush(stdout);
  while (std::getchar() != EOF) {
  }
  clients.Close();
  return 0;
}
