#include "harness/scenario/expect_loader.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "harness/scenario/payload_loader.h"
#include "harness/scenario/regex.h"
#include "harness/scenario/step_modifiers.h"
#include "harness/scenario/tls_loader.h"
#include "harness/scenario/yaml_checks.h"

namespace parley::harness {
namespace {

using Kind = ExpectStep::Kind;

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

}  // namespace

namespace {

// `any_of: [match, ...]`: the alternatives, each a text match of its own. Capture takes groups
// by position, so every alternative must have as many.
void LoadAlternatives(const YamlNode& list, std::string_view what, bool ignore_case,
                      LoadScope& scope, TextMatch* m) {
  if (!list.is_sequence() || list.items.size() < 2) {
    Fail(list, "'any_of' must list at least two alternatives");
  }
  for (const YamlNode& item : list.items) {
    TextMatch alternative = LoadTextMatch(item, what, scope);
    if (ignore_case) alternative.ignore_case = true;
    if (alternative.kind == TextMatch::Kind::kRegex && ignore_case && alternative.compiled) {
      std::string error;
      alternative.compiled = Regex::Compile(alternative.compiled->pattern(), &error, true);
    }
    if (!m->any_of.empty() && alternative.groups != m->groups) {
      Fail(item,
           "every alternative of 'any_of' needs as many regex groups (capture takes them "
           "by position): the first has " +
               std::to_string(m->groups) + ", this one " + std::to_string(alternative.groups));
    }
    m->groups = alternative.groups;
    m->any_of.push_back(std::move(alternative));
  }
}

}  // namespace

TextMatch LoadTextMatch(const YamlNode& node, std::string_view what, LoadScope& scope) {
  TextMatch m;
  m.where = PositionOf(node);
  const YamlNode* pattern = &node;
  if (node.is_map()) {
    CheckKeys(node, {"exact", "contains", "regex", "any_of", "ignore_case"}, what);
    if (const YamlNode* ic = node.Find("ignore_case")) {
      m.ignore_case = RequireBool(*ic, "'ignore_case'");
    }
    const std::size_t kinds = node.entries.size() - (node.Find("ignore_case") != nullptr ? 1 : 0);
    if (kinds != 1) {
      Fail(node, std::string(what) + " takes one of exact, contains, regex or any_of");
    }
    const YamlEntry& entry =
        node.entries[0].first.scalar == "ignore_case" ? node.entries[1] : node.entries[0];
    const std::string& kind = entry.first.scalar;
    pattern = &entry.second;
    if (kind == "any_of") {
      m.kind = TextMatch::Kind::kAnyOf;
      LoadAlternatives(*pattern, what, m.ignore_case, scope, &m);
      return m;
    }
    m.kind = kind == "regex"      ? TextMatch::Kind::kRegex
             : kind == "contains" ? TextMatch::Kind::kContains
                                  : TextMatch::Kind::kExact;
    m.where = PositionOf(*pattern);
  } else if (!node.is_scalar()) {
    Fail(node, std::string(what) +
                   " must be a string or a mapping with exact, contains, regex or any_of, not " +
                   DescribeKind(node));
  }
  m.pattern = scope.ReadTemplate(*pattern, what, m.kind != TextMatch::Kind::kRegex);
  if (m.kind == TextMatch::Kind::kRegex) {
    std::string error;
    auto re = Regex::Compile(m.pattern.RenderWith([](const std::string&) { return "x"; }), &error,
                             m.ignore_case);
    if (!re) Fail(*pattern, "bad regex: " + error);
    m.groups = re->groups();
    if (!m.pattern.has_variables()) m.compiled = std::move(re);
  }
  return m;
}

namespace {

// `Name: match`, `Name: {present: BOOL}` or `Name: {absent: BOOL}`.
HeaderCheck LoadHeaderCheck(const YamlNode& key, const YamlNode& value, LoadScope& scope) {
  HeaderCheck check;
  check.name = key.scalar;
  check.where = PositionOf(key);
  if (!ValidHeaderName(check.name)) {
    Fail(key, "header name " + Quote(check.name) + " is not a token");
  }
  if (!value.is_map() || (value.Find("present") == nullptr && value.Find("absent") == nullptr)) {
    check.value = LoadTextMatch(value, "a header value", scope);
    return check;
  }
  CheckKeys(value, {"present", "absent"}, "a header check");
  if (value.entries.size() != 1) Fail(value, "give 'present' or 'absent', not both");
  const std::string& word = value.entries[0].first.scalar;
  bool yes = RequireBool(value.entries[0].second, "'" + word + "'");
  check.kind =
      (word == "present") == yes ? HeaderCheck::Kind::kPresent : HeaderCheck::Kind::kAbsent;
  return check;
}

// `body`: a match, or a mapping with a match and/or `length`.
void LoadBodyCheck(const YamlNode& body, LoadScope& scope, HttpCheck* h) {
  if (!body.is_map()) {
    h->body = LoadTextMatch(body, "'body'", scope);
    return;
  }
  CheckKeys(body, {"exact", "contains", "regex", "length"}, "'body'");
  if (const YamlNode* length = body.Find("length")) {
    h->body_length = static_cast<std::size_t>(RequireInt(*length, "'length'", 0, 1LL << 40));
  }
  YamlNode rest = body;
  std::erase_if(rest.entries, [](const YamlEntry& e) { return e.first.scalar == "length"; });
  if (!rest.entries.empty()) h->body = LoadTextMatch(rest, "'body'", scope);
  if (!h->body && !h->body_length) Fail(body, "'body' needs exact, contains, regex or length");
}

HttpCheck LoadHttpCheck(const YamlNode& node, LoadScope& scope) {
  HttpCheck h;
  RequireMap(node, "'http'");
  CheckKeys(node, {"status", "reason", "headers", "body", "responses", "count"}, "'http'");
  if (const YamlNode* status = node.Find("status")) {
    for (const YamlNode* s : ListOrOne(*status))
      h.status.push_back(static_cast<int>(RequireInt(*s, "a status code", 100, 999)));
    if (h.status.empty()) Fail(*status, "'status' must list at least one code");
  }
  if (const YamlNode* reason = node.Find("reason")) {
    h.reason = LoadTextMatch(*reason, "'reason'", scope);
  }
  if (const YamlNode* headers = node.Find("headers")) {
    RequireMap(*headers, "'headers'");
    for (const auto& [key, value] : headers->entries)
      h.headers.push_back(LoadHeaderCheck(key, value, scope));
  }
  if (const YamlNode* body = node.Find("body")) LoadBodyCheck(*body, scope, &h);
  if (const YamlNode* responses = node.Find("responses")) {
    h.index = static_cast<std::size_t>(RequireInt(*responses, "'responses'", 1, 1000000));
  }
  if (const YamlNode* count = node.Find("count")) {
    h.count = static_cast<std::size_t>(RequireInt(*count, "'count'", 1, 100000));
  }
  return h;
}

// The one key of `node` that says what is expected; sets `e->kind`.
const char* LoadKind(const YamlNode& node, ExpectStep* e) {
  struct KindKey {
    const char* key;
    Kind kind;
  };
  static constexpr KindKey kKinds[] = {
      {"line", Kind::kLine},         {"lines", Kind::kLines},       {"bytes", Kind::kBytes},
      {"contains", Kind::kContains}, {"datagram", Kind::kDatagram}, {"silence", Kind::kSilence},
      {"closed", Kind::kClosed},     {"reset", Kind::kReset},       {"http", Kind::kHttp},
      {"exit", Kind::kExit},         {"never", Kind::kNever},       {"tls", Kind::kTls},
  };
  const char* found = nullptr;
  for (const KindKey& k : kKinds) {
    if (node.Find(k.key) == nullptr) continue;
    if (found != nullptr) {
      Fail(*node.Find(k.key), std::string("an expectation checks one thing; this has '") + found +
                                  "' and '" + k.key + "' (use two expect steps)");
    }
    found = k.key;
    e->kind = k.kind;
  }
  if (found == nullptr) {
    Fail(node,
         "'expect' needs what to expect: line, lines, bytes, contains, datagram, silence, "
         "never, closed, reset, http, tls or exit");
  }
  return found;
}

// What the expectation is about: a target (exit) or a connection (everything else).
void LoadSubject(const YamlNode& node, const YamlNode& value, LoadScope& scope, ExpectStep* e) {
  if (e->kind != Kind::kExit) {
    if (node.Find("target") != nullptr) Fail(*node.Find("target"), "'target' belongs with 'exit'");
    e->on = scope.UseConnection(node, false);
    scope.RequireReading(e->on, node);
    return;
  }
  if (node.Find("on") != nullptr) {
    Fail(*node.Find("on"), "'exit' is about a target; use 'target', not 'on'");
  }
  e->target = scope.scenario().target;
  if (const YamlNode* t = node.Find("target")) e->target = RequireName(*t, "'target'");
  if (e->target.empty()) Fail(node, "'exit' needs a 'target' (the scenario has none)");
  e->exit_code = static_cast<int>(RequireInt(value, "'exit'", 0, 255));
  scope.UseFreshTarget(e->target, PositionOf(node));
}

void LoadLines(const YamlNode& node, const YamlNode& value, LoadScope& scope, ExpectStep* e) {
  if (!value.is_sequence() || value.items.empty()) Fail(value, "'lines' must be a list of lines");
  for (const YamlNode& item : value.items)
    e->lines.push_back(LoadTextMatch(item, "a line", scope));
  if (const YamlNode* ao = node.Find("any_order")) e->any_order = RequireBool(*ao, "'any_order'");
}

// A datagram is matched as text (a string, or exact/contains/regex) or as exact bytes.
void LoadDatagram(const YamlNode& value, bool udp, LoadScope& scope, ExpectStep* e) {
  if (!udp)
    Fail(value, "'datagram' needs a UDP connection (TCP bytes have no datagram boundaries)");
  bool text = value.is_scalar() || (value.is_map() && (value.Find("exact") != nullptr ||
                                                       value.Find("contains") != nullptr ||
                                                       value.Find("regex") != nullptr));
  if (text) {
    e->lines.push_back(LoadTextMatch(value, "'datagram'", scope));
  } else {
    e->bytes = LoadPayloadValue(value, "'datagram'", scope);
  }
}

// `contains`: bytes (a payload), or text matched in the stream: a mapping with `regex`,
// `any_of` or `ignore_case` (with `text` for plain text in either case).
void LoadContains(const YamlNode& value, LoadScope& scope, ExpectStep* e) {
  const bool text_match =
      value.is_map() && (value.Find("regex") != nullptr || value.Find("any_of") != nullptr ||
                         value.Find("ignore_case") != nullptr);
  if (!text_match) {
    e->bytes = LoadPayloadValue(value, "'contains'", scope);
    return;
  }
  CheckKeys(value, {"regex", "any_of", "text", "ignore_case"}, "'contains'");
  YamlNode match = value;  // `text` is what a text match calls `contains`
  for (YamlEntry& entry : match.entries) {
    if (entry.first.scalar == "text") entry.first.scalar = "contains";
  }
  e->lines.push_back(LoadTextMatch(match, "'contains'", scope));
}

// The value under the kind's key, `found`.
void LoadWhat(const YamlNode& node, const char* found, LoadScope& scope, ExpectStep* e) {
  const YamlNode& value = *node.Find(found);
  const std::string quoted = std::string("'") + found + "'";
  bool udp = !e->on.empty() && scope.TransportOf(e->on) == Transport::kUdp;
  switch (e->kind) {
    case Kind::kLine:
      e->lines.push_back(LoadTextMatch(value, "'line'", scope));
      break;
    case Kind::kLines:
      LoadLines(node, value, scope, e);
      break;
    case Kind::kBytes:
      e->bytes = LoadPayloadValue(value, quoted, scope);
      break;
    case Kind::kContains:
      LoadContains(value, scope, e);
      break;
    case Kind::kDatagram:
      LoadDatagram(value, udp, scope, e);
      break;
    case Kind::kSilence:
      e->silence = RequireDuration(value, "'silence'");
      break;
    case Kind::kNever:
      e->lines.push_back(LoadTextMatch(value, "'never'", scope));
      if (node.Find("for") == nullptr) {
        Fail(node, "'never' needs 'for': how long no such line may arrive, e.g. for: 300ms");
      }
      e->silence = RequireDuration(*node.Find("for"), "'for'");
      break;
    case Kind::kClosed:
    case Kind::kReset:
      if (!RequireBool(value, quoted)) {
        Fail(value, std::string("'") + found + ": false' checks nothing; remove the step");
      }
      if (udp) Fail(value, "a UDP connection is never closed or reset by its peer");
      break;
    case Kind::kHttp:
      if (udp) Fail(value, "'http' needs a TCP connection");
      e->http = LoadHttpCheck(value, scope);
      break;
    case Kind::kTls:
      if (udp) Fail(value, "'tls' needs a TCP connection");
      e->tls = LoadTlsCheck(value, scope);
      break;
    case Kind::kExit:
      break;
  }
}

int RegexGroups(const ExpectStep& e) {
  int groups = 0;
  for (const TextMatch& m : e.lines)
    groups += m.groups;
  if (e.kind == Kind::kHttp) {
    if (e.http.reason) groups += e.http.reason->groups;
    for (const HeaderCheck& h : e.http.headers)
      groups += h.value.groups;
    if (e.http.body) groups += e.http.body->groups;
  }
  return groups;
}

// `capture`: names for the regex groups, in order; they become variables for later steps.
void LoadCapture(const YamlNode& node, LoadScope& scope, ExpectStep* e) {
  if (e->kind == Kind::kHttp && e->http.count > 1) {
    Fail(node, "'capture' takes the groups of one response; this checks " +
                   std::to_string(e->http.count) + " ('count')");
  }
  if (e->kind == Kind::kNever) {
    Fail(node, "'never' passes only when no line matched; it has nothing to 'capture'");
  }
  int groups = RegexGroups(*e);
  for (const YamlNode* item : ListOrOne(node))
    e->capture.push_back(RequireName(*item, "a capture name"));
  if (groups == 0) {
    Fail(node, "'capture' takes the groups of a regex, and this expectation has none");
  }
  if (static_cast<int>(e->capture.size()) > groups) {
    Fail(node, "'capture' names " + std::to_string(e->capture.size()) +
                   " variables but the regexes have " + std::to_string(groups) + " group" +
                   (groups == 1 ? "" : "s"));
  }
  for (const std::string& name : e->capture)
    scope.Define(name);
}

// `skip: N` (or `true`: up to kDefaultSkip): lines that may come before the expected one.
void LoadSkipLines(const YamlNode& skip, ExpectStep* e) {
  constexpr std::int64_t kDefaultSkip = 1000;
  if (e->kind != Kind::kLine) {
    Fail(skip, "'skip' belongs with 'line': it drops other lines until one matches");
  }
  const bool is_bool =
      skip.is_scalar() && !skip.quoted && (skip.scalar == "true" || skip.scalar == "false");
  if (is_bool) {
    if (!RequireBool(skip, "'skip'")) Fail(skip, "'skip: false' skips nothing; remove it");
    e->skip = kDefaultSkip;
    return;
  }
  e->skip = static_cast<std::size_t>(RequireInt(skip, "'skip'", 1, 1000000));
}

}  // namespace

ExpectStep LoadExpect(const YamlNode& node, Step* step, LoadScope& scope) {
  if (!node.is_map()) {
    Fail(node, "'expect' takes a mapping, e.g. - expect: {on: client, line: \"hello\"}");
  }
  CheckKeys(node, {"on",      "line",   "lines",   "any_order", "bytes",   "contains", "datagram",
                   "silence", "closed", "reset",   "http",      "tls",     "exit",     "never",
                   "for",     "target", "capture", "invariant", "timeout", "retry",    "skip"},
            "'expect'");
  ExpectStep e;
  const char* found = LoadKind(node, &e);
  LoadSubject(node, *node.Find(found), scope, &e);
  if (node.Find("any_order") != nullptr && e.kind != Kind::kLines) {
    Fail(*node.Find("any_order"), "'any_order' belongs with 'lines'");
  }
  LoadWhat(node, found, scope, &e);
  if (const YamlNode* skip = node.Find("skip")) LoadSkipLines(*skip, &e);
  if (const YamlNode* capture = node.Find("capture")) LoadCapture(*capture, scope, &e);
  if (const YamlNode* inv = node.Find("invariant")) {
    e.invariant = RequireBool(*inv, "'invariant'");
    if (e.invariant && !e.capture.empty()) {
      Fail(*inv,
           "an 'invariant' expectation cannot 'capture': after a mutated send its "
           "values would be the fuzzer's");
    }
  }
  LoadModifiers(node, step);
  if (e.kind == Kind::kSilence && node.Find("timeout") != nullptr) {
    Fail(*node.Find("timeout"), "'silence' is its own duration; remove 'timeout'");
  }
  if (e.kind == Kind::kNever && node.Find("timeout") != nullptr) {
    Fail(*node.Find("timeout"), "'never' waits as long as its 'for'; remove 'timeout'");
  }
  if (e.kind != Kind::kNever && node.Find("for") != nullptr) {
    Fail(*node.Find("for"), "'for' belongs with 'never'");
  }
  return e;
}

}  // namespace parley::harness
