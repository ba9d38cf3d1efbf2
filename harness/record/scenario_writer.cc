#include "harness/record/scenario_writer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <memory>

#include "harness/record/yaml_text.h"

namespace parley::harness {
namespace {

using Kind = RecordedEvent::Kind;

constexpr std::size_t kRun = 64;  // a run of one byte this long is sent as a repeat piece

bool StartsWithRequestLine(std::string_view b) {
  std::size_t i = 0;
  while (i < b.size() && i < 24 && b[i] >= 'A' && b[i] <= 'Z')
    ++i;
  if (i == 0 || i >= b.size() || b[i] != ' ') return false;
  std::size_t sp = b.find(' ', i + 1);
  if (sp == std::string_view::npos || sp == i + 1) return false;
  return b.substr(sp + 1, 7) == "HTTP/1.";
}

// Pieces of a payload: runs of one byte at least kRun long, and the text between them.
struct Segment {
  std::string_view text;
  std::size_t run = 0;  // >0: `text` is one byte repeated this often
};

std::vector<Segment> Segments(std::string_view bytes) {
  std::vector<Segment> out;
  std::size_t text_start = 0;
  for (std::size_t i = 0; i < bytes.size();) {
    std::size_t end = i;
    while (end < bytes.size() && bytes[end] == bytes[i])
      ++end;
    if (end - i >= kRun) {
      if (i > text_start) out.push_back({bytes.substr(text_start, i - text_start), 0});
      out.push_back({bytes.substr(i, 1), end - i});
      text_start = end;
    }
    i = end;
  }
  if (text_start < bytes.size()) out.push_back({bytes.substr(text_start), 0});
  return out;
}

class Writer {
 public:
  Writer(const Recording& recording, const ScenarioOptions& options, std::string* error)
      : recording_(recording), options_(options), normalizer_(NormalizerOptions(options), error) {}

  WrittenScenario Write() {
    WrittenScenario out;
    if (!normalizer_.valid()) return out;
    states_.resize(static_cast<std::size_t>(recording_.connections()));
    for (int c = 1; c <= recording_.connections(); ++c) {
      State& s = state(c);
      s.name = "c" + std::to_string(c);
      s.protocol = recording_.connection(c).transport == Transport::kUdp
                       ? StreamProtocol::kDatagram
                       : options_.protocol.value_or(DetectProtocol(recording_, c));
      s.writer = MakeStreamWriter(s.protocol, s.name, &normalizer_, &options_.headers);
    }
    const std::vector<RecordedEvent>& events = recording_.events();
    for (std::size_t i = 0; i < events.size(); ++i) {
      const RecordedEvent& e = events[i];
      if (i > 0 && IsServerEvent(e.kind))
        longest_wait_ = std::max(longest_wait_, e.at - events[i - 1].at);
      FlushBefore(e);
      Handle(e);
    }
    FlushSend();
    for (State& s : states_)
      s.writer->Flush(&steps_);
    out.steps = steps_.steps();
    out.yaml = Header() + steps_.text();
    return out;
  }

 private:
  struct State {
    std::string name;
    StreamProtocol protocol = StreamProtocol::kBytes;
    std::unique_ptr<StreamWriter> writer;
    bool skipped = false;
    bool client_done = false;
    bool client_reset = false;
    bool server_done = false;
  };

  static NormalizeOptions NormalizerOptions(const ScenarioOptions& options) {
    NormalizeOptions n;
    n.addresses = options.addresses;
    if (!options.server.empty()) n.addresses.push_back(options.server);
    n.address_variable = options.target.empty() ? "server" : "target.address";
    n.patterns = options.volatile_patterns;
    return n;
  }

  static bool IsServerEvent(Kind k) {
    return k == Kind::kServerData || k == Kind::kServerClosed || k == Kind::kServerReset;
  }

  State& state(int c) { return states_[static_cast<std::size_t>(c - 1)]; }

  bool Counters(const State& s) const {
    return s.protocol == StreamProtocol::kLines || s.protocol == StreamProtocol::kDatagram;
  }

  // Bytes held back (a send being merged, server bytes in bytes mode) are written before any
  // other event.
  void FlushBefore(const RecordedEvent& e) {
    bool same_send = e.kind == Kind::kClientData && e.connection == send_connection_ &&
                     recording_.connection(e.connection).transport == Transport::kTcp;
    if (!same_send) FlushSend();
    for (std::size_t i = 0; i < states_.size(); ++i) {
      bool same_stream = e.kind == Kind::kServerData && static_cast<int>(i) + 1 == e.connection;
      if (!same_stream) states_[i].writer->Flush(&steps_);
    }
  }

  void Handle(const RecordedEvent& e) {
    State& s = state(e.connection);
    if (s.skipped) return;
    switch (e.kind) {
      case Kind::kConnected:
        steps_.Add(ConnectYaml(e.connection));
        normalizer_.AddPeerPort(recording_.connection(e.connection).local_port);
        break;
      case Kind::kConnectFailed:
        steps_.Comment(s.name + " (from " + recording_.connection(e.connection).client +
                       "): the server could not be reached (" + e.bytes +
                       "); the recorder closed the client");
        s.skipped = true;
        break;
      case Kind::kClientData:
        s.writer->ClientBytes(e.bytes);
        send_connection_ = e.connection;
        send_ += e.bytes;
        if (recording_.connection(e.connection).transport == Transport::kUdp) FlushSend();
        break;
      case Kind::kServerData:
        s.writer->ServerBytes(e.bytes, &steps_);
        break;
      case Kind::kClientClosed:
      case Kind::kClientReset:
        ClientEnd(s, e.kind == Kind::kClientReset);
        break;
      case Kind::kServerClosed:
      case Kind::kServerReset:
      case Kind::kServerTruncated:
        ServerEnd(s, e.kind);
        break;
      case Kind::kTruncated:
        steps_.Comment(s.name + ": recording stopped here: the connection passed the bound of " +
                       std::to_string(recording_.max_bytes()) +
                       " recorded bytes (--max-record); the rest was forwarded, not recorded");
        if (!(s.client_done && s.server_done)) steps_.Add("close: " + s.name);
        s.skipped = true;
        break;
    }
  }

  void ClientEnd(State& s, bool reset) {
    if (s.client_done) return;
    s.client_done = true;
    s.client_reset = reset;
    if (s.server_done) {
      steps_.Add("close: " + s.name);
    } else if (reset) {
      steps_.Add("close: {on: " + s.name + ", how: reset}");
    } else {
      steps_.Add("shutdown: " + s.name);
    }
  }

  void ServerEnd(State& s, Kind kind) {
    if (s.server_done) return;
    s.server_done = true;
    s.writer->End(&steps_);
    if (s.client_reset) return;
    if (kind == Kind::kServerClosed) {
      steps_.Add("expect: {on: " + s.name + ", closed: true}");
    } else if (kind == Kind::kServerReset) {
      steps_.Add("expect: {on: " + s.name + ", reset: true}");
    } else {
      steps_.Comment(s.name + ": the server closed without a TLS close_notify (not checked)");
    }
  }

  std::string ConnectYaml(int c) const {
    const State& s = states_[static_cast<std::size_t>(c - 1)];
    bool udp = recording_.connection(c).transport == Transport::kUdp;
    if (!options_.target.empty()) {
      return udp ? "connect: {name: " + s.name + ", protocol: udp}" : "connect: " + s.name;
    }
    std::string y = "connect: {name: " + s.name + ", address: '${server}'";
    if (udp) y += ", protocol: udp";
    if (!udp && !options_.tls.empty()) y += ", tls: " + options_.tls;
    return y + "}";
  }

  void FlushSend() {
    if (send_.empty()) return;
    const State& s = state(send_connection_);
    std::string y = "send: {on: " + s.name + ", ";
    if (LooksBinary(send_)) {
      y += "hex: " + SingleQuoted(HexText(send_));
    } else {
      std::vector<Segment> segments = Segments(send_);
      if (segments.size() == 1 && segments[0].run == 0) {
        y += "text: " + SingleQuoted(TemplateSource(normalizer_.Sent(send_, Counters(s))));
      } else {
        y += "data: [";
        for (std::size_t i = 0; i < segments.size(); ++i) {
          if (i > 0) y += ", ";
          const Segment& seg = segments[i];
          if (seg.run > 0) {
            y += "{repeat: " + SingleQuoted(TemplateText(seg.text)) +
                 ", count: " + std::to_string(seg.run) + "}";
          } else {
            y += SingleQuoted(TemplateSource(normalizer_.Sent(seg.text, Counters(s))));
          }
        }
        y += "]";
      }
    }
    steps_.Add(y + "}");
    send_.clear();
  }

  std::string Header() const {
    std::string y;
    for (const std::string& line : options_.comment)
      y += line.empty() ? "#\n" : "# " + line + "\n";
    std::map<std::string, std::vector<std::string>> by_protocol;
    for (int c = 1; c <= recording_.connections(); ++c) {
      if (recording_.connection(c).failed) continue;  // it has no steps
      const State& s = states_[static_cast<std::size_t>(c - 1)];
      by_protocol[ProtocolName(s.protocol)].push_back(s.name);
    }
    std::string protocols;
    for (const auto& [name, connections] : by_protocol) {
      protocols += (protocols.empty() ? "" : "; ") + name + ":";
      for (const std::string& c : connections)
        protocols += " " + c;
    }
    y += "# protocols" + std::string(options_.protocol ? " (--protocol)" : " (detected)") + ": " +
         protocols + "\n";
    y += "name: " + SingleQuoted(TemplateText(options_.name)) + "\n";
    y += "tags: [recorded]\n";
    if (!options_.target.empty()) {
      y += "target: " + options_.target + "\n";
    } else {
      y += "vars: {server: " + SingleQuoted(TemplateText(options_.server)) + "}\n";
    }
    using namespace std::chrono;
    double wait = duration_cast<duration<double>>(longest_wait_).count();
    long timeout = std::clamp(static_cast<long>(std::ceil(wait * 2)) + 1, 5L, 300L);
    y += "timeout: " + std::to_string(timeout) + "s\n";
    y += "steps:\n";
    return y;
  }

  const Recording& recording_;
  const ScenarioOptions& options_;
  Normalizer normalizer_;
  std::vector<State> states_;
  StepList steps_;
  std::string send_;
  int send_connection_ = 0;
  std::chrono::steady_clock::duration longest_wait_{};
};

}  // namespace

StreamProtocol DetectProtocol(const Recording& recording, int c) {
  if (recording.connection(c).transport == Transport::kUdp) return StreamProtocol::kDatagram;
  bool first = true;
  bool text = true;
  for (const RecordedEvent& e : recording.events()) {
    if (e.connection != c) continue;
    if (e.kind != Kind::kClientData && e.kind != Kind::kServerData) continue;
    if (first && e.kind == Kind::kClientData) {
      if (StartsWithRequestLine(e.bytes)) return StreamProtocol::kHttp;
      first = false;
    }
    if (text &&
        (LooksBinary(e.bytes) || !IsUtf8(e.bytes) || e.bytes.find('\0') != std::string::npos)) {
      text = false;
    }
  }
  return text ? StreamProtocol::kLines : StreamProtocol::kBytes;
}

WrittenScenario WriteScenario(const Recording& recording, const ScenarioOptions& options) {
  std::string error;
  Writer writer(recording, options, &error);
  WrittenScenario out = writer.Write();
  out.error = error;
  return out;
}

}  // namespace parley::harness
