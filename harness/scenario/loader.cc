#include "harness/scenario/loader.h"

#include <signal.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <map>
#include <set>
#include <sstream>

#include "harness/scenario/regex.h"
#include "harness/scenario/yaml_checks.h"

namespace parley::harness {
namespace {

constexpr std::size_t kMaxPayloadBytes = 64 * 1024 * 1024;
constexpr std::int64_t kMinReceiveBuffer = 1024;
constexpr std::int64_t kMaxReceiveBuffer = 64 * 1024 * 1024;

bool ValidHeaderName(std::string_view name) {
  if (name.empty()) return false;
  for (unsigned char c : name) {
    if (c <= 0x20 || c >= 0x7f ||
        std::string_view("\"(),/:;<=>?@[\\]{}").find(static_cast<char>(c)) !=
            std::string_view::npos) {
      return false;
    }
  }
  return true;
}

bool DecodeHex(std::string_view text, std::string* out, std::size_t* bad) {
  int high = -1;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
      if (high >= 0) {
        *bad = i;
        return false;
      }
      continue;
    }
    int v = (c >= '0' && c <= '9')   ? c - '0'
            : (c >= 'a' && c <= 'f') ? c - 'a' + 10
            : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                     : -1;
    if (v < 0) {
      *bad = i;
      return false;
    }
    if (high < 0) {
      high = v;
    } else {
      out->push_back(static_cast<char>(high * 16 + v));
      high = -1;
    }
  }
  if (high >= 0) {
    *bad = text.size();
    return false;
  }
  return true;
}

const std::map<std::string, int>& SignalTable() {
  static const std::map<std::string, int> table = {
      {"HUP", SIGHUP},   {"INT", SIGINT},   {"QUIT", SIGQUIT}, {"KILL", SIGKILL},
      {"TERM", SIGTERM}, {"USR1", SIGUSR1}, {"USR2", SIGUSR2}, {"STOP", SIGSTOP},
      {"CONT", SIGCONT}, {"ABRT", SIGABRT}, {"PIPE", SIGPIPE}, {"ALRM", SIGALRM},
  };
  return table;
}

// Builds one scenario, checking each step against what the steps before it set up.
class ScenarioBuilder {
 public:
  ScenarioBuilder(const LoadOptions& options, std::string file, std::string dir)
      : options_(options), file_(std::move(file)), dir_(std::move(dir)) {}

  Scenario Build(const YamlNode& node, int index) {
    RequireMap(node, "a scenario");
    CheckKeys(node, {"name", "description", "tags", "skip", "target", "timeout", "vars", "steps"},
              "a scenario");
    s_.file = file_;
    s_.dir = dir_;
    s_.where = PositionOf(node);
    s_.index = index;
    const YamlNode* name = node.Find("name");
    if (name == nullptr) Fail(node, "a scenario needs a 'name'");
    s_.name = RequireString(*name, "'name'");
    if (s_.name.empty()) Fail(*name, "'name' must not be empty");
    if (s_.name.size() > 200) Fail(*name, "'name' is longer than 200 characters");
    if (const YamlNode* n = node.Find("description"))
      s_.description = RequireString(*n, "'description'");
    if (const YamlNode* n = node.Find("tags")) ParseTags(*n);
    if (const YamlNode* n = node.Find("skip")) {
      s_.skip = RequireString(*n, "'skip'");
      if (s_.skip.empty() || (!n->quoted && (s_.skip == "true" || s_.skip == "false"))) {
        Fail(*n, "'skip' takes the reason for skipping, e.g. skip: \"flaky on loaded machines\"");
      }
    }
    if (const YamlNode* n = node.Find("timeout")) s_.timeout = RequireDuration(*n, "'timeout'");
    DefineBuiltins();
    if (const YamlNode* n = node.Find("target")) ParseTarget(*n);
    if (!s_.target.empty()) {
      for (const char* field : {"name", "host", "port", "address"})
        defined_.insert("target." + std::string(field));
    }
    if (const YamlNode* n = node.Find("vars")) ParseVars(*n);
    const YamlNode* steps = node.Find("steps");
    if (steps == nullptr) Fail(node, "a scenario needs 'steps'");
    if (!steps->is_sequence() || steps->items.empty()) {
      Fail(*steps, "'steps' must be a list of at least one step");
    }
    for (const YamlNode& step : steps->items)
      s_.steps.push_back(ParseStep(step));
    CheckDeferred();
    return std::move(s_);
  }

 private:
  struct ConnState {
    bool open = false;
    bool write_shut = false;
    Transport transport = Transport::kTcp;
    int line = 0;         // where it was last opened or closed
    int paused_line = 0;  // where it was paused; 0 while it is read
  };

  void DefineBuiltins() {
    for (const std::string& name : options_.variables)
      defined_.insert(name);
    for (const char* name : {"scenario.name", "scenario.file", "scenario.dir"})
      defined_.insert(name);
  }

  void ParseTags(const YamlNode& node) {
    for (const YamlNode* item : ListOrOne(node)) {
      const std::string& tag = RequireString(*item, "a tag");
      bool ok = !tag.empty() && tag.size() <= 64 && std::all_of(tag.begin(), tag.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '-' || c == '.';
      });
      if (!ok) Fail(*item, "tag " + Quote(tag) + " must be a word of letters, digits, _ - and .");
      if (!s_.HasTag(tag)) s_.tags.push_back(tag);
    }
  }

  void ParseTarget(const YamlNode& node) {
    TargetUse use;
    use.where = PositionOf(node);
    if (node.is_scalar()) {
      use.name = RequireName(node, "'target'");
    } else {
      RequireMap(node, "'target'");
      CheckKeys(node, {"name", "args", "fresh"}, "'target'");
      const YamlNode* name = node.Find("name");
      if (name == nullptr) Fail(node, "'target' needs a 'name'");
      use.name = RequireName(*name, "the target's 'name'");
      if (const YamlNode* args = node.Find("args")) {
        if (!args->is_sequence()) Fail(*args, "'args' must be a list of strings");
        for (const YamlNode& arg : args->items) {
          use.args.push_back(ParseTemplate(arg, "an argument", false));
          CheckVariables(use.args.back(), arg);
        }
        use.fresh = true;
      }
      if (const YamlNode* fresh = node.Find("fresh")) {
        bool f = RequireBool(*fresh, "'fresh'");
        if (!f && !use.args.empty()) {
          Fail(*fresh,
               "a target with 'args' always gets a process of its own; remove 'fresh: false'");
        }
        use.fresh = use.fresh || f;
      }
    }
    s_.target = use.name;
    s_.targets.push_back(std::move(use));
  }

  void ParseVars(const YamlNode& node) {
    RequireMap(node, "'vars'");
    for (const auto& [key, value] : node.entries) {
      if (!IsValidVariableName(key.scalar) || key.scalar.find('.') != std::string::npos) {
        Fail(key, "variable name " + Quote(key.scalar) +
                      " must be a word of letters, digits, _ and - (no dots)");
      }
      Template t = ParseTemplate(value, "a variable's value", true);
      CheckVariables(t, value);
      s_.vars.emplace_back(key.scalar, std::move(t));
      defined_.insert(key.scalar);
    }
  }

  Template ParseTemplate(const YamlNode& node, std::string_view what, bool unescape) {
    if (!node.is_scalar())
      Fail(node, std::string(what) + " must be a string, not " + DescribeKind(node));
    if (node.high_escape != 0) RejectHighEscape(node);
    Template::ParseError error;
    auto t = Template::Parse(node.scalar, unescape, &error);
    if (!t) {
      int column = node.column;
      if (node.scalar.find('\n') == std::string::npos) {
        column += static_cast<int>(error.offset) + (node.quoted ? 1 : 0);
      }
      throw YamlFailure{node.line, column, std::string(what) + ": " + error.message};
    }
    return std::move(*t);
  }

  // In double quotes YAML reads \xe9 as the character U+00E9 (two bytes in UTF-8) before parley
  // sees it; parley's own \xe9 is one byte. The same text meaning two things is refused.
  [[noreturn]] static void RejectHighEscape(const YamlNode& node) {
    auto hex = [](int value, const char* digits) {
      return std::string{digits[(value >> 4) & 0xf], digits[value & 0xf]};
    };
    const char* lower = "0123456789abcdef";
    const char* upper = "0123456789ABCDEF";
    int c = node.high_escape;
    std::string byte = hex(c, lower);
    throw YamlFailure{node.high_escape_line, node.high_escape_column,
                      "\"\\x" + byte +
                          "\" in double quotes is YAML's escape for the character U+00" +
                          hex(c, upper) + " (the two bytes " + hex(0xc0 | (c >> 6), lower) + " " +
                          hex(0x80 | (c & 0x3f), lower) + " in UTF-8), not the byte 0x" + byte +
                          ": for the byte, use single quotes ('...\\x" + byte +
                          "...'); for the character, write \\u00" + hex(c, upper)};
  }

  void CheckVariables(const Template& t, const YamlNode& at) {
    for (const Template::Part& part : t.parts()) {
      if (!part.is_variable) continue;
      const std::string& name = part.text;
      if (defined_.count(name) != 0 || name.compare(0, 4, "env.") == 0) continue;
      if (name.compare(0, 8, "targets.") == 0) {
        deferred_.emplace_back(name, PositionOf(at));
        continue;
      }
      if (name.compare(0, 7, "target.") == 0) {
        if (s_.target.empty()) {
          Fail(at, "${" + name + "} needs the scenario to name a 'target'");
        }
        Fail(at, "${" + name + "} is not defined (a target has name, host, port and address)");
      }
      Fail(at, "variable ${" + name +
                   "} is not defined (define it under 'vars', capture it in an earlier step, "
                   "or pass --var " +
                   name + "=VALUE)");
    }
  }

  void CheckDeferred() {
    for (const auto& [name, at] : deferred_) {
      std::string rest = name.substr(8);
      std::size_t dot = rest.find('.');
      std::string target = rest.substr(0, dot);
      std::string field = dot == std::string::npos ? "" : rest.substr(dot + 1);
      if (s_.FindTarget(target) == nullptr) {
        FailAt(at, "${" + name + "}: the scenario does not use a target named " + Quote(target));
      }
      if (field != "name" && field != "host" && field != "port" && field != "address") {
        FailAt(at, "${" + name + "} is not defined (a target has name, host, port and address)");
      }
    }
    for (const auto& [target, at] : needs_fresh_) {
      for (TargetUse& use : s_.targets) {
        if (use.name == target) use.fresh = true;
      }
    }
  }

  void UseTarget(const std::string& name, SourcePosition at) {
    if (s_.FindTarget(name) != nullptr) return;
    TargetUse use;
    use.name = name;
    use.where = at;
    s_.targets.push_back(std::move(use));
  }

  Step ParseStep(const YamlNode& node) {
    if (!node.is_map() || node.entries.empty()) {
      Fail(node,
           "a step must be a mapping with one action (connect, send, expect, close, "
           "shutdown, pause, resume, sleep, signal), not " +
               DescribeKind(node));
    }
    const YamlNode& key = node.entries[0].first;
    const YamlNode& value = node.entries[0].second;
    if (node.entries.size() > 1) {
      const YamlNode& extra = node.entries[1].first;
      if (extra.scalar == "timeout" || extra.scalar == "retry" || extra.scalar == "on") {
        Fail(extra, "'" + extra.scalar + "' goes inside the action, e.g. - " + key.scalar +
                        ": {..., " + extra.scalar + ": ...}");
      }
      Fail(extra, "a step has exactly one action; this one has '" + key.scalar + "' and '" +
                      extra.scalar + "' (start a new step with '-')");
    }
    Step step;
    step.where = PositionOf(key);
    step.keyword = key.scalar;
    step.timeout = s_.timeout;
    const std::string& k = key.scalar;
    if (k == "connect") {
      step.action = ParseConnect(value, &step);
    } else if (k == "close") {
      step.action = ParseClose(value, &step, false);
    } else if (k == "shutdown") {
      step.action = ParseClose(value, &step, true);
    } else if (k == "send") {
      step.action = ParseSend(value, &step);
    } else if (k == "expect") {
      step.action = ParseExpect(value, &step);
    } else if (k == "sleep") {
      step.action = SleepStep{RequireDuration(value, "'sleep'")};
    } else if (k == "signal") {
      step.action = ParseSignal(value);
    } else if (k == "pause" || k == "resume") {
      step.action = ParsePause(value, &step, k == "resume");
    } else {
      std::initializer_list<std::string_view> actions = {
          "connect", "send", "expect", "close", "shutdown", "pause", "resume", "sleep", "signal"};
      std::string message = "unknown step " + Quote(k);
      for (std::string_view a : actions) {
        if (EditDistance(k, a) <= 2) {
          message += " (did you mean '" + std::string(a) + "'?)";
          Fail(key, message);
        }
      }
      Fail(key, message + " (expected one of: " + Join(actions) + ")");
    }
    return step;
  }

  // `timeout` and `retry` inside an action's mapping.
  void ParseModifiers(const YamlNode& map, Step* step) {
    if (const YamlNode* t = map.Find("timeout")) step->timeout = RequireDuration(*t, "'timeout'");
    if (const YamlNode* r = map.Find("retry")) {
      if (r->is_map()) {
        CheckKeys(*r, {"times", "delay"}, "'retry'");
        const YamlNode* times = r->Find("times");
        if (times == nullptr) Fail(*r, "'retry' needs 'times'");
        step->retries = static_cast<int>(RequireInt(*times, "'times'", 1, 100));
        if (const YamlNode* d = r->Find("delay"))
          step->retry_delay = RequireDuration(*d, "'delay'");
      } else {
        step->retries = static_cast<int>(RequireInt(*r, "'retry'", 1, 100));
      }
    }
  }

  ConnectStep ParseConnect(const YamlNode& node, Step* step) {
    ConnectStep c;
    const YamlNode* name_node = &node;
    if (node.is_map()) {
      CheckKeys(node, {"name", "target", "address", "protocol", "recv_buffer", "timeout", "retry"},
                "'connect'");
      name_node = node.Find("name");
      if (name_node == nullptr) Fail(node, "'connect' needs a 'name' for the connection");
      if (const YamlNode* p = node.Find("protocol")) {
        const std::string& proto = RequireString(*p, "'protocol'");
        if (proto == "udp") {
          c.transport = Transport::kUdp;
        } else if (proto != "tcp") {
          Fail(*p, "'protocol' must be tcp or udp");
        }
      }
      if (const YamlNode* a = node.Find("address")) {
        if (node.Find("target") != nullptr) Fail(*a, "give 'target' or 'address', not both");
        c.address = ParseTemplate(*a, "'address'", false);
        CheckVariables(*c.address, *a);
        if (!c.address->has_variables() && c.address->source().rfind(':') == std::string::npos) {
          Fail(*a, "'address' must be HOST:PORT");
        }
      }
      if (const YamlNode* t = node.Find("target")) c.target = RequireName(*t, "'target'");
      if (const YamlNode* b = node.Find("recv_buffer")) {
        c.receive_buffer = static_cast<std::size_t>(
            RequireInt(*b, "'recv_buffer'", kMinReceiveBuffer, kMaxReceiveBuffer));
      }
      ParseModifiers(node, step);
    } else if (!node.is_scalar()) {
      Fail(node, "'connect' takes a connection name or a mapping, not " + DescribeKind(node));
    }
    c.name = RequireName(*name_node, "a connection name");
    if (!c.address && c.target.empty()) {
      if (s_.target.empty()) {
        Fail(node, "connection '" + c.name +
                       "' has nowhere to go: give the scenario a 'target', or the connection "
                       "a 'target' or an 'address'");
      }
      c.target = s_.target;
    }
    if (!c.target.empty()) UseTarget(c.target, PositionOf(node));
    ConnState& state = conns_[c.name];
    if (state.open) {
      Fail(*name_node, "connection '" + c.name + "' is already open (since line " +
                           std::to_string(state.line) + "); close it before connecting again");
    }
    state = {true, false, c.transport, step->where.line, 0};
    return c;
  }

  // Resolves `on` (or the only open connection when it is left out) and checks its state.
  std::string UseConnection(const YamlNode& map, const YamlNode& at, bool for_writing) {
    std::string name;
    const YamlNode* on = map.is_map() ? map.Find("on") : nullptr;
    if (on != nullptr) {
      name = RequireName(*on, "'on'");
    } else {
      std::vector<std::string> open;
      for (const auto& [n, state] : conns_) {
        if (state.open) open.push_back(n);
      }
      if (open.size() != 1) {
        Fail(at, open.empty() ? "no connection is open here; add a 'connect' step first"
                              : "say which connection with 'on:' (" + std::to_string(open.size()) +
                                    " are open)");
      }
      name = open[0];
    }
    const YamlNode& where = on != nullptr ? *on : at;
    auto it = conns_.find(name);
    if (it == conns_.end()) {
      Fail(where, "no connection named '" + name + "' (connect it first)");
    }
    if (!it->second.open) {
      Fail(where, "connection '" + name + "' was closed at line " +
                      std::to_string(it->second.line) + "; connect it again first");
    }
    if (for_writing && it->second.write_shut) {
      Fail(where, "connection '" + name + "' was shut down for writing at line " +
                      std::to_string(it->second.line));
    }
    return name;
  }

  // The open connection a step names: as a plain scalar (`close: alice`) or as `on:` in its
  // mapping (whose other keys the caller checks).
  std::string NamedConnection(const YamlNode& node) {
    if (!node.is_scalar()) return UseConnection(node, node, false);
    YamlNode map;
    map.kind = YamlNode::Kind::kMap;
    map.entries.push_back(YamlEntry{YamlNode{}, node});
    map.entries[0].first.kind = YamlNode::Kind::kScalar;
    map.entries[0].first.scalar = "on";
    return UseConnection(map, node, false);
  }

  PauseStep ParsePause(const YamlNode& node, Step* step, bool resume) {
    PauseStep p;
    p.resume = resume;
    std::string word = resume ? "'resume'" : "'pause'";
    if (!node.is_scalar()) {
      RequireMap(node, word);
      CheckKeys(node, {"on"}, word);
    }
    p.on = NamedConnection(node);
    ConnState& state = conns_[p.on];
    if (!resume && state.paused_line != 0) {
      Fail(node, "connection '" + p.on + "' is already paused (since line " +
                     std::to_string(state.paused_line) + ")");
    }
    if (resume && state.paused_line == 0) {
      Fail(node, "connection '" + p.on + "' is not paused; 'resume' follows a 'pause'");
    }
    state.paused_line = resume ? 0 : step->where.line;
    return p;
  }

  CloseStep ParseClose(const YamlNode& node, Step* step, bool shutdown) {
    CloseStep c;
    c.how = shutdown ? CloseStep::How::kWrite : CloseStep::How::kBoth;
    std::string word = shutdown ? "'shutdown'" : "'close'";
    if (node.is_scalar()) {
      c.on = NamedConnection(node);
    } else {
      RequireMap(node, word);
      if (shutdown) {
        CheckKeys(node, {"on"}, word);
      } else {
        CheckKeys(node, {"on", "how"}, word);
      }
      c.on = UseConnection(node, node, false);
      if (const YamlNode* how = node.Find("how")) {
        const std::string& h = RequireString(*how, "'how'");
        if (h == "both") {
          c.how = CloseStep::How::kBoth;
        } else if (h == "write") {
          c.how = CloseStep::How::kWrite;
        } else if (h == "reset") {
          c.how = CloseStep::How::kReset;
        } else {
          Fail(*how, "'how' must be both, write or reset");
        }
      }
    }
    ConnState& state = conns_[c.on];
    if (state.transport == Transport::kUdp && c.how != CloseStep::How::kBoth) {
      Fail(node, "a UDP connection can only be closed, not shut down or reset");
    }
    if (c.how == CloseStep::How::kWrite) {
      if (state.write_shut)
        Fail(node, "connection '" + c.on + "' is already shut down for writing");
      state.write_shut = true;
    } else {
      state.open = false;
    }
    state.line = step->where.line;
    return c;
  }

  void ParsePiece(const YamlNode& map, std::string_view key, Payload* payload) {
    const YamlNode& value = *map.Find(key);
    Payload::Piece piece;
    piece.where = PositionOf(value);
    if (key == "text") {
      piece.kind = Payload::Piece::Kind::kText;
      piece.text = ParseTemplate(value, "'text'", true);
      CheckVariables(piece.text, value);
    } else if (key == "hex") {
      piece.kind = Payload::Piece::Kind::kHex;
      const std::string& hex = RequireString(value, "'hex'");
      std::size_t bad = 0;
      if (!DecodeHex(hex, &piece.bytes, &bad)) {
        int column = value.column + (value.quoted ? 1 : 0) + static_cast<int>(bad);
        throw YamlFailure{value.line, hex.find('\n') == std::string::npos ? column : value.column,
                          "'hex' must be pairs of hex digits, optionally separated by spaces"};
      }
    } else if (key == "file") {
      piece.kind = Payload::Piece::Kind::kFile;
      const std::string& path = RequireString(value, "'file'");
      if (path.empty()) Fail(value, "'file' must name a file");
      std::filesystem::path p(path);
      if (p.is_relative() && !dir_.empty()) p = std::filesystem::path(dir_) / p;
      piece.path = p.lexically_normal().string();
      if (options_.check_files) {
        std::error_code ec;
        if (!std::filesystem::is_regular_file(piece.path, ec)) {
          Fail(value, "file " + Quote(path) + " not found (looked for " + piece.path + ")");
        }
        auto size = std::filesystem::file_size(piece.path, ec);
        if (!ec && size > kMaxPayloadBytes)
          Fail(value, "file " + Quote(path) + " is larger than 64 MiB");
      }
    } else {  // repeat
      piece.kind = Payload::Piece::Kind::kRepeat;
      piece.text = ParseTemplate(value, "'repeat'", true);
      CheckVariables(piece.text, value);
      const YamlNode* count = map.Find("count");
      if (count == nullptr) Fail(value, "'repeat' needs a 'count'");
      piece.count = static_cast<std::size_t>(RequireInt(*count, "'count'", 0, kMaxPayloadBytes));
      if (!piece.text.has_variables()) {
        std::size_t unit = piece.text.RenderWith([](const std::string&) { return ""; }).size();
        if (unit == 0) Fail(value, "'repeat' needs at least one byte to repeat");
        if (unit * piece.count > kMaxPayloadBytes) Fail(*count, "the repeated bytes exceed 64 MiB");
      }
    }
    payload->pieces.push_back(std::move(piece));
  }

  // Reads the payload keys of `map` (text, hex, file, repeat+count, data); exactly one of them
  // must be present.
  Payload ParsePayloadKeys(const YamlNode& map, std::string_view what) {
    Payload payload;
    const char* found = nullptr;
    for (const char* key : {"text", "hex", "file", "repeat", "data"}) {
      if (map.Find(key) == nullptr) continue;
      if (found != nullptr) {
        Fail(*map.Find(key), std::string(what) +
                                 " takes one of text, hex, file, repeat or data; "
                                 "this has '" +
                                 found + "' and '" + key + "' (use 'data' for a mix)");
      }
      found = key;
    }
    if (found == nullptr) {
      Fail(map, std::string(what) +
                    " needs the bytes: one of text, hex, file, repeat (with count) "
                    "or data");
    }
    if (map.Find("count") != nullptr && std::string_view(found) != "repeat") {
      Fail(*map.Find("count"), "'count' belongs with 'repeat'");
    }
    if (std::string_view(found) == "data") {
      const YamlNode& data = *map.Find("data");
      if (!data.is_sequence() || data.items.empty()) {
        Fail(data,
             "'data' must be a list of pieces (strings, or mappings with text, hex, file "
             "or repeat)");
      }
      for (const YamlNode& item : data.items)
        ParseDataItem(item, &payload);
    } else {
      ParsePiece(map, found, &payload);
    }
    return payload;
  }

  void ParseDataItem(const YamlNode& item, Payload* payload) {
    if (item.is_scalar()) {
      YamlNode map;
      map.kind = YamlNode::Kind::kMap;
      YamlNode key;
      key.kind = YamlNode::Kind::kScalar;
      key.scalar = "text";
      map.entries.push_back(YamlEntry{key, item});
      ParsePiece(map, "text", payload);
      return;
    }
    RequireMap(item, "a piece of 'data'");
    CheckKeys(item, {"text", "hex", "file", "repeat", "count"}, "a piece of 'data'");
    Payload inner = ParsePayloadKeys(item, "a piece of 'data'");
    for (auto& p : inner.pieces)
      payload->pieces.push_back(std::move(p));
  }

  // A payload given as a value: a string (text), a list (data) or a mapping of payload keys.
  Payload ParsePayloadValue(const YamlNode& node, std::string_view what) {
    Payload payload;
    if (node.is_scalar()) {
      ParseDataItem(node, &payload);
    } else if (node.is_sequence()) {
      if (node.items.empty()) Fail(node, std::string(what) + " must not be empty");
      for (const YamlNode& item : node.items)
        ParseDataItem(item, &payload);
    } else if (node.is_map()) {
      CheckKeys(node, {"text", "hex", "file", "repeat", "count", "data"}, what);
      payload = ParsePayloadKeys(node, what);
    } else {
      Fail(node, std::string(what) + " must be a string, a list or a mapping");
    }
    return payload;
  }

  SendStep ParseSend(const YamlNode& node, Step* step) {
    SendStep send;
    if (!node.is_map()) {
      Fail(node, "'send' takes a mapping, e.g. - send: {on: client, text: \"hello\\n\"}");
    }
    CheckKeys(node,
              {"on", "text", "hex", "file", "repeat", "count", "data", "split", "delay", "methods",
               "allow_close", "timeout", "retry"},
              "'send'");
    send.on = UseConnection(node, node, true);
    send.payload = ParsePayloadKeys(node, "'send'");
    if (const YamlNode* split = node.Find("split")) {
      if (split->is_sequence()) {
        if (split->items.empty()) Fail(*split, "'split' must list at least one size");
        for (const YamlNode& size : split->items) {
          send.split.push_back(
              static_cast<std::size_t>(RequireInt(size, "a piece size", 1, kMaxPayloadBytes)));
        }
      } else {
        send.split.push_back(
            static_cast<std::size_t>(RequireInt(*split, "'split'", 1, kMaxPayloadBytes)));
        send.repeat_last = true;
      }
    }
    if (const YamlNode* delay = node.Find("delay")) {
      send.delay = RequireDuration(*delay, "'delay'");
      if (send.split.empty()) Fail(*delay, "'delay' is the pause between pieces; add 'split'");
    }
    if (const YamlNode* methods = node.Find("methods")) {
      send.methods.emplace();
      for (const YamlNode* m : ListOrOne(*methods)) {
        const std::string& method = RequireString(*m, "a method");
        if (method.empty() || !std::all_of(method.begin(), method.end(), [](char c) {
              return (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
            })) {
          Fail(*m, "method " + Quote(method) + " must be upper-case letters, e.g. HEAD");
        }
        send.methods->push_back(method);
      }
    }
    if (const YamlNode* ac = node.Find("allow_close"))
      send.allow_close = RequireBool(*ac, "'allow_close'");
    if (conns_[send.on].transport == Transport::kUdp && send.allow_close) {
      Fail(node, "'allow_close' means nothing on a UDP connection");
    }
    ParseModifiers(node, step);
    return send;
  }

  TextMatch ParseMatch(const YamlNode& node, std::string_view what) {
    TextMatch m;
    m.where = PositionOf(node);
    const YamlNode* pattern = &node;
    if (node.is_map()) {
      CheckKeys(node, {"exact", "contains", "regex"}, what);
      if (node.entries.size() != 1) {
        Fail(node, std::string(what) + " takes one of exact, contains or regex");
      }
      const std::string& kind = node.entries[0].first.scalar;
      pattern = &node.entries[0].second;
      m.kind = kind == "regex"      ? TextMatch::Kind::kRegex
               : kind == "contains" ? TextMatch::Kind::kContains
                                    : TextMatch::Kind::kExact;
      m.where = PositionOf(*pattern);
    } else if (!node.is_scalar()) {
      Fail(node, std::string(what) +
                     " must be a string or a mapping with exact, contains or "
                     "regex, not " +
                     DescribeKind(node));
    }
    m.pattern = ParseTemplate(*pattern, what, m.kind != TextMatch::Kind::kRegex);
    CheckVariables(m.pattern, *pattern);
    if (m.kind == TextMatch::Kind::kRegex) {
      std::string error;
      auto re =
          Regex::Compile(m.pattern.RenderWith([](const std::string&) { return "x"; }), &error);
      if (!re) Fail(*pattern, "bad regex: " + error);
      m.groups = re->groups();
      if (!m.pattern.has_variables()) m.compiled = std::move(re);
    }
    return m;
  }

  HttpCheck ParseHttp(const YamlNode& node) {
    HttpCheck h;
    RequireMap(node, "'http'");
    CheckKeys(node, {"status", "reason", "headers", "body", "responses", "count"}, "'http'");
    if (const YamlNode* status = node.Find("status")) {
      for (const YamlNode* s : ListOrOne(*status)) {
        h.status.push_back(static_cast<int>(RequireInt(*s, "a status code", 100, 999)));
      }
      if (h.status.empty()) Fail(*status, "'status' must list at least one code");
    }
    if (const YamlNode* reason = node.Find("reason")) h.reason = ParseMatch(*reason, "'reason'");
    if (const YamlNode* headers = node.Find("headers")) {
      RequireMap(*headers, "'headers'");
      for (const auto& [key, value] : headers->entries) {
        HeaderCheck check;
        check.name = key.scalar;
        check.where = PositionOf(key);
        if (!ValidHeaderName(check.name))
          Fail(key, "header name " + Quote(check.name) + " is not a token");
        if (value.is_map() &&
            (value.Find("present") != nullptr || value.Find("absent") != nullptr)) {
          CheckKeys(value, {"present", "absent"}, "a header check");
          if (value.entries.size() != 1) Fail(value, "give 'present' or 'absent', not both");
          const YamlNode& flag = value.entries[0].second;
          bool yes = RequireBool(flag, "'" + value.entries[0].first.scalar + "'");
          bool present = (value.entries[0].first.scalar == "present") == yes;
          check.kind = present ? HeaderCheck::Kind::kPresent : HeaderCheck::Kind::kAbsent;
        } else {
          check.value = ParseMatch(value, "a header value");
        }
        h.headers.push_back(std::move(check));
      }
    }
    if (const YamlNode* body = node.Find("body")) {
      if (body->is_map()) {
        CheckKeys(*body, {"exact", "contains", "regex", "length"}, "'body'");
        if (const YamlNode* length = body->Find("length")) {
          h.body_length = static_cast<std::size_t>(RequireInt(*length, "'length'", 0, 1LL << 40));
        }
        YamlNode rest = *body;
        rest.entries.erase(std::remove_if(rest.entries.begin(), rest.entries.end(),
                                          [](const auto& e) { return e.first.scalar == "length"; }),
                           rest.entries.end());
        if (!rest.entries.empty()) h.body = ParseMatch(rest, "'body'");
        if (!h.body && !h.body_length) Fail(*body, "'body' needs exact, contains, regex or length");
      } else {
        h.body = ParseMatch(*body, "'body'");
      }
    }
    if (const YamlNode* responses = node.Find("responses")) {
      h.index = static_cast<std::size_t>(RequireInt(*responses, "'responses'", 1, 1000000));
    }
    if (const YamlNode* count = node.Find("count")) {
      h.count = static_cast<std::size_t>(RequireInt(*count, "'count'", 1, 100000));
    }
    return h;
  }

  ExpectStep ParseExpect(const YamlNode& node, Step* step) {
    ExpectStep e;
    if (!node.is_map()) {
      Fail(node, "'expect' takes a mapping, e.g. - expect: {on: client, line: \"hello\"}");
    }
    CheckKeys(node,
              {"on", "line", "lines", "any_order", "bytes", "contains", "datagram", "silence",
               "closed", "reset", "http", "exit", "target", "capture", "timeout", "retry"},
              "'expect'");
    struct KindKey {
      const char* key;
      ExpectStep::Kind kind;
    };
    static constexpr KindKey kKinds[] = {
        {"line", ExpectStep::Kind::kLine},         {"lines", ExpectStep::Kind::kLines},
        {"bytes", ExpectStep::Kind::kBytes},       {"contains", ExpectStep::Kind::kContains},
        {"datagram", ExpectStep::Kind::kDatagram}, {"silence", ExpectStep::Kind::kSilence},
        {"closed", ExpectStep::Kind::kClosed},     {"reset", ExpectStep::Kind::kReset},
        {"http", ExpectStep::Kind::kHttp},         {"exit", ExpectStep::Kind::kExit},
    };
    const char* found = nullptr;
    for (const KindKey& k : kKinds) {
      if (node.Find(k.key) == nullptr) continue;
      if (found != nullptr) {
        Fail(*node.Find(k.key), std::string("an expectation checks one thing; this has '") + found +
                                    "' and '" + k.key + "' (use two expect steps)");
      }
      found = k.key;
      e.kind = k.kind;
    }
    if (found == nullptr) {
      Fail(node,
           "'expect' needs what to expect: line, lines, bytes, contains, datagram, silence, "
           "closed, reset, http or exit");
    }
    const YamlNode& value = *node.Find(found);
    if (e.kind == ExpectStep::Kind::kExit) {
      if (node.Find("on") != nullptr)
        Fail(*node.Find("on"), "'exit' is about a target; use 'target', not 'on'");
      e.target = s_.target;
      if (const YamlNode* t = node.Find("target")) e.target = RequireName(*t, "'target'");
      if (e.target.empty()) Fail(node, "'exit' needs a 'target' (the scenario has none)");
      e.exit_code = static_cast<int>(RequireInt(value, "'exit'", 0, 255));
      needs_fresh_.emplace_back(e.target, PositionOf(node));
      UseTarget(e.target, PositionOf(node));
    } else {
      if (node.Find("target") != nullptr)
        Fail(*node.Find("target"), "'target' belongs with 'exit'");
      e.on = UseConnection(node, node, false);
      if (int paused = conns_[e.on].paused_line; paused != 0) {
        Fail(node, "connection '" + e.on + "' is paused (line " + std::to_string(paused) +
                       "): nothing more arrives on it; add '- resume: " + e.on +
                       "' before expecting on it");
      }
    }
    if (node.Find("any_order") != nullptr && e.kind != ExpectStep::Kind::kLines) {
      Fail(*node.Find("any_order"), "'any_order' belongs with 'lines'");
    }
    bool udp = !e.on.empty() && conns_[e.on].transport == Transport::kUdp;
    switch (e.kind) {
      case ExpectStep::Kind::kLine:
        e.lines.push_back(ParseMatch(value, "'line'"));
        break;
      case ExpectStep::Kind::kLines:
        if (!value.is_sequence() || value.items.empty())
          Fail(value, "'lines' must be a list of lines");
        for (const YamlNode& item : value.items)
          e.lines.push_back(ParseMatch(item, "a line"));
        if (const YamlNode* ao = node.Find("any_order"))
          e.any_order = RequireBool(*ao, "'any_order'");
        break;
      case ExpectStep::Kind::kBytes:
      case ExpectStep::Kind::kContains:
        e.bytes = ParsePayloadValue(value, std::string("'") + found + "'");
        break;
      case ExpectStep::Kind::kDatagram:
        if (!udp) {
          Fail(value, "'datagram' needs a UDP connection (TCP bytes have no datagram boundaries)");
        }
        if (value.is_map() &&
            (value.Find("exact") != nullptr || value.Find("contains") != nullptr ||
             value.Find("regex") != nullptr)) {
          e.lines.push_back(ParseMatch(value, "'datagram'"));
        } else if (value.is_scalar()) {
          e.lines.push_back(ParseMatch(value, "'datagram'"));
        } else {
          e.bytes = ParsePayloadValue(value, "'datagram'");
        }
        break;
      case ExpectStep::Kind::kSilence:
        e.silence = RequireDuration(value, "'silence'");
        break;
      case ExpectStep::Kind::kClosed:
      case ExpectStep::Kind::kReset:
        if (!RequireBool(value, std::string("'") + found + "'")) {
          Fail(value, std::string("'") + found + ": false' checks nothing; remove the step");
        }
        if (udp) Fail(value, "a UDP connection is never closed or reset by its peer");
        break;
      case ExpectStep::Kind::kHttp:
        if (udp) Fail(value, "'http' needs a TCP connection");
        e.http = ParseHttp(value);
        break;
      case ExpectStep::Kind::kExit:
        break;
    }
    if (const YamlNode* capture = node.Find("capture")) {
      if (e.kind == ExpectStep::Kind::kHttp && e.http.count > 1) {
        Fail(*capture, "'capture' takes the groups of one response; this checks " +
                           std::to_string(e.http.count) + " ('count')");
      }
      ParseCapture(*capture, &e);
    }
    ParseModifiers(node, step);
    if (e.kind == ExpectStep::Kind::kSilence && node.Find("timeout") != nullptr) {
      Fail(*node.Find("timeout"), "'silence' is its own duration; remove 'timeout'");
    }
    return e;
  }

  void ParseCapture(const YamlNode& node, ExpectStep* e) {
    int groups = 0;
    for (const TextMatch& m : e->lines)
      groups += m.groups;
    if (e->kind == ExpectStep::Kind::kHttp) {
      if (e->http.reason) groups += e->http.reason->groups;
      for (const HeaderCheck& h : e->http.headers)
        groups += h.value.groups;
      if (e->http.body) groups += e->http.body->groups;
    }
    for (const YamlNode* item : ListOrOne(node)) {
      std::string name = RequireName(*item, "a capture name");
      e->capture.push_back(name);
    }
    if (groups == 0) {
      Fail(node, "'capture' takes the groups of a regex, and this expectation has none");
    }
    if (static_cast<int>(e->capture.size()) > groups) {
      Fail(node, "'capture' names " + std::to_string(e->capture.size()) +
                     " variables but the regexes have " + std::to_string(groups) + " group" +
                     (groups == 1 ? "" : "s"));
    }
    for (const std::string& name : e->capture)
      defined_.insert(name);
  }

  SignalStep ParseSignal(const YamlNode& node) {
    SignalStep s;
    s.target = s_.target;
    const YamlNode* name = &node;
    if (node.is_map()) {
      CheckKeys(node, {"signal", "target"}, "'signal'");
      name = node.Find("signal");
      if (name == nullptr) Fail(node, "'signal' needs a 'signal', e.g. TERM");
      if (const YamlNode* t = node.Find("target")) s.target = RequireName(*t, "'target'");
    }
    const std::string& text = RequireString(*name, "'signal'");
    s.signal = SignalNumber(text);
    if (s.signal == 0)
      Fail(*name, "unknown signal " + Quote(text) + " (e.g. TERM, INT, HUP, KILL, USR1)");
    std::string upper = text;
    for (char& c : upper)
      c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    s.signal_name = upper.compare(0, 3, "SIG") == 0 ? upper.substr(3) : upper;
    if (s.target.empty()) Fail(node, "'signal' needs a 'target' (the scenario has none)");
    needs_fresh_.emplace_back(s.target, PositionOf(node));
    UseTarget(s.target, PositionOf(node));
    return s;
  }

  const LoadOptions& options_;
  std::string file_;
  std::string dir_;
  Scenario s_;
  std::set<std::string> defined_;
  std::map<std::string, ConnState> conns_;
  std::vector<std::pair<std::string, SourcePosition>> deferred_;
  std::vector<std::pair<std::string, SourcePosition>> needs_fresh_;
};

}  // namespace

std::string LoadError::ToString() const {
  if (line <= 0) return file + ": " + message;
  return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + message;
}

int SignalNumber(std::string_view name) {
  std::string upper(name);
  for (char& c : upper)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (upper.compare(0, 3, "SIG") == 0) upper.erase(0, 3);
  auto it = SignalTable().find(upper);
  return it == SignalTable().end() ? 0 : it->second;
}

LoadResult LoadScenarios(std::string_view text, std::string_view file,
                         const LoadOptions& options) noexcept {
  LoadResult result;
  std::string file_name(file);
  try {
    std::vector<YamlNode> documents;
    YamlError yaml_error;
    if (!ParseYaml(text, options.limits, &documents, &yaml_error)) {
      result.error = LoadError{file_name, yaml_error.line, yaml_error.column, yaml_error.message};
      return result;
    }
    std::string dir = std::filesystem::path(file_name).parent_path().string();
    std::map<std::string, int> names;
    int index = 0;
    for (const YamlNode& document : documents) {
      if (document.is_null()) continue;
      std::vector<const YamlNode*> items;
      if (document.is_sequence()) {
        for (const YamlNode& item : document.items)
          items.push_back(&item);
      } else if (document.is_map()) {
        items.push_back(&document);
      } else {
        Fail(document, "a scenario file holds a scenario (a mapping) or a list of them, not " +
                           DescribeKind(document));
      }
      for (const YamlNode* item : items) {
        ScenarioBuilder builder(options, file_name, dir);
        Scenario s = builder.Build(*item, index++);
        auto [it, inserted] = names.emplace(s.name, s.where.line);
        if (!inserted) {
          FailAt(s.where, "another scenario in this file is named " + Quote(s.name) + " (line " +
                              std::to_string(it->second) + ")");
        }
        result.scenarios.push_back(std::move(s));
      }
    }
    if (result.scenarios.empty()) {
      result.error = LoadError{file_name, 0, 0, "the file holds no scenario"};
    }
  } catch (const YamlFailure& f) {
    result.scenarios.clear();
    result.error = LoadError{file_name, f.line, f.column, f.message};
  } catch (const std::exception& e) {
    result.scenarios.clear();
    result.error = LoadError{file_name, 0, 0, std::string("cannot load: ") + e.what()};
  }
  return result;
}

LoadResult LoadScenarioFile(const std::string& path, const LoadOptions& options) noexcept {
  try {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      LoadResult result;
      result.error = LoadError{path, 0, 0, "cannot read the file"};
      return result;
    }
    std::string text;
    char buffer[65536];
    while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
      text.append(buffer, static_cast<std::size_t>(in.gcount()));
      if (text.size() > options.limits.max_bytes) break;
    }
    return LoadScenarios(text, path, options);
  } catch (const std::exception& e) {
    LoadResult result;
    result.error = LoadError{path, 0, 0, std::string("cannot read the file: ") + e.what()};
    return result;
  }
}

}  // namespace parley::harness
