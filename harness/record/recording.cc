#include "harness/record/recording.h"

#include <utility>

namespace parley::harness {

Recording::Recording(std::size_t max_bytes_per_connection) : max_bytes_(max_bytes_per_connection) {}

int Recording::Open(Transport transport, std::string client) {
  RecordedConnection c;
  c.transport = transport;
  c.client = std::move(client);
  connections_.push_back(std::move(c));
  return connections();
}

void Recording::Connected(int c, std::uint16_t local_port) {
  connections_[c - 1].local_port = local_port;
  Push(c, RecordedEvent::Kind::kConnected, {});
}

void Recording::ConnectFailed(int c, std::string why) {
  connections_[c - 1].failed = true;
  Push(c, RecordedEvent::Kind::kConnectFailed, std::move(why));
}

void Recording::ClientData(int c, std::string_view bytes) {
  Data(c, RecordedEvent::Kind::kClientData, bytes);
}

void Recording::ServerData(int c, std::string_view bytes) {
  Data(c, RecordedEvent::Kind::kServerData, bytes);
}

void Recording::Add(int c, RecordedEvent::Kind kind) {
  if (connections_[c - 1].truncated) return;
  Push(c, kind, {});
}

void Recording::Data(int c, RecordedEvent::Kind kind, std::string_view bytes) {
  RecordedConnection& conn = connections_[c - 1];
  if (conn.truncated || bytes.empty()) return;
  if (conn.bytes + bytes.size() > max_bytes_) {
    conn.truncated = true;
    Push(c, RecordedEvent::Kind::kTruncated, {});
    return;
  }
  conn.bytes += bytes.size();
  Push(c, kind, std::string(bytes));
}

void Recording::Push(int c, RecordedEvent::Kind kind, std::string bytes) {
  RecordedEvent e;
  e.kind = kind;
  e.connection = c;
  e.bytes = std::move(bytes);
  e.at = Clock::now() - start_;
  events_.push_back(std::move(e));
  if (observer_) observer_(events_.back());
}

}  // namespace parley::harness
