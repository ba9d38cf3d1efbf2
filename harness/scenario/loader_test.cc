#include "harness/scenario/loader.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>

#include "harness/scenario/payload.h"

namespace parley::harness {
namespace {

std::vector<Scenario> MustLoad(std::string_view text, LoadOptions options = LoadOptions()) {
  options.check_files = false;
  LoadResult r = LoadScenarios(text, "suite/s.yaml", options);
  EXPECT_TRUE(r.ok()) << (r.error ? r.error->ToString() : "");
  return r.scenarios;
}

std::string ErrorOf(std::string_view text, LoadOptions options = LoadOptions()) {
  options.check_files = false;
  LoadResult r = LoadScenarios(text, "s.yaml", options);
  EXPECT_FALSE(r.ok()) << text;
  EXPECT_TRUE(r.scenarios.empty());
  return r.error ? r.error->ToString() : "";
}

template <class T>
const T& Action(const Scenario& s, std::size_t i) {
  return std::get<T>(s.steps.at(i).action);
}

std::string Render(const Template& t, const Variables& vars = Variables()) {
  std::string error;
  return t.Render(vars, &error).value_or("<" + error + ">");
}

TEST(Loader, TheIssueExampleLoads) {
  auto s = MustLoad(R"(name: the room relays a line to everyone else
tags: [chat, smoke]
target: chat
timeout: 2s
steps:
  - connect: alice
  - connect: bob
  - expect: {on: alice, line: {regex: '^\* welcome (guest\d+)$'}, capture: [alice_nick]}
  - send: {on: alice, text: "hola\n"}
  - expect: {on: bob, line: "<${alice_nick}> hola"}
  - expect: {on: alice, silence: 200ms}
)");
  ASSERT_FALSE(s.empty());
  ASSERT_EQ(s.size(), 1u);
  const Scenario& sc = s[0];
  EXPECT_EQ(sc.name, "the room relays a line to everyone else");
  EXPECT_EQ(sc.file, "suite/s.yaml");
  EXPECT_EQ(sc.dir, "suite");
  EXPECT_EQ(sc.tags, (std::vector<std::string>{"chat", "smoke"}));
  EXPECT_EQ(sc.target, "chat");
  ASSERT_EQ(sc.targets.size(), 1u);
  EXPECT_FALSE(sc.targets[0].fresh);
  EXPECT_EQ(sc.timeout, Duration(2000));
  ASSERT_EQ(sc.steps.size(), 6u);
  EXPECT_EQ(sc.steps[0].keyword, "connect");
  EXPECT_EQ(sc.steps[0].where.line, 6);
  EXPECT_EQ(sc.steps[0].where.column, 5);
  EXPECT_EQ(Action<ConnectStep>(sc, 0).name, "alice");
  EXPECT_EQ(Action<ConnectStep>(sc, 0).target, "chat");
  const auto& welcome = Action<ExpectStep>(sc, 2);
  EXPECT_EQ(welcome.kind, ExpectStep::Kind::kLine);
  EXPECT_EQ(welcome.on, "alice");
  EXPECT_EQ(welcome.lines[0].kind, TextMatch::Kind::kRegex);
  EXPECT_EQ(welcome.lines[0].groups, 1);
  EXPECT_TRUE(welcome.lines[0].compiled.has_value());
  EXPECT_EQ(welcome.capture, std::vector<std::string>{"alice_nick"});
  EXPECT_EQ(sc.steps[2].timeout, Duration(2000));
  const auto& send = Action<SendStep>(sc, 3);
  EXPECT_EQ(Render(send.payload.pieces[0].text), "hola\n");
  const auto& relay = Action<ExpectStep>(sc, 4);
  Variables vars;
  vars.Set("alice_nick", "guest1");
  EXPECT_EQ(Render(relay.lines[0].pattern, vars), "<guest1> hola");
  EXPECT_EQ(Action<ExpectStep>(sc, 5).silence, Duration(200));
}

TEST(Loader, ScenarioKeys) {
  auto s = MustLoad(R"(name: keys
description: every scenario-level key
tags: solo
skip: waits for the parser fix
target: {name: http, args: ["--idle-timeout", "300ms", "--root", "${scenario.dir}/www"]}
vars:
  path: /echo
  request: "GET ${path} HTTP/1.1\r\n"
steps:
  - sleep: 1ms
)");
  ASSERT_FALSE(s.empty());
  const Scenario& sc = s[0];
  EXPECT_EQ(sc.description, "every scenario-level key");
  EXPECT_EQ(sc.tags, std::vector<std::string>{"solo"});
  EXPECT_EQ(sc.skip, "waits for the parser fix");
  EXPECT_EQ(sc.timeout, kDefaultTimeout);
  ASSERT_EQ(sc.targets.size(), 1u);
  EXPECT_TRUE(sc.targets[0].fresh);
  ASSERT_EQ(sc.targets[0].args.size(), 4u);
  Variables vars;
  vars.Set("scenario.dir", "suite");
  EXPECT_EQ(Render(sc.targets[0].args[3], vars), "suite/www");
  ASSERT_EQ(sc.vars.size(), 2u);
  vars.Set("path", "/echo");
  EXPECT_EQ(Render(sc.vars[1].second, vars), "GET /echo HTTP/1.1\r\n");
  EXPECT_EQ(std::get<SleepStep>(sc.steps[0].action).duration, Duration(1));
}

TEST(Loader, ConnectCloseAndShutdown) {
  auto s = MustLoad(R"(name: connections
target: chat
steps:
  - connect: {name: a, timeout: 1s, retry: 3}
  - connect: {name: u, protocol: udp}
  - connect: {name: other, target: http}
  - connect: {name: raw, address: "127.0.0.1:${targets.http.port}", retry: {times: 2, delay: 10ms}}
  - shutdown: a
  - expect: {on: a, closed: true}
  - close: a
  - connect: a
  - close: {on: a, how: reset}
  - close: u
  - close: {on: other, how: both}
  - close: {on: raw, how: write}
)");
  ASSERT_FALSE(s.empty());
  const Scenario& sc = s[0];
  EXPECT_EQ(sc.steps[0].timeout, Duration(1000));
  EXPECT_EQ(sc.steps[0].retries, 3);
  EXPECT_EQ(Action<ConnectStep>(sc, 1).transport, Transport::kUdp);
  EXPECT_EQ(Action<ConnectStep>(sc, 2).target, "http");
  ASSERT_TRUE(Action<ConnectStep>(sc, 3).address.has_value());
  EXPECT_TRUE(Action<ConnectStep>(sc, 3).target.empty());
  EXPECT_EQ(sc.steps[3].retries, 2);
  EXPECT_EQ(sc.steps[3].retry_delay, Duration(10));
  EXPECT_EQ(Action<CloseStep>(sc, 4).how, CloseStep::How::kWrite);
  EXPECT_EQ(Action<CloseStep>(sc, 6).how, CloseStep::How::kBoth);
  EXPECT_EQ(Action<CloseStep>(sc, 8).how, CloseStep::How::kReset);
  EXPECT_EQ(Action<CloseStep>(sc, 11).how, CloseStep::How::kWrite);
  ASSERT_EQ(sc.targets.size(), 2u);
  EXPECT_EQ(sc.targets[0].name, "chat");
  EXPECT_EQ(sc.targets[1].name, "http");
}

TEST(Loader, SendForms) {
  auto s = MustLoad(R"(name: sends
target: http
steps:
  - connect: c
  - send: {text: "GET / HTTP/1.1\r\n\r\n"}
  - send: {hex: "00 ff 0A", allow_close: true}
  - send: {file: payloads/big.bin}
  - send: {repeat: "a", count: 70000}
  - send:
      data: ["GET /", {repeat: "a", count: 3}, {hex: "20"}, "HTTP/1.1\r\n\r\n"]
      split: [4, 10]
      delay: 50ms
      methods: [GET]
  - send: {text: "x", split: 1, methods: HEAD, timeout: 3s}
)");
  ASSERT_FALSE(s.empty());
  const Scenario& sc = s[0];
  const auto& text = Action<SendStep>(sc, 1);
  EXPECT_EQ(text.on, "c");
  EXPECT_FALSE(text.methods.has_value());
  EXPECT_EQ(Action<SendStep>(sc, 2).payload.pieces[0].bytes, std::string("\x00\xff\x0a", 3));
  EXPECT_TRUE(Action<SendStep>(sc, 2).allow_close);
  EXPECT_EQ(Action<SendStep>(sc, 3).payload.pieces[0].path, "suite/payloads/big.bin");
  EXPECT_EQ(Action<SendStep>(sc, 4).payload.pieces[0].count, 70000u);
  const auto& data = Action<SendStep>(sc, 5);
  ASSERT_EQ(data.payload.pieces.size(), 4u);
  EXPECT_EQ(data.payload.pieces[1].kind, Payload::Piece::Kind::kRepeat);
  EXPECT_EQ(data.split, (std::vector<std::size_t>{4, 10}));
  EXPECT_FALSE(data.repeat_last);
  EXPECT_EQ(data.delay, Duration(50));
  EXPECT_EQ(*data.methods, std::vector<std::string>{"GET"});
  const auto& bytewise = Action<SendStep>(sc, 6);
  EXPECT_TRUE(bytewise.repeat_last);
  EXPECT_EQ(*bytewise.methods, std::vector<std::string>{"HEAD"});
  EXPECT_EQ(sc.steps[6].timeout, Duration(3000));
}

TEST(Loader, ExpectForms) {
  auto s = MustLoad(R"(name: expectations
target: chat
steps:
  - connect: c
  - expect: {line: "* welcome guest1"}
  - expect: {line: {contains: welcome}}
  - expect: {line: {exact: "a\tb"}}
  - expect: {lines: ["a", {regex: "^b(.)$"}], any_order: true, capture: x}
  - expect: {bytes: "\r\n"}
  - expect: {bytes: {hex: "0d0a"}}
  - expect: {bytes: ["a", {hex: "00"}]}
  - expect: {contains: "needle"}
  - expect: {silence: 200ms}
  - expect: {closed: true, timeout: 1s}
  - close: c
  - connect: c
  - expect: {reset: true}
  - expect: {exit: 0, timeout: 2s}
  - signal: TERM
  - signal: {signal: SIGKILL, target: chat}
)");
  ASSERT_FALSE(s.empty());
  const Scenario& sc = s[0];
  EXPECT_EQ(Action<ExpectStep>(sc, 2).lines[0].kind, TextMatch::Kind::kContains);
  EXPECT_EQ(Render(Action<ExpectStep>(sc, 3).lines[0].pattern), "a\tb");
  const auto& lines = Action<ExpectStep>(sc, 4);
  EXPECT_EQ(lines.kind, ExpectStep::Kind::kLines);
  EXPECT_TRUE(lines.any_order);
  EXPECT_EQ(lines.capture, std::vector<std::string>{"x"});
  EXPECT_EQ(Action<ExpectStep>(sc, 5).kind, ExpectStep::Kind::kBytes);
  EXPECT_EQ(Render(Action<ExpectStep>(sc, 5).bytes.pieces[0].text), "\r\n");
  EXPECT_EQ(Action<ExpectStep>(sc, 6).bytes.pieces[0].bytes, "\r\n");
  EXPECT_EQ(Action<ExpectStep>(sc, 7).bytes.pieces.size(), 2u);
  EXPECT_EQ(Action<ExpectStep>(sc, 8).kind, ExpectStep::Kind::kContains);
  EXPECT_EQ(Action<ExpectStep>(sc, 10).kind, ExpectStep::Kind::kClosed);
  EXPECT_EQ(sc.steps[10].timeout, Duration(1000));
  EXPECT_EQ(Action<ExpectStep>(sc, 13).kind, ExpectStep::Kind::kReset);
  const auto& exit = Action<ExpectStep>(sc, 14);
  EXPECT_EQ(exit.kind, ExpectStep::Kind::kExit);
  EXPECT_EQ(exit.target, "chat");
  EXPECT_EQ(exit.exit_code, 0);
  EXPECT_EQ(Action<SignalStep>(sc, 15).signal, SIGTERM);
  EXPECT_EQ(Action<SignalStep>(sc, 15).signal_name, "TERM");
  EXPECT_EQ(Action<SignalStep>(sc, 16).signal, SIGKILL);
  // A signal or an exit check needs a process of the scenario's own.
  EXPECT_TRUE(sc.targets[0].fresh);
}

TEST(Loader, HttpExpectation) {
  auto s = MustLoad(R"(name: http
target: http
steps:
  - connect: c
  - send: {text: "GET / HTTP/1.1\r\nHost: x\r\n\r\n"}
  - expect:
      http:
        status: 200
        reason: OK
        headers:
          Content-Type: "text/html; charset=utf-8"
          Content-Length: {regex: '^(\d+)$'}
          Server: {present: true}
          Transfer-Encoding: {absent: true}
          Date: {contains: GMT}
        body: {contains: Hola, length: 19}
        responses: 1
      capture: [length]
  - expect: {http: {status: [400, 408], body: "<h1>Hola Mundo</h1>"}}
  - expect: {http: {body: {regex: "^x"}}}
  - expect: {http: {headers: {X: {present: false}}}}
)");
  ASSERT_FALSE(s.empty());
  const Scenario& sc = s[0];
  const HttpCheck& h = Action<ExpectStep>(sc, 2).http;
  EXPECT_EQ(h.status, std::vector<int>{200});
  ASSERT_TRUE(h.reason.has_value());
  ASSERT_EQ(h.headers.size(), 5u);
  EXPECT_EQ(h.headers[0].name, "Content-Type");
  EXPECT_EQ(h.headers[0].kind, HeaderCheck::Kind::kMatch);
  EXPECT_EQ(h.headers[1].value.kind, TextMatch::Kind::kRegex);
  EXPECT_EQ(h.headers[2].kind, HeaderCheck::Kind::kPresent);
  EXPECT_EQ(h.headers[3].kind, HeaderCheck::Kind::kAbsent);
  EXPECT_EQ(h.headers[4].value.kind, TextMatch::Kind::kContains);
  EXPECT_EQ(h.body->kind, TextMatch::Kind::kContains);
  EXPECT_EQ(h.body_length, 19u);
  EXPECT_EQ(h.index, 1u);
  EXPECT_EQ(Action<ExpectStep>(sc, 3).http.status, (std::vector<int>{400, 408}));
  EXPECT_EQ(Action<ExpectStep>(sc, 5).http.headers[0].kind, HeaderCheck::Kind::kAbsent);
}

TEST(Loader, ListsAndDocuments) {
  auto s = MustLoad(R"(- name: one
  steps: [{sleep: 1ms}]
- name: two
  steps: [{sleep: 2ms}]
---
name: three
steps: [{sleep: 3ms}]
---
)");
  ASSERT_FALSE(s.empty());
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0].index, 0);
  EXPECT_EQ(s[2].index, 2);
  EXPECT_EQ(s[2].name, "three");
  EXPECT_EQ(s[2].where.line, 6);
}

TEST(Loader, CommandLineAndEnvironmentVariables) {
  LoadOptions options;
  options.variables = {"host"};
  auto s = MustLoad(R"(name: vars
steps:
  - connect: {name: c, address: "${host}:${env.PORT:-8080}"}
)",
                    options);
  ASSERT_FALSE(s.empty());
  EXPECT_EQ(s[0].steps.size(), 1u);
}

TEST(Loader, RegexWithVariablesIsCheckedWithPlaceholders) {
  auto s = MustLoad(R"(name: v
target: chat
vars: {nick: bob}
steps:
  - connect: c
  - expect: {line: {regex: '^<${nick}> (.*)$'}, capture: msg}
)");
  ASSERT_FALSE(s.empty());
  const TextMatch& m = Action<ExpectStep>(s[0], 1).lines[0];
  EXPECT_FALSE(m.compiled.has_value());
  EXPECT_EQ(m.groups, 1);
}

struct ErrorCase {
  const char* yaml;
  const char* error;
};

class LoaderErrors : public testing::TestWithParam<ErrorCase> {};

TEST_P(LoaderErrors, NameFileLineAndColumn) {
  EXPECT_EQ(ErrorOf(GetParam().yaml), GetParam().error);
}

INSTANTIATE_TEST_SUITE_P(
    Scenario, LoaderErrors,
    testing::Values(
        ErrorCase{"", "s.yaml: the file holds no scenario"},
        ErrorCase{"42\n",
                  "s.yaml:1:1: a scenario file holds a scenario (a mapping) or a list of them, not "
                  "a string"},
        ErrorCase{"name: x\nsteps: [{sleep: 1ms}]\ntiemout: 2s\n",
                  "s.yaml:3:1: unknown key 'tiemout' in a scenario (did you mean 'timeout'?)"},
        ErrorCase{
            "name: x\nsteps: [{sleep: 1ms}]\nfoo: 1\n",
            "s.yaml:3:1: unknown key 'foo' in a scenario (expected one of: name, description, "
            "tags, skip, target, timeout, vars, steps)"},
        ErrorCase{"steps: [{sleep: 1ms}]\n", "s.yaml:1:1: a scenario needs a 'name'"},
        ErrorCase{"name: ''\nsteps: [{sleep: 1ms}]\n", "s.yaml:1:7: 'name' must not be empty"},
        ErrorCase{"name: [a]\nsteps: [{sleep: 1ms}]\n",
                  "s.yaml:1:7: 'name' must be a string, not a list"},
        ErrorCase{"name: x\n", "s.yaml:1:1: a scenario needs 'steps'"},
        ErrorCase{"name: x\nsteps: []\n",
                  "s.yaml:2:8: 'steps' must be a list of at least one step"},
        ErrorCase{"name: x\ntimeout: 2\nsteps: [{sleep: 1ms}]\n",
                  "s.yaml:2:10: 'timeout': duration '2' has no unit (write e.g. 2ms or 2s)"},
        ErrorCase{"name: x\ntags: [a b]\nsteps: [{sleep: 1ms}]\n",
                  "s.yaml:2:8: tag 'a b' must be a word of letters, digits, _ - and ."},
        ErrorCase{"name: x\nskip: true\nsteps: [{sleep: 1ms}]\n",
                  "s.yaml:2:7: 'skip' takes the reason for skipping, e.g. skip: \"flaky on loaded "
                  "machines\""},
        ErrorCase{"name: x\ntarget: {name: t, argz: []}\nsteps: [{sleep: 1ms}]\n",
                  "s.yaml:2:19: unknown key 'argz' in 'target' (did you mean 'args'?)"},
        ErrorCase{"name: x\ntarget: {name: t, args: [a], fresh: false}\nsteps: [{sleep: 1ms}]\n",
                  "s.yaml:2:37: a target with 'args' always gets a process of its own; remove "
                  "'fresh: false'"},
        ErrorCase{"name: x\ntarget: a.b\nsteps: [{sleep: 1ms}]\n",
                  "s.yaml:2:9: 'target' 'a.b' must be a word of letters, digits, _ and - (starting "
                  "with a letter)"},
        ErrorCase{
            "name: x\nvars: {a.b: 1}\nsteps: [{sleep: 1ms}]\n",
            "s.yaml:2:8: variable name 'a.b' must be a word of letters, digits, _ and - (no dots)"},
        ErrorCase{
            "name: x\nvars: {a: '${b}'}\nsteps: [{sleep: 1ms}]\n",
            "s.yaml:2:11: variable ${b} is not defined (define it under 'vars', capture it in an "
            "earlier step, or pass --var b=VALUE)"},
        ErrorCase{"- name: x\n  steps: [{sleep: 1ms}]\n- name: x\n  steps: [{sleep: 1ms}]\n",
                  "s.yaml:3:3: another scenario in this file is named 'x' (line 1)"},
        ErrorCase{"name: x\nname: y\n", "s.yaml:2:1: duplicate key 'name' (first at line 1)"}));

INSTANTIATE_TEST_SUITE_P(
    Steps, LoaderErrors,
    testing::Values(
        ErrorCase{"name: x\ntarget: t\nsteps:\n  - conect: a\n",
                  "s.yaml:4:5: unknown step 'conect' (did you mean 'connect'?)"},
        ErrorCase{"name: x\ntarget: t\nsteps:\n  - frobnicate: a\n",
                  "s.yaml:4:5: unknown step 'frobnicate' (expected one of: connect, send, expect, "
                  "close, shutdown, starttls, pause, resume, sleep, signal, include)"},
        ErrorCase{
            "name: x\ntarget: t\nsteps:\n  - connect: a\n    timeout: 1s\n",
            "s.yaml:5:5: 'timeout' goes inside the action, e.g. - connect: {..., timeout: ...}"},
        ErrorCase{
            "name: x\ntarget: t\nsteps:\n  - connect: a\n    send: {}\n",
            "s.yaml:5:5: a step has exactly one action; this one has 'connect' and 'send' (start "
            "a new step with '-')"},
        ErrorCase{
            "name: x\ntarget: t\nsteps:\n  - just text\n",
            "s.yaml:4:5: a step must be a mapping with one action (connect, send, expect, close, "
            "shutdown, starttls, pause, resume, sleep, signal, include), not a string"},
        ErrorCase{
            "name: x\nsteps:\n  - connect: a\n",
            "s.yaml:3:14: connection 'a' has nowhere to go: give the scenario a 'target', or the "
            "connection a 'target' or an 'address'"},
        ErrorCase{"name: x\ntarget: t\nsteps:\n  - connect: a\n  - connect: a\n",
                  "s.yaml:5:14: connection 'a' is already open (since line 4); close it before "
                  "connecting again"},
        ErrorCase{"name: x\ntarget: t\nsteps:\n  - connect: {name: a, protocol: sctp}\n",
                  "s.yaml:4:34: 'protocol' must be tcp or udp"},
        ErrorCase{"name: x\ntarget: t\nsteps:\n  - connect: {name: a, address: nohost}\n",
                  "s.yaml:4:33: 'address' must be HOST:PORT"},
        ErrorCase{"name: x\ntarget: t\nsteps:\n  - connect: {name: a, address: 'h:1', target: t}\n",
                  "s.yaml:4:33: give 'target' or 'address', not both"},
        ErrorCase{"name: x\ntarget: t\nsteps:\n  - connect: {name: a, retry: 0}\n",
                  "s.yaml:4:31: 'retry' must be between 1 and 100"},
        ErrorCase{
            "name: x\ntarget: t\nsteps:\n  - connect: {name: a, retry: {times: 2, delai: 1s}}\n",
            "s.yaml:4:42: unknown key 'delai' in 'retry' (did you mean 'delay'?)"},
        ErrorCase{"name: x\ntarget: t\nsteps:\n  - send: {text: a}\n",
                  "s.yaml:4:11: no connection is open here; add a 'connect' step first"},
        ErrorCase{
            "name: x\ntarget: t\nsteps:\n  - connect: a\n  - connect: b\n  - send: {text: a}\n",
            "s.yaml:6:11: say which connection with 'on:' (2 are open)"},
        ErrorCase{"name: x\ntarget: t\nsteps:\n  - connect: a\n  - send: {on: b, text: a}\n",
                  "s.yaml:5:16: no connection named 'b' (connect it first)"},
        ErrorCase{"name: x\ntarget: t\nsteps:\n  - connect: a\n  - close: a\n  - send: {on: a, "
                  "text: x}\n",
                  "s.yaml:6:16: connection 'a' was closed at line 5; connect it again first"},
        ErrorCase{
            "name: x\ntarget: t\nsteps:\n  - connect: a\n  - shutdown: a\n  - send: {text: x}\n",
            "s.yaml:6:11: connection 'a' was shut down for writing at line 5"},
        ErrorCase{"name: x\ntarget: t\nsteps:\n  - connect: a\n  - close: {on: a, how: half}\n",
                  "s.yaml:5:25: 'how' must be both, write or reset"},
        ErrorCase{
            "name: x\ntarget: t\nsteps:\n  - connect: {name: u, protocol: udp}\n  - shutdown: u\n",
            "s.yaml:5:15: a UDP connection can only be closed, not shut down or reset"},
        ErrorCase{"name: x\ntarget: t\nsteps:\n  - sleep: 5\n",
                  "s.yaml:4:12: 'sleep': duration '5' has no unit (write e.g. 5ms or 5s)"},
        ErrorCase{"name: x\ntarget: t\nsteps:\n  - signal: WINCH\n",
                  "s.yaml:4:13: unknown signal 'WINCH' (e.g. TERM, INT, HUP, KILL, USR1)"},
        ErrorCase{"name: x\nsteps:\n  - signal: TERM\n",
                  "s.yaml:3:13: 'signal' needs a 'target' (the scenario has none)"}));

INSTANTIATE_TEST_SUITE_P(
    Send, LoaderErrors,
    testing::Values(
        ErrorCase{
            "name: x\ntarget: t\nsteps:\n  - connect: a\n  - send: hello\n",
            "s.yaml:5:11: 'send' takes a mapping, e.g. - send: {on: client, text: \"hello\\n\"}"},
        ErrorCase{
            "name: x\ntarget: t\nsteps:\n  - connect: a\n  - send: {}\n",
            "s.yaml:5:11: 'send' needs the bytes: one of text, hex, file, repeat (with count) or "
            "data"},
        ErrorCase{
            "name: x\ntarget: t\nsteps:\n  - connect: a\n  - send: {text: a, hex: '00'}\n",
            "s.yaml:5:26: 'send' takes one of text, hex, file, repeat or data; this has 'text' and "
            "'hex' (use 'data' for a mix)"},
        ErrorCase{"name: x\ntarget: t\nsteps:\n  - connect: a\n  - send: {text: 'a\\q'}\n",
                  "s.yaml:5:20: 'text': byte 1: unknown escape \"\\q\" (the escapes are \\r \\n "
                  "\\t \\0 \\e \\\\ \\\" and \\xHH)"},
        ErrorCase{"name: x\ntarget: t\nsteps:\n  - connect: a\n  - send: {text: 'a${'}\n",
                  "s.yaml:5:20: 'text': '${' is not closed by '}' (write $${ for a literal ${)"},
        ErrorCase{
            "name: x\ntarget: t\nsteps:\n  - connect: a\n  - send: {text: '${nope}'}\n",
            "s.yaml:5:18: variable ${nope} is not defined (define it under 'vars', capture it in "
            "an earlier step, or pass --var nope=VALUE)"},
        ErrorCase{"name: x\nsteps:\n  - connect: {name: a, address: 'h:1'}\n  - send: {text: "
                  "'${target.port}'}\n",
                  "s.yaml:4:18: ${target.port} needs the scenario to name a 'target'"},
        ErrorCase{"name: x\ntarget: t\nsteps:\n  - connect: a\n  - send: {text: '${target.pid}'}\n",
                  "s.yaml:5:18: ${target.pid} is not defined (a target has name, host, port and "
                  "address)"},
        ErrorCase{
            "name: x\ntarget: t\nsteps:\n  - connect: a\n  - send: {text: '${targets.db.port}'}\n",
            "s.yaml:5:18: ${targets.db.port}: the scenario does not use a target named 'db'"},
        ErrorCase{"name: x\ntarget: t\nsteps:\n  - connect: a\n  - send: {hex: '0g'}\n",
                  "s.yaml:5:19: 'hex' must be pairs of hex digits, optionally separated by spaces"},
        ErrorCase{"name: x\ntarget: t\nsteps:\n  - connect: a\n  - send: {hex: 'abc'}\n",
                  "s.yaml:5:21: 'hex' must be pairs of hex digits, optionally separated by spaces"},
        ErrorCase{"name: x\ntarget: t\nsteps:\n  - connect: a\n  - send: {repeat: a}\n",
                  "s.yaml:5:20: 'repeat' needs a 'count'"},
        ErrorCase{"name: x\ntarget: t\nsteps:\n  - connect: a\n  - send: {repeat: '', count: 2}\n",
                  "s.yaml:5:20: 'repeat' needs at least one byte to repeat"},
        ErrorCase{
            "name: x\ntarget: t\nsteps:\n  - connect: a\n  - send: {repeat: ab, count: 60000000}\n",
            "s.yaml:5:31: the repeated bytes exceed 64 MiB"},
        ErrorCase{"name: x\ntarget: t\nsteps:\n  - connect: a\n  - send: {text: a, count: 2}\n",
                  "s.yaml:5:28: 'count' belongs with 'repeat'"},
        ErrorCase{
            "name: x\ntarget: t\nsteps:\n  - connect: a\n  - send: {data: []}\n",
            "s.yaml:5:18: 'data' must be a list of pieces (strings, or mappings with text, hex, "
            "file or repeat)"},
        ErrorCase{"name: x\ntarget: t\nsteps:\n  - connect: a\n  - send: {data: [{txt: a}]}\n",
                  "s.yaml:5:20: unknown key 'txt' in a piece of 'data' (did you mean 'text'?)"},
        ErrorCase{"name: x\ntarget: t\nsteps:\n  - connect: a\n  - send: {text: a, split: 0}\n",
                  "s.yaml:5:28: 'split' must be between 1 and 67108864"},
        ErrorCase{"name: x\ntarget: t\nsteps:\n  - connect: a\n  - send: {text: a, delay: 1s}\n",
                  "s.yaml:5:28: 'delay' is the pause between pieces; add 'split'"},
        ErrorCase{
            "name: x\ntarget: t\nsteps:\n  - connect: a\n  - send: {text: a, methods: [get]}\n",
            "s.yaml:5:31: method 'get' must be upper-case letters, e.g. HEAD"},
        ErrorCase{
            "name: x\ntarget: t\nsteps:\n  - connect: a\n  - send: {text: a, allow_close: yes}\n",
            "s.yaml:5:34: 'allow_close' must be true or false"},
        ErrorCase{"name: x\ntarget: t\nsteps:\n  - connect: a\n  - send: {txt: a}\n",
                  "s.yaml:5:12: unknown key 'txt' in 'send' (did you mean 'text'?)"}));

INSTANTIATE_TEST_SUITE_P(
    Expect, LoaderErrors,
    testing::Values(
        ErrorCase{
            "name: x\ntarget: t\nsteps:\n  - connect: a\n  - expect: {}\n",
            "s.yaml:5:13: 'expect' needs what to expect: line, lines, bytes, contains, datagram, "
            "silence, never, closed, reset, http, tls or exit"},
        ErrorCase{
            "name: x\ntarget: t\nsteps:\n  - connect: a\n  - expect: {line: a, bytes: b}\n",
            "s.yaml:5:30: an expectation checks one thing; this has 'line' and 'bytes' (use two "
            "expect steps)"},
        ErrorCase{"name: x\ntarget: t\nsteps:\n  - connect: a\n  - expect: {line: {regex: '('}}\n",
                  "s.yaml:5:28: bad regex: missing ): ("},
        ErrorCase{"name: x\ntarget: t\nsteps:\n  - connect: a\n  - expect: {line: {regx: a}}\n",
                  "s.yaml:5:21: unknown key 'regx' in 'line' (did you mean 'regex'?)"},
        ErrorCase{"name: x\ntarget: t\nsteps:\n  - connect: a\n  - expect: {line: {regex: a, "
                  "exact: b}}\n",
                  "s.yaml:5:20: 'line' takes one of exact, contains, regex or any_of"},
        ErrorCase{"name: x\ntarget: t\nsteps:\n  - connect: a\n  - expect: {line: [a]}\n",
                  "s.yaml:5:20: 'line' must be a string or a mapping with exact, contains, regex "
                  "or any_of, not a list"},
        ErrorCase{"name: x\ntarget: t\nsteps:\n  - connect: a\n  - expect: {lines: a}\n",
                  "s.yaml:5:21: 'lines' must be a list of lines"},
        ErrorCase{
            "name: x\ntarget: t\nsteps:\n  - connect: a\n  - expect: {line: a, any_order: true}\n",
            "s.yaml:5:34: 'any_order' belongs with 'lines'"},
        ErrorCase{
            "name: x\ntarget: t\nsteps:\n  - connect: a\n  - expect: {line: a, capture: [n]}\n",
            "s.yaml:5:32: 'capture' takes the groups of a regex, and this expectation has none"},
        ErrorCase{"name: x\ntarget: t\nsteps:\n  - connect: a\n  - expect: {line: {regex: '(a)'}, "
                  "capture: [n, m]}\n",
                  "s.yaml:5:45: 'capture' names 2 variables but the regexes have 1 group"},
        ErrorCase{"name: x\ntarget: t\nsteps:\n  - connect: a\n  - expect: {line: {regex: '(a)'}, "
                  "capture: [a.b]}\n",
                  "s.yaml:5:46: a capture name 'a.b' must be a word of letters, digits, _ and - "
                  "(starting "
                  "with a letter)"},
        ErrorCase{"name: x\ntarget: t\nsteps:\n  - connect: a\n  - expect: {closed: false}\n",
                  "s.yaml:5:22: 'closed: false' checks nothing; remove the step"},
        ErrorCase{
            "name: x\ntarget: t\nsteps:\n  - connect: a\n  - expect: {silence: 1s, timeout: 2s}\n",
            "s.yaml:5:36: 'silence' is its own duration; remove 'timeout'"},
        ErrorCase{"name: x\ntarget: t\nsteps:\n  - connect: a\n  - expect: {never: a}\n",
                  "s.yaml:5:13: 'never' needs 'for': how long no such line may arrive, e.g. for: "
                  "300ms"},
        ErrorCase{"name: x\ntarget: t\nsteps:\n  - connect: a\n  - expect: {never: a, for: 1s, "
                  "timeout: 2s}\n",
                  "s.yaml:5:42: 'never' waits as long as its 'for'; remove 'timeout'"},
        ErrorCase{"name: x\ntarget: t\nsteps:\n  - connect: a\n  - expect: {line: a, for: 1s}\n",
                  "s.yaml:5:28: 'for' belongs with 'never'"},
        ErrorCase{"name: x\ntarget: t\nsteps:\n  - connect: a\n  - expect: {never: {regex: "
                  "'(a)'}, for: 1s, capture: n}\n",
                  "s.yaml:5:55: 'never' passes only when no line matched; it has nothing to "
                  "'capture'"},
        ErrorCase{"name: x\ntarget: t\nsteps:\n  - connect: {name: u, protocol: udp}\n  - expect: "
                  "{closed: true}\n",
                  "s.yaml:5:22: a UDP connection is never closed or reset by its peer"},
        ErrorCase{"name: x\ntarget: t\nsteps:\n  - connect: {name: u, protocol: udp}\n  - expect: "
                  "{http: {status: 200}}\n",
                  "s.yaml:5:20: 'http' needs a TCP connection"},
        ErrorCase{"name: x\ntarget: t\nsteps:\n  - connect: a\n  - expect: {http: {status: 99}}\n",
                  "s.yaml:5:29: a status code must be between 100 and 999"},
        ErrorCase{"name: x\ntarget: t\nsteps:\n  - connect: a\n  - expect: {http: {stat: 200}}\n",
                  "s.yaml:5:21: unknown key 'stat' in 'http' (did you mean 'status'?)"},
        ErrorCase{"name: x\ntarget: t\nsteps:\n  - connect: a\n  - expect: {http: {headers: {'a "
                  "b': x}}}\n",
                  "s.yaml:5:31: header name 'a b' is not a token"},
        ErrorCase{"name: x\ntarget: t\nsteps:\n  - connect: a\n  - expect: {http: {headers: {A: "
                  "{present: true, absent: true}}}}\n",
                  "s.yaml:5:34: give 'present' or 'absent', not both"},
        ErrorCase{"name: x\ntarget: t\nsteps:\n  - connect: a\n  - expect: {http: {body: {}}}\n",
                  "s.yaml:5:27: 'body' needs exact, contains, regex or length"},
        ErrorCase{
            "name: x\ntarget: t\nsteps:\n  - connect: a\n  - expect: {http: {responses: 0}}\n",
            "s.yaml:5:32: 'responses' must be between 1 and 1000000"},
        ErrorCase{"name: x\ntarget: t\nsteps:\n  - connect: a\n  - expect: {exit: 0, on: a}\n",
                  "s.yaml:5:27: 'exit' is about a target; use 'target', not 'on'"},
        ErrorCase{"name: x\ntarget: t\nsteps:\n  - connect: a\n  - expect: {line: a, target: t}\n",
                  "s.yaml:5:31: 'target' belongs with 'exit'"},
        ErrorCase{"name: x\nsteps:\n  - expect: {exit: 0}\n",
                  "s.yaml:3:13: 'exit' needs a 'target' (the scenario has none)"},
        ErrorCase{"name: x\ntarget: t\nsteps:\n  - expect: {exit: 256}\n",
                  "s.yaml:4:20: 'exit' must be between 0 and 255"}));

TEST(Loader, PauseAndResume) {
  auto s = MustLoad(R"(name: x
target: t
steps:
  - connect: {name: slow, recv_buffer: 4096}
  - connect: other
  - pause: slow
  - send: {on: slow, text: "still writing\n"}
  - expect: {on: other, silence: 10ms}
  - resume: {on: slow}
  - expect: {on: slow, line: a}
  - pause: slow
  - close: slow
  - connect: slow
  - expect: {on: slow, line: b}
)");
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(Action<ConnectStep>(s[0], 0).receive_buffer, 4096u);
  EXPECT_EQ(Action<ConnectStep>(s[0], 1).receive_buffer, 0u);
  EXPECT_EQ(Action<PauseStep>(s[0], 2).on, "slow");
  EXPECT_FALSE(Action<PauseStep>(s[0], 2).resume);
  EXPECT_EQ(s[0].steps[2].keyword, "pause");
  EXPECT_TRUE(Action<PauseStep>(s[0], 5).resume);
  EXPECT_EQ(s[0].steps[5].keyword, "resume");
}

TEST(Loader, DatagramExpectations) {
  auto s = MustLoad(R"(name: x
target: t
steps:
  - connect: {name: u, protocol: udp}
  - expect: {datagram: "* welcome guest1\n"}
  - expect: {datagram: {regex: '^\* welcome (guest\d+)\n$'}, capture: nick}
  - expect: {datagram: {contains: welcome}}
  - expect: {datagram: {hex: "00 ff 0a"}}
  - expect: {datagram: ["a", {hex: "0a"}]}
)");
  ASSERT_EQ(s.size(), 1u);
  const ExpectStep& exact = Action<ExpectStep>(s[0], 1);
  EXPECT_EQ(exact.kind, ExpectStep::Kind::kDatagram);
  ASSERT_EQ(exact.lines.size(), 1u);
  EXPECT_EQ(exact.lines[0].kind, TextMatch::Kind::kExact);
  EXPECT_EQ(Render(exact.lines[0].pattern), "* welcome guest1\n");
  const ExpectStep& regex = Action<ExpectStep>(s[0], 2);
  EXPECT_EQ(regex.lines[0].kind, TextMatch::Kind::kRegex);
  EXPECT_EQ(regex.capture, std::vector<std::string>{"nick"});
  EXPECT_EQ(Action<ExpectStep>(s[0], 3).lines[0].kind, TextMatch::Kind::kContains);
  const ExpectStep& hex = Action<ExpectStep>(s[0], 4);
  EXPECT_TRUE(hex.lines.empty());
  ASSERT_EQ(hex.bytes.pieces.size(), 1u);
  EXPECT_EQ(hex.bytes.pieces[0].bytes, std::string("\0\xff\n", 3));
  EXPECT_EQ(Action<ExpectStep>(s[0], 5).bytes.pieces.size(), 2u);
}

TEST(Loader, HttpCount) {
  auto s = MustLoad(R"(name: x
target: t
steps:
  - connect: c
  - expect: {http: {status: 200, count: 12}}
  - expect: {http: {status: 404, count: 2, responses: 13}}
  - expect: {http: {status: 200}}
)");
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(Action<ExpectStep>(s[0], 1).http.count, 12u);
  EXPECT_FALSE(Action<ExpectStep>(s[0], 1).http.index);
  EXPECT_EQ(Action<ExpectStep>(s[0], 2).http.count, 2u);
  EXPECT_EQ(Action<ExpectStep>(s[0], 2).http.index, 13u);
  EXPECT_EQ(Action<ExpectStep>(s[0], 3).http.count, 1u);
}

TEST(Loader, HighEscapesMeanBytesOnlyOutsideDoubleQuotes) {
  // Single quotes, plain scalars and block scalars leave the backslash to parley: one byte.
  auto s = MustLoad(R"(name: x
target: t
vars:
  plain: caf\xe9
  block: |-
    caf\xe9
steps:
  - connect: c
  - send: {text: 'caf\xe9'}
  - send: {text: "caf\\xe9 \u00e9 \x7f"}
)");
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(Render(s[0].vars[0].second), "caf\xe9");
  EXPECT_EQ(Render(s[0].vars[1].second), "caf\xe9");
  EXPECT_EQ(Render(Action<SendStep>(s[0], 1).payload.pieces[0].text), "caf\xe9");
  // Double quotes: \\ is YAML's backslash, \u00e9 is the character (2 bytes), \x7f one byte.
  EXPECT_EQ(Render(Action<SendStep>(s[0], 2).payload.pieces[0].text), "caf\xe9 \xc3\xa9 \x7f");
  // Text that never becomes bytes may use YAML's escapes freely.
  MustLoad("name: \"caf\\xe9\"\ndescription: \"\\xe9\"\ntarget: t\nsteps: [{connect: c}]\n");
}

TEST(Loader, AnchorsReuseARegex) {
  auto s = MustLoad(R"(- name: first
  target: t
  steps:
    - connect: c
    - expect: {line: {regex: &relay '^<(guest\d+)> (.*)$'}, capture: [who, what]}
- name: second
  target: t
  steps:
    - connect: c
    - expect: {line: {regex: *relay}}
)");
  ASSERT_EQ(s.size(), 2u);
  const TextMatch& reused = Action<ExpectStep>(s[1], 1).lines[0];
  EXPECT_EQ(reused.kind, TextMatch::Kind::kRegex);
  EXPECT_EQ(reused.groups, 2);
  EXPECT_EQ(reused.pattern.source(), "^<(guest\\d+)> (.*)$");
}

INSTANTIATE_TEST_SUITE_P(
    NewForms, LoaderErrors,
    testing::Values(
        ErrorCase{
            "name: x\ntarget: t\nsteps:\n  - connect: a\n  - pause: a\n  - expect: {line: x}\n",
            "s.yaml:6:13: connection 'a' is paused (line 5): nothing more arrives on it; add '- "
            "resume: a' before expecting on it"},
        ErrorCase{"name: x\ntarget: t\nsteps:\n  - connect: a\n  - pause: a\n  - pause: a\n",
                  "s.yaml:6:12: connection 'a' is already paused (since line 5)"},
        ErrorCase{"name: x\ntarget: t\nsteps:\n  - connect: a\n  - resume: a\n",
                  "s.yaml:5:13: connection 'a' is not paused; 'resume' follows a 'pause'"},
        ErrorCase{"name: x\ntarget: t\nsteps:\n  - connect: a\n  - pause: {on: a, for: 1s}\n",
                  "s.yaml:5:20: unknown key 'for' in 'pause' (did you mean 'on'?)"},
        ErrorCase{"name: x\ntarget: t\nsteps:\n  - connect: {name: a, recv_buffer: 10}\n",
                  "s.yaml:4:37: 'recv_buffer' must be between 1024 and 67108864"},
        ErrorCase{"name: x\ntarget: t\nsteps:\n  - connect: {name: a, recv_buffer: 4k}\n",
                  "s.yaml:4:37: 'recv_buffer' must be a whole number"},
        ErrorCase{"name: x\ntarget: t\nsteps:\n  - connect: a\n  - expect: {datagram: x}\n",
                  "s.yaml:5:24: 'datagram' needs a UDP connection (TCP bytes have no datagram "
                  "boundaries)"},
        ErrorCase{"name: x\ntarget: t\nsteps:\n  - connect: a\n  - expect: {http: {count: 0}}\n",
                  "s.yaml:5:28: 'count' must be between 1 and 100000"},
        ErrorCase{
            "name: x\ntarget: t\nsteps:\n  - connect: a\n  - expect: {http: {count: 2, "
            "reason: {regex: '(.*)'}}, capture: r}\n",
            "s.yaml:5:66: 'capture' takes the groups of one response; this checks 2 ('count')"},
        ErrorCase{"name: x\ntarget: t\nsteps:\n  - connect: a\n  - send: {text: \"caf\\xe9\"}\n",
                  "s.yaml:5:22: \"\\xe9\" in double quotes is YAML's escape for the character "
                  "U+00E9 (the two bytes c3 a9 in UTF-8), not the byte 0xe9: for the byte, use "
                  "single quotes ('...\\xe9...'); for the character, write \\u00E9"},
        ErrorCase{
            "name: x\ntarget: t\nsteps:\n  - connect: a\n  - send: {text: &t \"ok\\\\\\x80\"}\n",
            "s.yaml:5:26: \"\\x80\" in double quotes is YAML's escape for the character U+0080 "
            "(the two bytes c2 80 in UTF-8), not the byte 0x80: for the byte, use single quotes "
            "('...\\x80...'); for the character, write \\u0080"},
        ErrorCase{
            "name: x\ntarget: t\nsteps:\n  - connect: a\n  - expect:\n      line: \"a\n        "
            "b \\xFF\"\n",
            "s.yaml:7:11: \"\\xff\" in double quotes is YAML's escape for the character U+00FF "
            "(the two bytes c3 bf in UTF-8), not the byte 0xff: for the byte, use single quotes "
            "('...\\xff...'); for the character, write \\u00FF"}));

TEST(Loader, MissingPayloadFileIsAnErrorWhenChecked) {
  LoadResult r = LoadScenarios(
      "name: x\ntarget: t\nsteps:\n  - connect: a\n  - send: {file: nope.bin}\n", "dir/s.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error->ToString(),
            "dir/s.yaml:5:18: file 'nope.bin' not found (looked for dir/nope.bin)");
}

TEST(Loader, ReadsFilesAndReportsMissingOnes) {
  auto dir =
      std::filesystem::temp_directory_path() / ("parley-loader-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  {
    std::ofstream(dir / "s.yaml")
        << "name: from a file\ntarget: t\nsteps:\n  - connect: a\n  - send: {file: p.bin}\n";
    std::ofstream(dir / "p.bin") << "payload";
  }
  LoadResult r = LoadScenarioFile((dir / "s.yaml").string());
  EXPECT_TRUE(r.ok()) << r.error->ToString();
  LoadResult missing = LoadScenarioFile((dir / "missing.yaml").string());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error->message, "cannot read the file");
  EXPECT_EQ(missing.error->line, 0);
  std::filesystem::remove_all(dir);
}

TEST(Loader, HostileInputIsAnErrorNotACrash) {
  std::string deep = "name: x\nsteps: " + std::string(5000, '[') + "\n";
  EXPECT_NE(ErrorOf(deep).find("nested deeper than 64 levels"), std::string::npos);
  std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  char prev = 'a';
  for (char c = 'b'; c <= 'j'; ++c) {
    bomb += std::string(1, c) + ": &" + c + " [*" + prev + ", *" + prev + ", *" + prev + ", *" +
            prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + "]\n";
    prev = c;
  }
  EXPECT_NE(ErrorOf(bomb).find("nodes (after expanding aliases)"), std::string::npos);
  EXPECT_NE(ErrorOf("name: x\nsteps: [{sleep: 1ms}\n").find("s.yaml:"), std::string::npos);
  // Bytes that are not UTF-8 are kept as they are (reports escape them).
  LoadResult odd = LoadScenarios("name: \xff\xfe\nsteps: [{sleep: 1ms}]\n", "s.yaml");
  ASSERT_TRUE(odd.ok());
  EXPECT_EQ(odd.scenarios[0].name, "\xff\xfe");
}

INSTANTIATE_TEST_SUITE_P(
    Tls, LoaderErrors,
    testing::Values(
        ErrorCase{"name: x\ntarget: t\nsteps:\n  - connect: {name: u, protocol: udp, tls: true}\n",
                  "s.yaml:4:44: 'tls' needs a TCP connection (DTLS is not supported)"},
        ErrorCase{"name: x\ntarget: t\nsteps:\n  - connect: {name: c, tls: {cert: a.pem}}\n",
                  "s.yaml:4:29: 'cert' needs its 'key'"},
        ErrorCase{
            "name: x\ntarget: t\nsteps:\n  - connect: {name: c, tls: {min_version: '1.4'}}\n",
            "s.yaml:4:43: 'min_version' must be \"1.2\" or \"1.3\" (or \"1.0\", \"1.1\"), quoted"},
        ErrorCase{"name: x\ntarget: t\nsteps:\n  - connect: {name: c, tls: {min_version: '1.3', "
                  "max_version: '1.2'}}\n",
                  "s.yaml:4:63: 'max_version' is below 'min_version'"},
        ErrorCase{"name: x\ntarget: t\nsteps:\n  - connect: {name: c, tls: {verfy: false}}\n",
                  "s.yaml:4:30: unknown key 'verfy' in 'tls' (did you mean 'verify'?)"},
        ErrorCase{"name: x\ntarget: t\nsteps:\n  - connect: {name: c, tls: false, "
                  "expect_failure: x}\n",
                  "s.yaml:4:52: 'expect_failure' is about a TLS handshake; this connection has no "
                  "TLS"},
        ErrorCase{"name: x\ntarget: t\nsteps:\n  - connect: c\n  - expect: {tls: {}}\n",
                  "s.yaml:5:19: 'tls' needs something to check: version, alpn, cipher or peer"},
        ErrorCase{"name: x\ntarget: t\nsteps:\n  - connect: c\n  - expect: {tls: {peer: {san: "
                  "localhost}}}\n",
                  "s.yaml:5:32: a subject alternative name is written DNS:name or IP:address"},
        ErrorCase{"name: x\ntarget: t\nsteps:\n  - connect: {name: u, protocol: udp}\n  - "
                  "starttls: u\n",
                  "s.yaml:5:15: 'starttls' needs a TCP connection"},
        ErrorCase{"name: x\ntarget: t\nsteps:\n  - connect: c\n  - starttls: {on: c, tls: "
                  "{alpn: []}}\n",
                  "s.yaml:5:35: 'alpn' lists the protocols to offer, e.g. [h2, http/1.1]"}));

TEST(Loader, TlsOptionsAndSteps) {
  LoadResult r = LoadScenarios(R"(name: tls
target: t
steps:
  - connect: {name: c, tls: {sni: example.com, alpn: [h2, http/1.1], verify: false, ca: ca.pem,
                             cert: c.pem, key: c.key, min_version: "1.2", max_version: "1.3",
                             ciphers: ECDHE-RSA-AES128-GCM-SHA256, ciphersuites: TLS_AES_128_GCM_SHA256},
               expect_failure: {contains: expired}}
  - connect: {name: p, tls: false}
  - starttls: {on: p, tls: {sni: false}}
  - expect: {on: c, tls: {version: "1.3", alpn: http/1.1, peer: {san: [DNS:example.com]}}}
)",
                               "dir/s.yaml");
  ASSERT_TRUE(r.ok()) << r.error->ToString();
  const Scenario& sc = r.scenarios[0];
  const auto& c = std::get<ConnectStep>(sc.steps[0].action);
  ASSERT_TRUE(c.tls);
  EXPECT_EQ(c.tls->sni->source(), "example.com");
  EXPECT_EQ(c.tls->alpn, (std::vector<std::string>{"h2", "http/1.1"}));
  EXPECT_FALSE(c.tls->verify);
  EXPECT_EQ(c.tls->ca->source(), "ca.pem");
  EXPECT_EQ(c.tls->dir, "dir");
  EXPECT_EQ(c.tls->max_version, "1.3");
  EXPECT_EQ(c.tls->ciphersuites, "TLS_AES_128_GCM_SHA256");
  ASSERT_TRUE(c.expect_failure);
  const auto& p = std::get<ConnectStep>(sc.steps[1].action);
  EXPECT_TRUE(p.plain);
  EXPECT_FALSE(p.tls);
  const auto& s = std::get<StartTlsStep>(sc.steps[2].action);
  EXPECT_EQ(s.on, "p");
  EXPECT_TRUE(s.tls.no_sni);
  const auto& e = std::get<ExpectStep>(sc.steps[3].action);
  EXPECT_EQ(e.kind, ExpectStep::Kind::kTls);
  EXPECT_EQ(e.tls.version, "1.3");
  EXPECT_EQ(e.tls.san, (std::vector<std::string>{"DNS:example.com"}));
}

TEST(SignalNumber, AcceptsNamesWithAndWithoutPrefix) {
  EXPECT_EQ(SignalNumber("TERM"), SIGTERM);
  EXPECT_EQ(SignalNumber("sigint"), SIGINT);
  EXPECT_EQ(SignalNumber("SIGKILL"), SIGKILL);
  EXPECT_EQ(SignalNumber("nope"), 0);
}

}  // namespace
}  // namespace parley::harness

namespace parley::harness {
namespace {

TEST(Loader, LineEndingIsAppendedToTextSends) {
  auto s = MustLoad(R"(name: irc
target: t
steps:
  - connect: {name: c, line_ending: crlf}
  - send: {on: c, text: "NICK alice"}
  - send: {on: c, text: "USER", line_ending: lf}
  - send: {on: c, text: "partial", line_ending: none}
  - send: {on: c, hex: "41"}
  - connect: {name: d}
  - send: {on: d, text: "raw\n"}
)");
  ASSERT_EQ(s.size(), 1u);
  auto bytes = [&](std::size_t i) {
    std::string out, error;
    EXPECT_TRUE(RenderPayload(Action<SendStep>(s[0], i).payload, Variables(), &out, &error));
    return out;
  };
  EXPECT_EQ(Action<ConnectStep>(s[0], 0).line_ending, "\r\n");
  EXPECT_EQ(bytes(1), "NICK alice\r\n");
  EXPECT_EQ(bytes(2), "USER\n");
  EXPECT_EQ(bytes(3), "partial");
  EXPECT_EQ(bytes(4), "A");
  EXPECT_EQ(bytes(6), "raw\n");
}

TEST(Loader, MatchOptionsLoad) {
  auto s = MustLoad(R"(name: chatty
target: t
steps:
  - connect: c
  - expect: {on: c, line: {regex: ' 001 '}, skip: 50}
  - expect: {on: c, line: {any_of: [{regex: ' 376 '}, {regex: ' 422 '}]}, skip: true}
  - expect: {on: c, line: {exact: pong, ignore_case: true}}
  - expect: {on: c, contains: {regex: 'id=(\d+)'}, capture: id}
  - send: {on: c, text: "${id} ${unique} ${repeat} ${random.hex8}"}
)");
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(Action<ExpectStep>(s[0], 1).skip, 50u);
  const ExpectStep& alternatives = Action<ExpectStep>(s[0], 2);
  EXPECT_EQ(alternatives.skip, 1000u);
  ASSERT_EQ(alternatives.lines.size(), 1u);
  EXPECT_EQ(alternatives.lines[0].kind, TextMatch::Kind::kAnyOf);
  EXPECT_EQ(alternatives.lines[0].any_of.size(), 2u);
  EXPECT_TRUE(Action<ExpectStep>(s[0], 3).lines[0].ignore_case);
  EXPECT_EQ(Action<ExpectStep>(s[0], 4).capture, std::vector<std::string>{"id"});
}

INSTANTIATE_TEST_SUITE_P(
    ChattyProtocols, LoaderErrors,
    testing::Values(
        ErrorCase{"name: x\ntarget: t\nsteps:\n  - connect: c\n  - expect: {lines: [a], skip: 3}\n",
                  "s.yaml:5:32: 'skip' belongs with 'line': it drops other lines until one "
                  "matches"},
        ErrorCase{"name: x\ntarget: t\nsteps:\n  - connect: c\n  - expect: {line: a, skip: 0}\n",
                  "s.yaml:5:29: 'skip' must be between 1 and 1000000"},
        ErrorCase{
            "name: x\ntarget: t\nsteps:\n  - connect: c\n  - expect: {line: a, skip: false}\n",
            "s.yaml:5:29: 'skip: false' skips nothing; remove it"},
        ErrorCase{"name: x\ntarget: t\nsteps:\n  - connect: c\n"
                  "  - expect: {line: {any_of: [a]}}\n",
                  "s.yaml:5:29: 'any_of' must list at least two alternatives"},
        ErrorCase{"name: x\ntarget: t\nsteps:\n  - connect: c\n"
                  "  - expect: {line: {any_of: [{regex: '(a)'}, b]}, capture: v}\n",
                  "s.yaml:5:46: every alternative of 'any_of' needs as many regex groups "
                  "(capture takes them by position): the first has 1, this one 0"},
        ErrorCase{"name: x\ntarget: t\nsteps:\n  - connect: c\n"
                  "  - expect: {line: {exact: a, regex: b}}\n",
                  "s.yaml:5:20: 'line' takes one of exact, contains, regex or any_of"},
        ErrorCase{"name: x\ntarget: t\nsteps:\n  - connect: c\n"
                  "  - expect: {line: {exact: a, ignore_case: yes}}\n",
                  "s.yaml:5:44: 'ignore_case' must be true or false"},
        ErrorCase{"name: x\ntarget: t\nsteps:\n  - connect: {name: c, line_ending: cr}\n",
                  "s.yaml:4:37: 'line_ending' must be crlf, lf or none"},
        ErrorCase{"name: x\ntarget: t\nsteps:\n  - connect: {name: c, line_ending: crlf}\n"
                  "  - send: {text: \"NICK a\\r\\n\"}\n",
                  "s.yaml:5:18: this text ends with a line end, and the connection's "
                  "line_ending adds \\r\\n (leave it out, or say line_ending: none on this send)"},
        ErrorCase{"name: x\ntarget: t\nsteps:\n  - connect: c\n"
                  "  - send: {hex: '41', line_ending: lf}\n",
                  "s.yaml:5:36: 'line_ending' ends a 'text'; this send has none"},
        ErrorCase{"name: x\ntarget: t\nsteps:\n  - connect: c\n"
                  "  - send: {text: '${random.hex99}'}\n",
                  "s.yaml:5:18: ${random.hex99} is not a random value: use ${random.hexN}, N from "
                  "1 to 64 (e.g. ${random.hex8})"}));

}  // namespace
}  // namespace parley::harness

namespace parley::harness {
namespace {

TEST(Loader, ReportsEveryErrorItCanFind) {
  LoadOptions options;
  options.check_files = false;
  LoadResult r = LoadScenarios(R"(- name: first
  target: t
  steps:
    - connect: c
    - send: {on: c, txt: a}
    - expect: {on: c, line: a, timeout: soon}
    - send: {on: c, text: fine}
    - expect: {on: c, lines: []}
- name: second
  target: t
  tags: ["bad tag"]
  steps: [{sleep: 1ms}]
- name: third
  target: t
  steps:
    - connect: {name: c, protcol: udp}
    - send: {on: c, text: "after a failed connect nothing more is checked"}
    - send: {on: nobody, text: x}
- name: fourth
  target: t
  steps:
    - connect: c
    - expect: {on: c, line: {regex: '(x'}}
)",
                               "s.yaml", options);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.scenarios.empty());
  std::vector<std::string> errors;
  for (const LoadError& e : r.errors)
    errors.push_back(e.ToString().substr(0, e.ToString().find(' ')));
  // Lines 17 and 18 come after a failed connect: they are not checked.
  EXPECT_EQ(errors, (std::vector<std::string>{"s.yaml:5:21:", "s.yaml:6:41:", "s.yaml:8:30:",
                                              "s.yaml:11:10:", "s.yaml:16:26:", "s.yaml:23:37:"}));
  EXPECT_NE(r.errors[1].message.find("'timeout'"), std::string::npos) << r.errors[1].message;
  EXPECT_NE(r.errors[5].message.find("bad regex"), std::string::npos) << r.errors[5].message;
  EXPECT_EQ(r.error->ToString(), r.errors[0].ToString());
}

TEST(Loader, StepsFilesAndOtherYamlAreToldApart) {
  const char steps[] = "params: [c]\nsteps:\n  - send: {on: '${c}', text: hi}\n";
  const char compose[] = "services:\n  web: {image: nginx}\n";
  LoadOptions discovered;
  discovered.discovered = true;
  LoadResult found_steps = LoadScenarios(steps, "login.yaml", discovered);
  EXPECT_TRUE(found_steps.ok());
  EXPECT_TRUE(found_steps.steps_file);
  LoadResult found_other = LoadScenarios(compose, "docker-compose.yml", discovered);
  EXPECT_TRUE(found_other.ok());
  EXPECT_EQ(found_other.skipped, "not a scenario file: no mapping with 'name' and 'steps' in it");
  LoadResult named_steps = LoadScenarios(steps, "login.yaml");
  ASSERT_FALSE(named_steps.ok());
  EXPECT_EQ(named_steps.error->ToString(),
            "login.yaml: a steps file holds no scenario to play: include it from a scenario "
            "('- include: FILE')");
  LoadResult named_other = LoadScenarios(compose, "docker-compose.yml");
  ASSERT_FALSE(named_other.ok());
  EXPECT_EQ(named_other.error->ToString(),
            "docker-compose.yml:1:1: unknown key 'services' in a scenario (expected one of: name, "
            "description, tags, skip, target, timeout, vars, steps)");
  // A broken scenario file found in a folder is still an error, not skipped.
  LoadResult broken = LoadScenarios("name: x\nsteps: [{slep: 1ms}]\n", "s.yaml", discovered);
  EXPECT_FALSE(broken.ok());
}

TEST(Loader, EnvironmentVariablesMustBeSetOrHaveADefault) {
  ::unsetenv("PARLEY_TEST_UNSET");
  ::setenv("PARLEY_TEST_SET", "from-env", 1);
  EXPECT_EQ(
      ErrorOf("name: x\ntarget: t\nsteps:\n  - connect: c\n"
              "  - send: {text: '${env.PARLEY_TEST_UNSET}'}\n"),
      "s.yaml:5:18: environment variable PARLEY_TEST_UNSET is not set (used as "
      "${env.PARLEY_TEST_UNSET}; set it, or give a default: ${env.PARLEY_TEST_UNSET:-VALUE})");
  auto s = MustLoad(
      "name: x\ntarget: t\nsteps:\n  - connect: c\n"
      "  - send: {text: '${env.PARLEY_TEST_UNSET:-8080} ${env.PARLEY_TEST_SET:-x} "
      "${env.PARLEY_TEST_UNSET:-}.'}\n");
  ASSERT_EQ(s.size(), 1u);
  std::string out, error;
  ASSERT_TRUE(RenderPayload(Action<SendStep>(s[0], 1).payload, Variables(), &out, &error));
  EXPECT_EQ(out, "8080 from-env .");
  ::unsetenv("PARLEY_TEST_SET");
}

}  // namespace
}  // namespace parley::harness
