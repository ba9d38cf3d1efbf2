// Load for a chat relay (chat-server, `ncat --chat`), as ci/bench.sh measures it:
//
// - RunFanout: `clients` connections; once the chatter of their joining has settled, one of them
//   sends `lines` payload lines (chat_lines.h) in one write, as fast as the relay takes them,
//   and every other one checks what it receives. The time runs from the first byte sent to the
//   moment the last receiver has every payload byte.
// - RunLatency: the same crowd; one line at a time, `lines` times, the time from its send until
//   the last receiver has it.
//
// Everything runs on one thread, the caller's, over loopback sockets of its own.
#ifndef PARLEY_HARNESS_BENCH_CHAT_LOAD_H_
#define PARLEY_HARNESS_BENCH_CHAT_LOAD_H_

#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace parley::bench {

struct ChatLoadOptions {
  boost::asio::ip::tcp::endpoint server;
  int clients = 100;              // one sends, the others receive; at least 2
  std::uint32_t lines = 10000;    // fan-out: lines sent; latency: lines timed
  std::size_t payload_size = 40;  // bytes per line before its LF (>= kMinPayloadSize)
  // The joins are over once no client has received anything for this long.
  std::chrono::milliseconds settle{300};
  // The whole run (connecting, settling, sending) gives up after this.
  std::chrono::milliseconds timeout{60000};
  // Latency: the pause between one line's arrival everywhere and the next line.
  std::chrono::milliseconds gap{5};
};

struct FanoutResult {
  std::string error;  // empty when every receiver got every payload byte in time
  double seconds = 0;
  int receivers = 0;
  std::uint32_t lines = 0;
  std::uint64_t intact = 0;      // over all receivers
  std::uint64_t damaged = 0;     // over all receivers
  std::uint64_t unprefixed = 0;  // intact lines without their sender's prefix, over all receivers
  // Line deliveries (receivers x lines) per second.
  double deliveries_per_second() const;
  // Expected lines that arrived neither intact nor damaged.
  std::uint64_t missing() const;
};

struct LatencyResult {
  std::string error;
  int receivers = 0;
  std::vector<double> milliseconds;  // per line: from its send until the last receiver had it
  double median() const;
};

FanoutResult RunFanout(const ChatLoadOptions& options);
LatencyResult RunLatency(const ChatLoadOptions& options);

}  // namespace parley::bench

#endif  // PARLEY_HARNESS_BENCH_CHAT_LOAD_H_
