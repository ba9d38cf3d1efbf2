// bench_chat_load: the chat fan-out and latency load of ci/bench.sh (chat_load.h). Prints one
// JSON object with the result on stdout; exits 1 when the run failed, 2 on a usage error.
#include <boost/program_options.hpp>
#include <cstdio>
#include <iostream>
#include <string>

#include "harness/bench/chat_lines.h"
#include "harness/bench/chat_load.h"
#include "harness/bench/command_line.h"

namespace {

namespace po = boost::program_options;
using parley::bench::ChatLoadOptions;

std::string Quoted(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c < 0x20 ? ' ' : c);
  }
  return out + "\"";
}

}  // namespace

int main(int argc, char** argv) {
  std::string host = "127.0.0.1";
  unsigned port = 0;
  std::string mode = "fanout";
  ChatLoadOptions options;
  unsigned timeout_ms = 60000;
  unsigned settle_ms = 300;
  parley::bench::CommandLine command("bench_chat_load", "bench_chat_load --port PORT [options]");
  // clang-format off
  command.Options()
    ("host", po::value(&host), "the relay's address (default 127.0.0.1)")
    ("port", po::value(&port)->required(), "the relay's port")
    ("mode", po::value(&mode), "fanout (default) or latency")
    ("clients", po::value(&options.clients), "connections, one of them sending (default 100)")
    ("lines", po::value(&options.lines), "lines sent, or timed in latency mode (default 10000)")
    ("payload", po::value(&options.payload_size), "bytes per line before its LF (default 40)")
    ("settle-ms", po::value(&settle_ms), "quiet time that ends the joins (default 300)")
    ("timeout-ms", po::value(&timeout_ms), "give up after this long (default 60000)");
  // clang-format on
  if (auto exit_code = command.Parse(argc, argv)) return *exit_code;
  if (mode != "fanout" && mode != "latency") return command.Usage("bad --mode " + mode);
  if (options.payload_size < parley::bench::kMinPayloadSize || options.clients < 2) {
    return command.Usage("--payload must be at least 11 and --clients at least 2");
  }
  boost::system::error_code ec;
  options.server = {boost::asio::ip::make_address(host, ec), static_cast<unsigned short>(port)};
  if (ec) return command.Usage("bad --host " + host);
  options.timeout = std::chrono::milliseconds(timeout_ms);
  options.settle = std::chrono::milliseconds(settle_ms);

  if (mode == "fanout") {
    const auto r = parley::bench::RunFanout(options);
    std::printf(
        "{\"mode\": \"fanout\", \"error\": %s, \"seconds\": %.6f, \"receivers\": %d, "
        "\"lines\": %u, \"deliveries_per_second\": %.1f, \"intact\": %llu, \"damaged\": %llu, "
        "\"unprefixed\": %llu, \"missing\": %llu}\n",
        Quoted(r.error).c_str(), r.seconds, r.receivers, r.lines, r.deliveries_per_second(),
        static_cast<unsigned long long>(r.intact), static_cast<unsigned long long>(r.damaged),
        static_cast<unsigned long long>(r.unprefixed),
        static_cast<unsigned long long>(r.missing()));
    return r.error.empty() ? 0 : 1;
  }
  const auto r = parley::bench::RunLatency(options);
  std::string samples;
  for (double ms : r.milliseconds)
    samples += (samples.empty() ? "" : ", ") + std::to_string(ms);
  std::printf(
      "{\"mode\": \"latency\", \"error\": %s, \"receivers\": %d, \"median_ms\": %.4f, "
      "\"samples_ms\": [%s]}\n",
      Quoted(r.error).c_str(), r.receivers, r.median(), samples.c_str());
  return r.error.empty() ? 0 : 1;
}
