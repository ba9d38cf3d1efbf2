// bench_idle_clients: opens many keep-alive connections that each make one request and then stay
// idle (idle_clients.h), prints "ready N" on stdout, and holds them until its standard input
// closes (or SIGTERM). ci/bench.sh measures the server's memory in between. Exits 1 when the
// connections could not all be opened, 2 on a usage error.
#include <boost/program_options.hpp>
#include <cstdio>
#include <iostream>
#include <string>

#include "harness/bench/idle_clients.h"

namespace {

namespace po = boost::program_options;

int Usage(const po::options_description& options, const std::string& error) {
  if (!error.empty()) std::cerr << "bench_idle_clients: " << error << "\n";
  std::cerr << "usage: bench_idle_clients --port PORT [options]\n\n" << options;
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string host = "127.0.0.1";
  unsigned port = 0;
  unsigned timeout_ms = 60000;
  parley::bench::IdleOptions options;
  po::options_description described("options");
  // clang-format off
  described.add_options()
    ("host", po::value(&host), "the server's address (default 127.0.0.1)")
    ("port", po::value(&port)->required(), "the server's port")
    ("count", po::value(&options.count), "connections (default 10000)")
    ("parallel", po::value(&options.parallel), "connections opened at once (default 200)")
    ("timeout-ms", po::value(&timeout_ms), "give up opening after this long (default 60000)")
    ("help,h", "this text");
  // clang-format on
  po::variables_map values;
  try {
    po::store(po::parse_command_line(argc, argv, described), values);
    if (values.count("help")) return Usage(described, ""), 0;
    po::notify(values);
  } catch (const po::error& e) {
    return Usage(described, e.what());
  }
  if (options.count < 1 || options.parallel < 1) return Usage(described, "bad --count");
  boost::system::error_code ec;
  options.server = {boost::asio::ip::make_address(host, ec), static_cast<unsigned short>(port)};
  if (ec) return Usage(described, "bad --host " + host);
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
