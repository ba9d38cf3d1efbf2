#include "harness/play/matcher.h"

#include <gtest/gtest.h>

#include <vector>

#include "harness/scenario/loader.h"

namespace parley::harness {
namespace {

// Loads "expect: {on: c, <spec>}" and returns the expectation.
ExpectStep Expect(const std::string& spec) {
  LoadOptions options;
  options.check_files = false;
  std::string text =
      "name: m\ntarget: t\nvars: {nick: bob}\nsteps:\n  - connect: c\n  - expect: {" + spec + "}\n";
  LoadResult r = LoadScenarios(text, "m.yaml", options);
  EXPECT_TRUE(r.ok()) << (r.error ? r.error->ToString() : "");
  if (!r.ok()) return ExpectStep();
  return std::get<ExpectStep>(r.scenarios[0].steps[1].action);
}

Inbox In(std::string_view bytes, Inbox::End end = Inbox::End::kOpen) {
  Inbox in;
  in.bytes = bytes;
  in.end = end;
  return in;
}

Variables Vars() {
  Variables v;
  v.Set("nick", "bob");
  return v;
}

TEST(CheckStream, ExactLineWaitsThenPassesAndConsumesItsEnd) {
  ExpectStep e = Expect("line: '* welcome ${nick}'");
  EXPECT_EQ(CheckStream(e, In("* welcome b"), Vars()).kind, Verdict::Kind::kWait);
  Verdict v = CheckStream(e, In("* welcome bob\r\nnext"), Vars());
  EXPECT_EQ(v.kind, Verdict::Kind::kPass);
  EXPECT_EQ(v.consumed, 15u);
}

TEST(CheckStream, WrongLineFailsWithAMarkedDiff) {
  ExpectStep e = Expect("line: 'hola'");
  Verdict v = CheckStream(e, In("hello\n"), Vars());
  ASSERT_EQ(v.kind, Verdict::Kind::kFail);
  EXPECT_EQ(v.message,
            "the line differs:\n"
            "expected: \"hola\"\n"
            "  actual: \"hello\"\n"
            "            ^ byte 1");
}

TEST(CheckStream, RegexCapturesAndContains) {
  ExpectStep e = Expect("line: {regex: '^\\* welcome (guest\\d+)$'}, capture: n");
  Verdict v = CheckStream(e, In("* welcome guest7\n"), Vars());
  ASSERT_EQ(v.kind, Verdict::Kind::kPass);
  EXPECT_EQ(v.captures, std::vector<std::string>{"guest7"});
  Verdict miss = CheckStream(e, In("* welcome guestX\n"), Vars());
  ASSERT_EQ(miss.kind, Verdict::Kind::kFail);
  EXPECT_EQ(miss.message,
            "the line differs:\nexpected: matching /^\\\\* welcome (guest\\\\d+)$/\n  actual: \"* "
            "welcome guestX\"");
  EXPECT_EQ(CheckStream(Expect("line: {contains: come}"), In("welcome\n"), Vars()).kind,
            Verdict::Kind::kPass);
}

TEST(CheckStream, RegexValuesAreQuoted) {
  Variables vars;
  vars.Set("nick", "a.b");
  ExpectStep e = Expect("line: {regex: '^<${nick}>$'}");
  EXPECT_EQ(CheckStream(e, In("<a.b>\n"), vars).kind, Verdict::Kind::kPass);
  EXPECT_EQ(CheckStream(e, In("<axb>\n"), vars).kind, Verdict::Kind::kFail);
}

TEST(CheckStream, LinesInOrderFailAtTheFirstMismatch) {
  ExpectStep e = Expect("lines: [a, b, c]");
  EXPECT_EQ(CheckStream(e, In("a\nb\n"), Vars()).kind, Verdict::Kind::kWait);
  Verdict v = CheckStream(e, In("a\nx\n"), Vars());
  ASSERT_EQ(v.kind, Verdict::Kind::kFail);
  EXPECT_EQ(v.message.substr(0, 20), "line 2 of 3 differs:");
  Verdict pass = CheckStream(e, In("a\nb\nc\nd\n"), Vars());
  EXPECT_EQ(pass.kind, Verdict::Kind::kPass);
  EXPECT_EQ(pass.consumed, 6u);
}

TEST(CheckStream, LinesInAnyOrderPairUpEvenWhenPatternsOverlap) {
  // Greedy pairing would give "ab" to the first pattern and strand "a".
  ExpectStep e = Expect("lines: [{contains: a}, ab], any_order: true");
  EXPECT_EQ(CheckStream(e, In("ab\na\n"), Vars()).kind, Verdict::Kind::kPass);
  ExpectStep captures =
      Expect("lines: [{regex: 'x(.)'}, {regex: 'y(.)'}], any_order: true, capture: [x, y]");
  Verdict v = CheckStream(captures, In("y2\nx1\n"), Vars());
  ASSERT_EQ(v.kind, Verdict::Kind::kPass);
  EXPECT_EQ(v.captures, (std::vector<std::string>{"1", "2"}));
  Verdict stray = CheckStream(e, In("zzz\n"), Vars());
  ASSERT_EQ(stray.kind, Verdict::Kind::kFail);
  EXPECT_EQ(
      stray.message,
      "line \"zzz\" matches none of the expected lines:\n  - containing \"a\"\n  - exactly \"ab\"");
  Verdict unpaired = CheckStream(e, In("a\na\n"), Vars());
  ASSERT_EQ(unpaired.kind, Verdict::Kind::kFail);
  EXPECT_NE(unpaired.message.find("do not pair up"), std::string::npos);
}

TEST(CheckStream, DatagramEndsEndLines) {
  ExpectStep e = Expect("lines: [one, two]");
  std::vector<std::size_t> ends = {3, 7};
  Inbox in = In("onetwo\n");
  in.datagram_ends = &ends;
  Verdict v = CheckStream(e, in, Vars());
  EXPECT_EQ(v.kind, Verdict::Kind::kPass);
  EXPECT_EQ(v.consumed, 7u);
}

TEST(CheckStream, ClosedBeforeTheLineIsAFailureNamingTheRest) {
  ExpectStep e = Expect("line: hola");
  Verdict v = CheckStream(e, In("ho", Inbox::End::kClosed), Vars());
  ASSERT_EQ(v.kind, Verdict::Kind::kFail);
  EXPECT_EQ(
      v.message.substr(0, 88),
      "the peer closed the connection after 0 of 1 expected line; an unfinished line arrived: "
      "\"");
}

TEST(CheckStream, BytesCompareExactlyAndFailEarly) {
  ExpectStep e = Expect("bytes: 'HTTP/1.1 200 OK\\r\\n'");
  EXPECT_EQ(CheckStream(e, In("HTTP/1.1 2"), Vars()).kind, Verdict::Kind::kWait);
  Verdict early = CheckStream(e, In("HTTP/1.1 4"), Vars());
  ASSERT_EQ(early.kind, Verdict::Kind::kFail);
  EXPECT_EQ(early.message,
            "the bytes differ:\n"
            "expected: \"HTTP/1.1 200 OK\\r\\n\"\n"
            "  actual: \"HTTP/1.1 4\"\n"
            "                    ^ byte 9");
  Verdict pass = CheckStream(e, In("HTTP/1.1 200 OK\r\nDate"), Vars());
  EXPECT_EQ(pass.kind, Verdict::Kind::kPass);
  EXPECT_EQ(pass.consumed, 17u);
  ExpectStep nul = Expect("bytes: {hex: '00 0d'}");
  EXPECT_EQ(CheckStream(nul, In(std::string_view("\0\r", 2)), Vars()).kind, Verdict::Kind::kPass);
}

TEST(CheckStream, ContainsConsumesThroughTheMatch) {
  ExpectStep e = Expect("contains: needle");
  EXPECT_EQ(CheckStream(e, In("hay need"), Vars()).kind, Verdict::Kind::kWait);
  Verdict v = CheckStream(e, In("hay needle stack"), Vars());
  EXPECT_EQ(v.kind, Verdict::Kind::kPass);
  EXPECT_EQ(v.consumed, 10u);
  EXPECT_EQ(CheckStream(e, In("hay", Inbox::End::kReset), Vars()).message,
            "the connection was reset before \"needle\" arrived; received \"hay\"");
}

TEST(CheckStream, SilenceFailsOnAnyByteOrEnd) {
  ExpectStep e = Expect("silence: 200ms");
  EXPECT_EQ(CheckStream(e, In(""), Vars()).kind, Verdict::Kind::kWait);
  EXPECT_EQ(CheckStream(e, In("x\0", Inbox::End::kOpen), Vars()).message,
            "expected silence for 200ms, but received \"x\"");
  EXPECT_EQ(CheckStream(e, In("", Inbox::End::kClosed), Vars()).message,
            "expected silence for 200ms, but the peer closed the connection");
}

TEST(CheckStream, ClosedAndResetAreDistinct) {
  ExpectStep closed = Expect("closed: true");
  ExpectStep reset = Expect("reset: true");
  EXPECT_EQ(CheckStream(closed, In(""), Vars()).kind, Verdict::Kind::kWait);
  EXPECT_EQ(CheckStream(closed, In("", Inbox::End::kClosed), Vars()).kind, Verdict::Kind::kPass);
  EXPECT_EQ(CheckStream(closed, In("", Inbox::End::kReset), Vars()).message,
            "expected a clean close (FIN), but the connection was reset (RST)");
  EXPECT_EQ(CheckStream(reset, In("", Inbox::End::kReset), Vars()).kind, Verdict::Kind::kPass);
  EXPECT_EQ(CheckStream(reset, In("", Inbox::End::kClosed), Vars()).message,
            "expected a reset (RST), but the peer closed cleanly (FIN)");
  EXPECT_EQ(CheckStream(closed, In("more\r\n", Inbox::End::kClosed), Vars()).message,
            "expected the peer to close the connection, but 6 unread bytes arrived first: "
            "\"more\\r\\n\"");
  Inbox cut = In("", Inbox::End::kCutOff);
  cut.end_detail = "64 MiB";
  EXPECT_EQ(CheckStream(closed, cut, Vars()).message,
            "expected the peer to close the connection, but the peer sent more than 64 MiB and was "
            "cut off");
}

TEST(DescribeTimeout, SaysWhatArrived) {
  EXPECT_EQ(DescribeTimeout(Expect("line: hola"), In(""), Vars(), Duration(2000)),
            "nothing arrived within 2s (expected a line exactly \"hola\")");
  EXPECT_EQ(DescribeTimeout(Expect("line: hola"), In("ho\0"), Vars(), Duration(2000)),
            "no complete line arrived within 2s; the bytes so far, against the expected line:\n"
            "expected: \"hola\"\n"
            "  actual: \"ho\"\n"
            "             ^ byte 2 (end of actual)");
  EXPECT_EQ(DescribeTimeout(Expect("lines: [a, b]"), In("a\nb"), Vars(), Duration(500)),
            "only 1 of 2 expected lines arrived within 500ms\nan unfinished line arrived: \"b\"");
  EXPECT_EQ(DescribeTimeout(Expect("closed: true"), In(""), Vars(), Duration(1000)),
            "the connection was still open after 1s (expected the peer to close it)");
  EXPECT_EQ(DescribeTimeout(Expect("contains: x"), In("abc"), Vars(), Duration(1000)),
            "\"x\" did not arrive within 1s; received \"abc\"");
}

HttpResponse Response(int status, std::string reason,
                      std::vector<std::pair<std::string, std::string>> headers, std::string body) {
  HttpResponse r;
  r.status = status;
  r.reason = std::move(reason);
  r.headers = std::move(headers);
  r.body = std::move(body);
  r.raw = "HTTP/1.1 " + std::to_string(status) + " " + r.reason + "\r\n\r\n" + r.body;
  return r;
}

TEST(CheckResponse, PassesAndCaptures) {
  ExpectStep e = Expect(
      "http: {status: [200, 204], reason: OK, headers: {content-type: {regex: '^text/(\\w+)'}, "
      "X-Gone: {absent: true}}, body: {contains: Hola, length: 19}, responses: 2}, capture: kind");
  HttpResponse r =
      Response(200, "OK", {{"Content-Type", "text/html; charset=utf-8"}}, "<h1>Hola Mundo</h1>");
  Verdict v = CheckResponse(e.http, r, 2, 0, Vars());
  ASSERT_EQ(v.kind, Verdict::Kind::kPass) << v.message;
  EXPECT_EQ(v.captures, std::vector<std::string>{"html"});
}

TEST(CheckResponse, ListsEveryMismatch) {
  ExpectStep e = Expect(
      "http: {status: 200, reason: OK, headers: {Server: {present: true}, Connection: close, X: "
      "{absent: true}}, body: 'ok', responses: 1}");
  HttpResponse r = Response(404, "Not Found", {{"Connection", "keep-alive"}, {"X", "1"}}, "nope");
  Verdict v = CheckResponse(e.http, r, 2, 0, Vars());
  ASSERT_EQ(v.kind, Verdict::Kind::kFail);
  EXPECT_EQ(v.message,
            "the response does not match:\n"
            "  - status is 404 (expected 200)\n"
            "  - reason is \"Not Found\" (expected exactly \"OK\")\n"
            "  - header Server is missing\n"
            "  - header Connection is \"keep-alive\" (expected exactly \"close\")\n"
            "  - header X is present (\"1\") but should be absent\n"
            "  - body differs:\n"
            "    expected: \"ok\"\n"
            "      actual: \"nope\"\n"
            "               ^ byte 0\n"
            "  - this is response 2 on the connection (expected response 1)\n"
            "response head: \"HTTP/1.1 404 Not Found\\r\\n\\r\\n\"");
}

TEST(NextLine, StripsOneCarriageReturn) {
  std::string_view line;
  std::size_t next = 0;
  ASSERT_TRUE(NextLine(In("a\r\r\nb"), 0, &line, &next));
  EXPECT_EQ(line, "a\r");
  EXPECT_EQ(next, 4u);
  EXPECT_FALSE(NextLine(In("a\r\r\nb"), next, &line, &next));
}

}  // namespace
}  // namespace parley::harness
