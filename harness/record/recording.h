// Recording: what `parley record` saw between its clients and the server, as one ordered log of
// events over numbered client connections (c1, c2, ... in the order they were accepted). The
// proxy appends to it; ScenarioWriter turns it into a scenario. No sockets here.
//
// Memory is bounded: each connection records at most `max_bytes` of data (both directions
// together). The chunk that would pass the bound is not recorded, nor anything after it on that
// connection; a kTruncated event marks the place, so the scenario can stop there and say why.
#ifndef PARLEY_HARNESS_RECORD_RECORDING_H_
#define PARLEY_HARNESS_RECORD_RECORDING_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/scenario/scenario.h"

namespace parley::harness {

struct RecordedEvent {
  enum class Kind {
    kConnected,        // the server accepted the proxy's connection for this client
    kConnectFailed,    // the server could not be reached; `bytes` says why
    kClientData,       // bytes the client sent (one datagram over UDP)
    kServerData,       // bytes the server sent (one datagram over UDP)
    kClientClosed,     // the client closed its sending side (FIN)
    kClientReset,      // the client reset the connection
    kServerClosed,     // the server closed (FIN; over TLS, with close_notify)
    kServerReset,      // the server reset the connection
    kServerTruncated,  // over TLS: the server closed TCP without close_notify
    kTruncated,        // the connection passed the byte bound: nothing more is recorded for it
  };
  Kind kind = Kind::kClientData;
  int connection = 0;  // 1-based
  std::string bytes;
  std::chrono::steady_clock::duration at{};  // since the recording started
};

struct RecordedConnection {
  Transport transport = Transport::kTcp;
  std::string client;            // the client's address, "127.0.0.1:50312"
  std::uint16_t local_port = 0;  // the proxy's port towards the server (the server's "peer")
  std::uint64_t bytes = 0;       // recorded so far, both directions
  bool truncated = false;
  bool failed = false;  // the server could not be reached
};

class Recording {
 public:
  using Clock = std::chrono::steady_clock;

  explicit Recording(std::size_t max_bytes_per_connection = 1 << 20);

  // A new client connection; returns its number (1, 2, ...).
  int Open(Transport transport, std::string client);
  void Connected(int c, std::uint16_t local_port);
  void ConnectFailed(int c, std::string why);
  void ClientData(int c, std::string_view bytes);
  void ServerData(int c, std::string_view bytes);
  void Add(int c, RecordedEvent::Kind kind);  // the closes and resets

  // Told each event as it is recorded (for `--verbose`).
  void set_observer(std::function<void(const RecordedEvent&)> observer) {
    observer_ = std::move(observer);
  }

  const std::vector<RecordedEvent>& events() const { return events_; }
  // REQUIRES: 1 <= c <= connections().
  const RecordedConnection& connection(int c) const { return connections_[c - 1]; }
  int connections() const { return static_cast<int>(connections_.size()); }
  std::size_t max_bytes() const { return max_bytes_; }

 private:
  void Data(int c, RecordedEvent::Kind kind, std::string_view bytes);
  void Push(int c, RecordedEvent::Kind kind, std::string bytes);

  std::size_t max_bytes_;
  Clock::time_point start_ = Clock::now();
  std::vector<RecordedConnection> connections_;
  std::vector<RecordedEvent> events_;
  std::function<void(const RecordedEvent&)> observer_;
};

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_RECORD_RECORDING_H_
