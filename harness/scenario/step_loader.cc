#include "harness/scenario/step_loader.h"

#include <signal.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>

#include "harness/scenario/expect_loader.h"
#include "harness/scenario/loader.h"
#include "harness/scenario/payload.h"
#include "harness/scenario/payload_loader.h"
#include "harness/scenario/step_modifiers.h"
#include "harness/scenario/tls_loader.h"
#include "harness/scenario/yaml_checks.h"

namespace parley::harness {
namespace {

constexpr std::int64_t kMinReceiveBuffer = 1024;
constexpr std::int64_t kMaxReceiveBuffer = 64 * 1024 * 1024;

const std::map<std::string, int>& SignalTable() {
  static const std::map<std::string, int> table = {
      {"HUP", SIGHUP},   {"INT", SIGINT},   {"QUIT", SIGQUIT}, {"KILL", SIGKILL},
      {"TERM", SIGTERM}, {"USR1", SIGUSR1}, {"USR2", SIGUSR2}, {"STOP", SIGSTOP},
      {"CONT", SIGCONT}, {"ABRT", SIGABRT}, {"PIPE", SIGPIPE}, {"ALRM", SIGALRM},
  };
  return table;
}

// "sigterm" -> "TERM"
std::string SignalName(std::string_view text) {
  std::string upper(text);
  for (char& c : upper)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (upper.starts_with("SIG")) upper.erase(0, 3);
  return upper;
}

// `line_ending: crlf | lf | none` -> "\r\n", "\n", "".
std::string LoadLineEnding(const YamlNode& node) {
  const std::string& ending = RequireString(node, "'line_ending'");
  if (ending == "crlf") return "\r\n";
  if (ending == "lf") return "\n";
  if (ending == "none") return "";
  Fail(node, "'line_ending' must be crlf, lf or none");
}

// With a line ending (the connection's, or the send's own), `text` is one line without its
// end: the ending is appended as a piece of its own.
void AppendLineEnding(const YamlNode& node, const std::string& ending, Payload* payload) {
  const YamlNode* text = node.Find("text");
  if (ending.empty() || text == nullptr) return;
  const Payload::Piece& last = payload->pieces.back();
  const std::string& source = last.text.source();
  if (source.ends_with("\\n") || source.ends_with("\n")) {
    Fail(*text, "this text ends with a line end, and the connection's line_ending adds " +
                    std::string(ending == "\r\n" ? "\\r\\n" : "\\n") +
                    " (leave it out, or say line_ending: none on this send)");
  }
  Payload::Piece end;
  end.kind = Payload::Piece::Kind::kText;
  end.text = Template::Literal(ending);
  end.where = last.where;
  payload->pieces.push_back(std::move(end));
}

// The keys of a `connect` mapping; returns the node naming the connection.
const YamlNode& LoadConnectKeys(const YamlNode& node, Step* step, LoadScope& scope,
                                ConnectStep* c) {
  CheckKeys(node,
            {"name", "target", "address", "protocol", "recv_buffer", "tls", "expect_failure",
             "line_ending", "timeout", "retry"},
            "'connect'");
  const YamlNode* name = node.Find("name");
  if (name == nullptr) Fail(node, "'connect' needs a 'name' for the connection");
  if (const YamlNode* p = node.Find("protocol")) {
    const std::string& protocol = RequireString(*p, "'protocol'");
    if (protocol == "udp") {
      c->transport = Transport::kUdp;
    } else if (protocol != "tcp") {
      Fail(*p, "'protocol' must be tcp or udp");
    }
  }
  if (const YamlNode* a = node.Find("address")) {
    if (node.Find("target") != nullptr) Fail(*a, "give 'target' or 'address', not both");
    c->address = scope.ReadTemplate(*a, "'address'", false);
    if (!c->address->has_variables() && c->address->source().rfind(':') == std::string::npos) {
      Fail(*a, "'address' must be HOST:PORT");
    }
  }
  if (const YamlNode* t = node.Find("target")) c->target = RequireName(*t, "'target'");
  if (const YamlNode* b = node.Find("recv_buffer")) {
    c->receive_buffer = static_cast<std::size_t>(
        RequireInt(*b, "'recv_buffer'", kMinReceiveBuffer, kMaxReceiveBuffer));
  }
  if (const YamlNode* tls = node.Find("tls")) {
    if (c->transport == Transport::kUdp)
      Fail(*tls, "'tls' needs a TCP connection (DTLS is not supported)");
    if (tls->is_scalar() && !RequireBool(*tls, "'tls'")) {
      c->plain = true;
    } else {
      c->tls = LoadTlsOptions(*tls, scope);
    }
  }
  if (const YamlNode* f = node.Find("expect_failure")) {
    if (c->plain || c->transport == Transport::kUdp) {
      Fail(*f, "'expect_failure' is about a TLS handshake; this connection has no TLS");
    }
    c->expect_failure = LoadTextMatch(*f, "'expect_failure'", scope);
  }
  if (const YamlNode* ending = node.Find("line_ending")) c->line_ending = LoadLineEnding(*ending);
  LoadModifiers(node, step);
  return *name;
}

// `connect: NAME` or `connect: {name: NAME, ...}`.
ConnectStep LoadConnect(const YamlNode& node, Step* step, LoadScope& scope) {
  ConnectStep c;
  const YamlNode* name = &node;
  if (node.is_map()) {
    name = &LoadConnectKeys(node, step, scope, &c);
  } else if (!node.is_scalar()) {
    Fail(node, "'connect' takes a connection name or a mapping, not " + DescribeKind(node));
  }
  c.name = RequireName(*name, "a connection name");
  if (!c.address && c.target.empty()) {
    c.target = scope.scenario().target;
    if (c.target.empty()) {
      Fail(node, "connection '" + c.name +
                     "' has nowhere to go: give the scenario a 'target', or the connection "
                     "a 'target' or an 'address'");
    }
  }
  if (!c.target.empty()) scope.UseTarget(c.target, PositionOf(node));
  scope.Open(c.name, c.transport, step->where.line, *name, c.line_ending);
  return c;
}

CloseStep::How LoadHow(const YamlNode& how) {
  const std::string& h = RequireString(how, "'how'");
  if (h == "both") return CloseStep::How::kBoth;
  if (h == "write") return CloseStep::How::kWrite;
  if (h == "reset") return CloseStep::How::kReset;
  Fail(how, "'how' must be both, write or reset");
}

// `close: NAME`, `close: {on, how}`, `shutdown: NAME` or `shutdown: {on}`.
CloseStep LoadClose(const YamlNode& node, const Step& step, bool shutdown, LoadScope& scope) {
  CloseStep c;
  c.how = shutdown ? CloseStep::How::kWrite : CloseStep::How::kBoth;
  std::string word = shutdown ? "'shutdown'" : "'close'";
  if (!node.is_scalar()) {
    RequireMap(node, word);
    if (shutdown) {
      CheckKeys(node, {"on"}, word);
    } else {
      CheckKeys(node, {"on", "how"}, word);
    }
  }
  c.on = scope.UseNamedConnection(node);
  if (const YamlNode* how = node.is_map() ? node.Find("how") : nullptr) c.how = LoadHow(*how);
  scope.Close(c.on, c.how, step.where.line, node);
  return c;
}

// `pause: NAME`, `pause: {on}`, and the same for `resume`.
PauseStep LoadPause(const YamlNode& node, const Step& step, bool resume, LoadScope& scope) {
  PauseStep p;
  p.resume = resume;
  std::string word = resume ? "'resume'" : "'pause'";
  if (!node.is_scalar()) {
    RequireMap(node, word);
    CheckKeys(node, {"on"}, word);
  }
  p.on = scope.UseNamedConnection(node);
  scope.Pause(p.on, resume, step.where.line, node);
  return p;
}

// `split: N` (pieces of N bytes) or `split: [N, M, ...]` (those sizes, then the rest).
void LoadSplit(const YamlNode& split, SendStep* send) {
  if (!split.is_sequence()) {
    send->split.push_back(
        static_cast<std::size_t>(RequireInt(split, "'split'", 1, kMaxPayloadBytes)));
    send->repeat_last = true;
    return;
  }
  if (split.items.empty()) Fail(split, "'split' must list at least one size");
  for (const YamlNode& size : split.items) {
    send->split.push_back(
        static_cast<std::size_t>(RequireInt(size, "a piece size", 1, kMaxPayloadBytes)));
  }
}

std::vector<std::string> LoadMethods(const YamlNode& methods) {
  std::vector<std::string> out;
  for (const YamlNode* m : ListOrOne(methods)) {
    const std::string& method = RequireString(*m, "a method");
    if (method.empty() || !std::all_of(method.begin(), method.end(), [](char c) {
          return (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
        })) {
      Fail(*m, "method " + Quote(method) + " must be upper-case letters, e.g. HEAD");
    }
    out.push_back(method);
  }
  return out;
}

SendStep LoadSend(const YamlNode& node, Step* step, LoadScope& scope) {
  if (!node.is_map()) {
    Fail(node, "'send' takes a mapping, e.g. - send: {on: client, text: \"hello\\n\"}");
  }
  CheckKeys(node,
            {"on", "text", "hex", "file", "repeat", "count", "data", "split", "delay", "methods",
             "allow_close", "fuzz", "line_ending", "timeout", "retry"},
            "'send'");
  SendStep send;
  send.on = scope.UseConnection(node, true);
  send.payload = LoadPayloadKeys(node, "'send'", scope);
  std::string ending = scope.LineEndingOf(send.on);
  if (const YamlNode* own = node.Find("line_ending")) {
    if (node.Find("text") == nullptr) Fail(*own, "'line_ending' ends a 'text'; this send has none");
    ending = LoadLineEnding(*own);
  }
  AppendLineEnding(node, ending, &send.payload);
  if (const YamlNode* split = node.Find("split")) LoadSplit(*split, &send);
  if (const YamlNode* delay = node.Find("delay")) {
    send.delay = RequireDuration(*delay, "'delay'");
    if (send.split.empty()) Fail(*delay, "'delay' is the pause between pieces; add 'split'");
  }
  if (const YamlNode* methods = node.Find("methods")) send.methods = LoadMethods(*methods);
  if (const YamlNode* ac = node.Find("allow_close")) {
    send.allow_close = RequireBool(*ac, "'allow_close'");
  }
  if (const YamlNode* fuzz = node.Find("fuzz")) send.fuzz = RequireBool(*fuzz, "'fuzz'");
  if (scope.TransportOf(send.on) == Transport::kUdp && send.allow_close) {
    Fail(node, "'allow_close' means nothing on a UDP connection");
  }
  LoadModifiers(node, step);
  return send;
}

// `signal: NAME` or `signal: {signal: NAME, target: TARGET}`.
SignalStep LoadSignal(const YamlNode& node, LoadScope& scope) {
  SignalStep s;
  s.target = scope.scenario().target;
  const YamlNode* name = &node;
  if (node.is_map()) {
    CheckKeys(node, {"signal", "target"}, "'signal'");
    name = node.Find("signal");
    if (name == nullptr) Fail(node, "'signal' needs a 'signal', e.g. TERM");
    if (const YamlNode* t = node.Find("target")) s.target = RequireName(*t, "'target'");
  }
  const std::string& text = RequireString(*name, "'signal'");
  s.signal = SignalNumber(text);
  if (s.signal == 0) {
    Fail(*name, "unknown signal " + Quote(text) + " (e.g. TERM, INT, HUP, KILL, USR1)");
  }
  s.signal_name = SignalName(text);
  if (s.target.empty()) Fail(node, "'signal' needs a 'target' (the scenario has none)");
  scope.UseFreshTarget(s.target, PositionOf(node));
  return s;
}

// Fails on a step that is not a mapping with exactly one key.
void CheckOneAction(const YamlNode& node) {
  if (!node.is_map() || node.entries.empty()) {
    Fail(node,
         "a step must be a mapping with one action (connect, send, expect, close, "
         "shutdown, starttls, pause, resume, sleep, signal, include), not " +
             DescribeKind(node));
  }
  if (node.entries.size() == 1) return;
  const std::string& action = node.entries[0].first.scalar;
  const YamlNode& extra = node.entries[1].first;
  if (extra.scalar == "timeout" || extra.scalar == "retry" || extra.scalar == "on") {
    Fail(extra, "'" + extra.scalar + "' goes inside the action, e.g. - " + action + ": {..., " +
                    extra.scalar + ": ...}");
  }
  Fail(extra, "a step has exactly one action; this one has '" + action + "' and '" + extra.scalar +
                  "' (start a new step with '-')");
}

[[noreturn]] void FailUnknownAction(const YamlNode& key) {
  std::initializer_list<std::string_view> actions = {"connect",  "send",     "expect", "close",
                                                     "shutdown", "starttls", "pause",  "resume",
                                                     "sleep",    "signal",   "include"};
  std::string message = "unknown step " + Quote(key.scalar);
  for (std::string_view a : actions) {
    if (EditDistance(key.scalar, a) <= 2) {
      Fail(key, message + " (did you mean '" + std::string(a) + "'?)");
    }
  }
  Fail(key, message + " (expected one of: " + Join(actions) + ")");
}

}  // namespace

Step LoadStep(const YamlNode& node, LoadScope& scope) {
  CheckOneAction(node);
  const YamlNode& key = node.entries[0].first;
  const YamlNode& value = node.entries[0].second;
  const std::string& k = key.scalar;
  Step step;
  step.where = PositionOf(key);
  step.keyword = k;
  step.timeout = scope.scenario().timeout;
  if (k == "connect") {
    step.action = LoadConnect(value, &step, scope);
  } else if (k == "close" || k == "shutdown") {
    step.action = LoadClose(value, step, k == "shutdown", scope);
  } else if (k == "send") {
    step.action = LoadSend(value, &step, scope);
  } else if (k == "expect") {
    step.action = LoadExpect(value, &step, scope);
  } else if (k == "sleep") {
    step.action = SleepStep{RequireDuration(value, "'sleep'")};
  } else if (k == "signal") {
    step.action = LoadSignal(value, scope);
  } else if (k == "starttls") {
    step.action = LoadStartTls(value, &step, scope);
  } else if (k == "pause" || k == "resume") {
    step.action = LoadPause(value, step, k == "resume", scope);
  } else {
    FailUnknownAction(key);
  }
  return step;
}

// Declared in loader.h (the scenario loader's public API); defined beside the signal step.
int SignalNumber(std::string_view name) {
  auto it = SignalTable().find(SignalName(name));
  return it == SignalTable().end() ? 0 : it->second;
}

}  // namespace parley::harness
