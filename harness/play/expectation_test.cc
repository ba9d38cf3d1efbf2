#include "harness/play/expectation.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <vector>

#include "harness/play/test_steps.h"

namespace parley::harness {
namespace {

ExpectStep Expect(const std::string& spec, bool udp = false) {
  return LoadExpectStep(spec, udp);
}

Variables Vars() {
  Variables v;
  v.Set("nick", "bob");
  return v;
}

// One expectation judged against an inbox the test fills.
class Judging {
 public:
  explicit Judging(const std::string& spec, bool udp = false, const Variables& vars = Vars())
      : step_(Expect(spec, udp)), inbox_(udp) {
    expectation_ = BindExpectation(step_, vars, &error_);
    EXPECT_TRUE(expectation_) << error_;
  }

  // Adds bytes (a datagram on UDP) and judges.
  Verdict Add(std::string_view bytes) {
    inbox_.Append(bytes);
    return expectation_->Judge(inbox_, http_);
  }
  // Adds bytes without judging.
  void Arrive(std::string_view bytes) { inbox_.Append(bytes); }
  // Ends the inbox and judges.
  Verdict End(Inbox::End end, std::string detail = "") {
    inbox_.Finish(end, std::move(detail));
    return expectation_->Judge(inbox_, http_);
  }
  std::string Timeout(Duration waited) const {
    return expectation_->DescribeTimeout(inbox_, http_, waited);
  }
  const Inbox& inbox() const { return inbox_; }

 private:
  ExpectStep step_;
  std::string error_;
  std::unique_ptr<Expectation> expectation_;
  Inbox inbox_;
  HttpExchange http_;
};

// Judges `bytes` arriving at once, then (if still waiting) the end `end`.
Verdict Whole(const std::string& spec, std::string_view bytes, Inbox::End end = Inbox::End::kOpen) {
  Judging j(spec);
  Verdict v = j.Add(bytes);
  if (v.kind == Verdict::Kind::kWait && end != Inbox::End::kOpen) v = j.End(end);
  return v;
}

// What is left in the inbox once `bytes` arrived at once.
std::string LeftAfter(const std::string& spec, std::string_view bytes) {
  Judging j(spec);
  j.Add(bytes);
  return std::string(j.inbox().bytes());
}

TEST(LineExpectation, ExactLineWaitsThenPassesAndConsumesItsEnd) {
  Judging j("line: '* welcome ${nick}'");
  EXPECT_EQ(j.Add("* welcome b").kind, Verdict::Kind::kWait);
  EXPECT_EQ(j.Add("ob\r\nnext").kind, Verdict::Kind::kPass);
  EXPECT_EQ(j.inbox().bytes(), "next");
}

TEST(LineExpectation, WrongLineFailsWithAMarkedDiff) {
  Verdict v = Whole("line: 'hola'", "hello\n");
  ASSERT_EQ(v.kind, Verdict::Kind::kFail);
  EXPECT_EQ(v.message,
            "the line differs:\n"
            "expected: \"hola\"\n"
            "  actual: \"hello\"\n"
            "            ^ byte 1");
}

TEST(LineExpectation, RegexCapturesAndContains) {
  const std::string spec = "line: {regex: '^\\* welcome (guest\\d+)$'}, capture: n";
  Verdict v = Whole(spec, "* welcome guest7\n");
  ASSERT_EQ(v.kind, Verdict::Kind::kPass);
  EXPECT_EQ(v.captures, std::vector<std::string>{"guest7"});
  Verdict miss = Whole(spec, "* welcome guestX\n");
  ASSERT_EQ(miss.kind, Verdict::Kind::kFail);
  EXPECT_EQ(miss.message,
            "the line differs:\nexpected: matching /^\\* welcome (guest\\d+)$/\n  actual: \"* "
            "welcome guestX\"");
  EXPECT_EQ(Whole("line: {contains: come}", "welcome\n").kind, Verdict::Kind::kPass);
}

TEST(LineExpectation, IgnoreCaseAppliesToExactContainsAndRegex) {
  EXPECT_EQ(Whole("line: {exact: 'PONG :x', ignore_case: true}", "pong :X\n").kind,
            Verdict::Kind::kPass);
  EXPECT_EQ(Whole("line: {exact: 'PONG :x'}", "pong :x\n").kind, Verdict::Kind::kFail);
  EXPECT_EQ(Whole("line: {contains: 'welcome', ignore_case: true}", "* WELCOME guest1\n").kind,
            Verdict::Kind::kPass);
  EXPECT_EQ(Whole("line: {regex: '^hello (\\w+)$', ignore_case: true}", "HELLO Bob\n").kind,
            Verdict::Kind::kPass);
  Verdict miss = Whole("line: {exact: 'PONG', ignore_case: true}", "PING\n");
  ASSERT_EQ(miss.kind, Verdict::Kind::kFail);
  EXPECT_NE(miss.message.find("exactly \"PONG\" (ignoring case)"), std::string::npos)
      << miss.message;
}

TEST(LineExpectation, AnyOfPassesOnEitherAlternativeAndCapturesItsGroups) {
  const std::string spec =
      "line: {any_of: [{regex: '^:\\S+ (376) '}, {regex: '^:\\S+ (422) '}]}, capture: code";
  Verdict end_of_motd = Whole(spec, ":irc.local 376 a :End of MOTD\n");
  ASSERT_EQ(end_of_motd.kind, Verdict::Kind::kPass) << end_of_motd.message;
  EXPECT_EQ(end_of_motd.captures, std::vector<std::string>{"376"});
  Verdict no_motd = Whole(spec, ":irc.local 422 a :MOTD File is missing\n");
  ASSERT_EQ(no_motd.kind, Verdict::Kind::kPass);
  EXPECT_EQ(no_motd.captures, std::vector<std::string>{"422"});
  Verdict neither = Whole(spec, ":irc.local 375 a :- Message of the day\n");
  ASSERT_EQ(neither.kind, Verdict::Kind::kFail);
  EXPECT_NE(neither.message.find("one of: matching"), std::string::npos) << neither.message;
}

TEST(LineExpectation, SkipDropsOtherLinesUntilOneMatches) {
  Judging j("line: {regex: ' 001 '}, skip: 5");
  EXPECT_EQ(j.Add(":irc NOTICE * :*** Looking up your hostname\n").kind, Verdict::Kind::kWait);
  EXPECT_EQ(j.Add(":irc NOTICE * :*** Found your hostname\n:irc 001 alice :Welcome\nrest").kind,
            Verdict::Kind::kPass);
  EXPECT_EQ(j.inbox().bytes(), "rest");
}

TEST(LineExpectation, SkipHasABoundAndShowsTheSkippedLines) {
  Verdict v = Whole("line: 'wanted', skip: 2", "a\nb\nc\nwanted\n");
  ASSERT_EQ(v.kind, Verdict::Kind::kFail);
  EXPECT_EQ(v.message,
            "no line exactly \"wanted\" among 2 skipped lines and the next\n"
            "skipped 2 lines:\n  \"a\"\n  \"b\"\n  next: \"c\"");
  Judging waiting("line: 'wanted', skip: true");
  for (int i = 0; i < 12; ++i)
    waiting.Add("line " + std::to_string(i) + "\n");
  std::string timeout = waiting.Timeout(Duration(500));
  EXPECT_NE(timeout.find("no line exactly \"wanted\" arrived within 500ms"), std::string::npos)
      << timeout;
  EXPECT_NE(timeout.find("skipped 12 lines, the last 10:\n  \"line 2\""), std::string::npos)
      << timeout;
  Verdict closed = Whole("line: 'wanted', skip: 3", "x\n", Inbox::End::kClosed);
  ASSERT_EQ(closed.kind, Verdict::Kind::kFail);
  EXPECT_NE(closed.message.find("skipped 1 line:\n  \"x\""), std::string::npos) << closed.message;
}

TEST(ContainsExpectation, RegexMatchesAcrossReadsAndConsumesThroughTheMatch) {
  Judging j("contains: {regex: 'id=(\\d+);'}, capture: id");
  EXPECT_EQ(j.Add("header\r\nid=12").kind, Verdict::Kind::kWait);
  Verdict v = j.Add("34; tail");
  ASSERT_EQ(v.kind, Verdict::Kind::kPass);
  EXPECT_EQ(v.captures, std::vector<std::string>{"1234"});
  EXPECT_EQ(j.inbox().bytes(), " tail");
}

TEST(ContainsExpectation, TextInEitherCaseAndAnyOf) {
  EXPECT_EQ(Whole("contains: {text: 'hola mundo', ignore_case: true}", "<h1>Hola Mundo</h1>").kind,
            Verdict::Kind::kPass);
  EXPECT_EQ(LeftAfter("contains: {any_of: [{regex: 'b+'}, 'cc']}", "aaccbbb!"), "bbb!");
  Verdict closed = Whole("contains: {regex: 'never'}", "something else", Inbox::End::kClosed);
  ASSERT_EQ(closed.kind, Verdict::Kind::kFail);
  EXPECT_NE(closed.message.find("before text matching /never/ arrived; received"),
            std::string::npos)
      << closed.message;
  Judging waiting("contains: {regex: 'x{3}', ignore_case: true}");
  waiting.Add("xx");
  EXPECT_EQ(waiting.Timeout(Duration(1000)),
            "no text matching /x{3}/i arrived within 1s; received \"xx\"");
  EXPECT_EQ(waiting.Add("X").kind, Verdict::Kind::kPass);
}

TEST(LineExpectation, RegexValuesAreQuoted) {
  Variables vars;
  vars.Set("nick", "a.b");
  EXPECT_EQ(Judging("line: {regex: '^<${nick}>$'}", false, vars).Add("<a.b>\n").kind,
            Verdict::Kind::kPass);
  EXPECT_EQ(Judging("line: {regex: '^<${nick}>$'}", false, vars).Add("<axb>\n").kind,
            Verdict::Kind::kFail);
}

// Expected bytes with line ends: every differing line is shown, with its CR and LF.
TEST(BytesExpectation, ShowsEveryDifferingLine) {
  Verdict v = Whole(R"(bytes: "HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\n\r\n")",
                    "HTTP/1.1 200 OK\r\nA: 9\r\nB: 2\n\r\n");
  ASSERT_EQ(v.kind, Verdict::Kind::kFail);
  EXPECT_EQ(v.message,
            "the bytes differ:\n--- expected\n+++ actual\n@@ -1,4 +1,4 @@\n"
            " HTTP/1.1 200 OK\\r\\n\n"
            "-A: 1\\r\\n\n"
            "-B: 2\\r\\n\n"
            "+A: 9\\r\\n\n"
            "+B: 2\\n\n"
            " \\r\\n");
}

TEST(LineExpectation, LinesInOrderFailAtTheFirstMismatch) {
  EXPECT_EQ(Whole("lines: [a, b, c]", "a\nb\n").kind, Verdict::Kind::kWait);
  Verdict v = Whole("lines: [a, b, c]", "a\nx\n");
  ASSERT_EQ(v.kind, Verdict::Kind::kFail);
  EXPECT_EQ(v.message,
            "line 2 of 3 differs (2 lines arrived; line ends shown as \\n):\n--- expected\n+++ "
            "actual\n@@ -1,3 +1,2 @@\n a\\n\n-b\\n\n-c\\n\n+x\\n");
  EXPECT_EQ(Whole("lines: [a, b, c]", "a\nb\nc\nd\n").kind, Verdict::Kind::kPass);
  EXPECT_EQ(LeftAfter("lines: [a, b, c]", "a\nb\nc\nd\n"), "d\n");
}

TEST(LineExpectation, LinesInAnyOrderPairUpEvenWhenPatternsOverlap) {
  // Greedy pairing would give "ab" to the first pattern and strand "a".
  const std::string spec = "lines: [{contains: a}, ab], any_order: true";
  EXPECT_EQ(Whole(spec, "ab\na\n").kind, Verdict::Kind::kPass);
  Verdict v = Whole("lines: [{regex: 'x(.)'}, {regex: 'y(.)'}], any_order: true, capture: [x, y]",
                    "y2\nx1\n");
  ASSERT_EQ(v.kind, Verdict::Kind::kPass);
  EXPECT_EQ(v.captures, (std::vector<std::string>{"1", "2"}));
  Verdict stray = Whole(spec, "zzz\n");
  ASSERT_EQ(stray.kind, Verdict::Kind::kFail);
  EXPECT_EQ(
      stray.message,
      "line \"zzz\" matches none of the expected lines:\n  - containing \"a\"\n  - exactly \"ab\"");
  Verdict unpaired = Whole(spec, "a\na\n");
  ASSERT_EQ(unpaired.kind, Verdict::Kind::kFail);
  EXPECT_EQ(unpaired.message,
            "the lines arrived but do not pair up with the expected ones:\n"
            "  got \"a\"\n  got \"a\"\n"
            "  expected containing \"a\"\n  expected exactly \"ab\"");
}

TEST(LineExpectation, DatagramEndsEndLines) {
  Judging j("lines: [one, two]", true);
  EXPECT_EQ(j.Add("one").kind, Verdict::Kind::kWait);
  EXPECT_EQ(j.Add("two\n").kind, Verdict::Kind::kPass);
  EXPECT_TRUE(j.inbox().empty());
}

TEST(LineExpectation, ClosedBeforeTheLineIsAFailureNamingTheRest) {
  Verdict v = Whole("line: hola", "ho", Inbox::End::kClosed);
  ASSERT_EQ(v.kind, Verdict::Kind::kFail);
  EXPECT_EQ(v.message,
            "the peer closed the connection after 0 of 1 expected line; an unfinished line "
            "arrived: \"ho\"\n"
            "expected: \"hola\"\n"
            "  actual: \"ho\"\n"
            "             ^ byte 2 (end of actual)");
}

TEST(BytesExpectation, CompareExactlyAndFailEarly) {
  const std::string spec = "bytes: 'HTTP/1.1 200 OK\\r\\n'";
  EXPECT_EQ(Whole(spec, "HTTP/1.1 2").kind, Verdict::Kind::kWait);
  Verdict early = Whole(spec, "HTTP/1.1 4");
  ASSERT_EQ(early.kind, Verdict::Kind::kFail);
  EXPECT_EQ(early.message,
            "the bytes differ:\n"
            "expected: \"HTTP/1.1 200 OK\\r\\n\"\n"
            "  actual: \"HTTP/1.1 4\"\n"
            "                    ^ byte 9");
  EXPECT_EQ(Whole(spec, "HTTP/1.1 200 OK\r\nDate").kind, Verdict::Kind::kPass);
  EXPECT_EQ(LeftAfter(spec, "HTTP/1.1 200 OK\r\nDate"), "Date");
  EXPECT_EQ(Whole("bytes: {hex: '00 0d'}", std::string_view("\0\r", 2)).kind, Verdict::Kind::kPass);
  EXPECT_EQ(Whole(spec, "HTTP/1.1 200", Inbox::End::kClosed).message,
            "the peer closed the connection after 12 of 17 expected bytes:\n"
            "expected: \"HTTP/1.1 200 OK\\r\\n\"\n"
            "  actual: \"HTTP/1.1 200\"\n"
            "                       ^ byte 12 (end of actual)");
}

// A difference in bytes that arrived in an earlier piece is still found after later pieces.
TEST(BytesExpectation, ADifferenceIsFoundWhateverPieceItArrivesIn) {
  const std::string expected(100, 'a');
  for (std::size_t at = 0; at < 100; ++at) {
    std::string got = expected;
    got[at] = 'b';
    Judging j("bytes: {repeat: a, count: 100}");
    Verdict v = j.Add(std::string_view(got).substr(0, 37));
    if (v.kind == Verdict::Kind::kWait) v = j.Add(std::string_view(got).substr(37));
    ASSERT_EQ(v.kind, Verdict::Kind::kFail) << at;
  }
}

// A long compare consumes what it found equal as it goes, so the inbox holds about one read;
// a difference far in is still shown in context and named by its place in the stream.
TEST(BytesExpectation, ConsumesWhatMatchedAsItGoes) {
  const std::string unit = "abcdefgh";
  std::string stream;
  for (int i = 0; i < (1 << 17); ++i)
    stream += unit;
  stream[700001] = 'X';
  Judging j("bytes: {repeat: abcdefgh, count: 131072}");
  Verdict v;
  std::size_t at = 0;
  for (; at < stream.size() && v.kind == Verdict::Kind::kWait; at += 65536) {
    v = j.Add(std::string_view(stream).substr(at, 65536));
    ASSERT_LE(j.inbox().size(), 2u * 65536);
  }
  ASSERT_EQ(v.kind, Verdict::Kind::kFail);
  EXPECT_EQ(at, 720896u);  // found in the read that brought it
  EXPECT_NE(v.message.find("  actual: ...\"bcdefghabcdefgh"), std::string::npos) << v.message;
  EXPECT_NE(v.message.find("abcdefghaXcdefgh"), std::string::npos) << v.message;
  EXPECT_NE(v.message.find("^ byte 700001"), std::string::npos) << v.message;
  EXPECT_EQ(j.Add("more").message, v.message) << "judged again, it fails again";

  Judging whole("bytes: {repeat: abcdefgh, count: 131072}");
  stream[700001] = 'b';
  for (at = 0; at < stream.size(); at += 65536) {
    ASSERT_EQ(whole.Add(std::string_view(stream).substr(at, 65536)).kind,
              at + 65536 < stream.size() ? Verdict::Kind::kWait : Verdict::Kind::kPass);
  }
  EXPECT_TRUE(whole.inbox().empty());
  Judging cut("bytes: {repeat: abcdefgh, count: 131072}");
  cut.Add(std::string_view(stream).substr(0, 500000));
  EXPECT_NE(cut.Timeout(Duration(1000)).find("only 500000 of 1048576 expected bytes arrived"),
            std::string::npos);
}

TEST(ContainsExpectation, ConsumesThroughTheMatch) {
  Judging j("contains: needle");
  EXPECT_EQ(j.Add("hay need").kind, Verdict::Kind::kWait);
  EXPECT_EQ(j.Add("le stack").kind, Verdict::Kind::kPass);
  EXPECT_EQ(j.inbox().bytes(), " stack");
  EXPECT_EQ(Whole("contains: needle", "hay", Inbox::End::kReset).message,
            "the connection was reset before \"needle\" arrived; received \"hay\"");
}

// A search that has passed over more than 64 KiB drops what cannot start a match, and its
// messages still count every byte received.
TEST(ContainsExpectation, HoldsOnlyATailOfALongSearch) {
  Judging j("contains: needle");
  const std::string chunk(64 * 1024, 'n');
  for (int i = 0; i < 64; ++i)
    ASSERT_EQ(j.Add(chunk).kind, Verdict::Kind::kWait);
  EXPECT_LT(j.inbox().size(), (1u << 20) + chunk.size());
  EXPECT_EQ(j.Timeout(Duration(1000)), "\"needle\" did not arrive within 1s; received ...\"" +
                                           std::string(300, 'n') +
                                           "\" (last 300 of 4194304 bytes)");
  EXPECT_EQ(j.Add("eedle!").kind, Verdict::Kind::kPass);  // starts in the kept tail
  EXPECT_EQ(j.inbox().bytes(), "!");
}

TEST(DatagramExpectation, TakesOneWholeDatagram) {
  Judging j("datagram: {regex: '^hi (\\w+)$'}, capture: who", true);
  EXPECT_EQ(j.Add("hi bob").captures, std::vector<std::string>{"bob"});
  Judging bytes("datagram: {hex: '01 02'}", true);
  EXPECT_EQ(bytes.Add("\x01\x02").kind, Verdict::Kind::kPass);
  Judging wrong("datagram: abc", true);
  EXPECT_EQ(wrong.Add("abd").message,
            "the datagram differs:\n"
            "expected: \"abc\"\n"
            "  actual: \"abd\"\n"
            "             ^ byte 2");
  Judging empty("datagram: ''", true);
  EXPECT_EQ(empty.Add("").kind, Verdict::Kind::kPass);
  EXPECT_EQ(empty.Timeout(Duration(1000)), "no datagram arrived within 1s (expected exactly \"\")");
}

TEST(SilenceExpectation, FailsOnAnyByteOrEnd) {
  EXPECT_EQ(Whole("silence: 200ms", "").kind, Verdict::Kind::kWait);
  EXPECT_EQ(Whole("silence: 200ms", "x").message, "expected silence for 200ms, but received \"x\"");
  EXPECT_EQ(Whole("silence: 200ms", "", Inbox::End::kClosed).message,
            "expected silence for 200ms, but the peer closed the connection");
}

TEST(EndExpectation, ClosedAndResetAreDistinct) {
  EXPECT_EQ(Whole("closed: true", "").kind, Verdict::Kind::kWait);
  EXPECT_EQ(Whole("closed: true", "", Inbox::End::kClosed).kind, Verdict::Kind::kPass);
  EXPECT_EQ(Whole("closed: true", "", Inbox::End::kReset).message,
            "expected a clean close (FIN), but the connection was reset (RST)");
  EXPECT_EQ(Whole("reset: true", "", Inbox::End::kReset).kind, Verdict::Kind::kPass);
  EXPECT_EQ(Whole("reset: true", "", Inbox::End::kClosed).message,
            "expected a reset (RST), but the peer closed cleanly (FIN)");
  EXPECT_EQ(Whole("closed: true", "more\r\n", Inbox::End::kClosed).message,
            "expected the peer to close the connection, but 6 unread bytes arrived first: "
            "\"more\\r\\n\"");
  Judging cut("closed: true");
  EXPECT_EQ(cut.End(Inbox::End::kCutOff, "64 MiB").message,
            "expected the peer to close the connection, but the peer sent more than 64 MiB and was "
            "cut off");
}

TEST(DescribeTimeout, SaysWhatArrived) {
  auto timeout = [](const std::string& spec, std::string_view bytes, Duration waited) {
    Judging j(spec);
    j.Add(bytes);
    return j.Timeout(waited);
  };
  EXPECT_EQ(timeout("line: hola", "", Duration(2000)),
            "nothing arrived within 2s (expected a line exactly \"hola\")");
  EXPECT_EQ(timeout("line: hola", std::string_view("ho", 2), Duration(2000)),
            "no complete line arrived within 2s; the bytes so far, against the expected line:\n"
            "expected: \"hola\"\n"
            "  actual: \"ho\"\n"
            "             ^ byte 2 (end of actual)");
  EXPECT_EQ(timeout("lines: [a, b]", "a\nb", Duration(500)),
            "only 1 of 2 expected lines arrived within 500ms\nan unfinished line arrived: \"b\"");
  EXPECT_EQ(timeout("closed: true", "", Duration(1000)),
            "the connection was still open after 1s (expected the peer to close it)");
  EXPECT_EQ(timeout("contains: x", "abc", Duration(1000)),
            "\"x\" did not arrive within 1s; received \"abc\"");
  EXPECT_EQ(timeout("contains: x", "", Duration(1000)),
            "\"x\" did not arrive within 1s; received nothing");
  EXPECT_EQ(timeout("bytes: abc", "ab", Duration(1000)),
            "only 2 of 3 expected bytes arrived within 1s:\n"
            "expected: \"abc\"\n"
            "  actual: \"ab\"\n"
            "             ^ byte 2 (end of actual)");
}

// Judging is incremental: however the bytes are split, every expectation reaches the verdict
// it reaches on the whole, with the same captures, and leaves the same bytes unconsumed.
TEST(Expectation, EverySplitGivesTheVerdictOfTheWhole) {
  struct Case {
    std::string spec;
    std::string bytes;
  };
  const std::vector<Case> cases = {
      {"line: hola", "hola\r\nrest"},
      {"line: hola", "hol\nx"},
      {"lines: [a, {regex: 'b+'}, {contains: c}]", "a\r\nbbb\nxcx\ny"},
      {"lines: [a, b], any_order: true", "b\na\n"},
      {"bytes: 'abcdef'", "abcdefgh"},
      {"bytes: 'abcdef'", "abcxef"},
      {"contains: 'needle'", "haystack needle more"},
      {"contains: 'nene'", "nenenene"},
      {"contains: 'needle'", "haystack"},
      {"closed: true", "x"},
  };
  for (const Case& c : cases) {
    Judging whole(c.spec);
    const Verdict expected = whole.Add(c.bytes);
    for (std::size_t split = 0; split <= c.bytes.size(); ++split) {
      Judging j(c.spec);
      const std::string_view rest = std::string_view(c.bytes).substr(split);
      Verdict v = j.Add(std::string_view(c.bytes).substr(0, split));
      if (v.kind == Verdict::Kind::kWait) {
        v = j.Add(rest);
      } else {
        j.Arrive(rest);
      }
      ASSERT_EQ(v.kind, expected.kind) << c.spec << " split at " << split;
      // A failure shows what had arrived when it was found, so only its first line is the same.
      ASSERT_EQ(v.message.substr(0, v.message.find('\n')),
                expected.message.substr(0, expected.message.find('\n')))
          << c.spec << " split at " << split;
      ASSERT_EQ(v.captures, expected.captures) << c.spec << " split at " << split;
      ASSERT_EQ(j.inbox().bytes(), whole.inbox().bytes()) << c.spec << " split at " << split;
    }
  }
}

// What depends only on the step is done when it is bound: a payload file is read then (so
// judging does not read it again), an undefined variable or a bad regex is an error then.
TEST(BindExpectation, ReadsFilesAndRendersOnce) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("parley-bind-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "expected.bin") << "file bytes";
  ExpectStep step = Expect("bytes: {file: '" + (dir / "expected.bin").string() + "'}");
  std::string error;
  auto expectation = BindExpectation(step, Vars(), &error);
  ASSERT_TRUE(expectation) << error;
  std::filesystem::remove_all(dir);
  Inbox inbox;
  HttpExchange http;
  inbox.Append("file ");
  EXPECT_EQ(expectation->Judge(inbox, http).kind, Verdict::Kind::kWait);
  inbox.Append("bytes");
  EXPECT_EQ(expectation->Judge(inbox, http).kind, Verdict::Kind::kPass);

  EXPECT_FALSE(BindExpectation(Expect("line: '${nick}'"), Variables(), &error));
  EXPECT_EQ(error, "variable ${nick} is not defined");
  Variables paren;
  paren.Set("nick", "(");
  EXPECT_TRUE(BindExpectation(Expect("line: {regex: '${nick}'}"), paren, &error))
      << "values are quoted";
}

}  // namespace
}  // namespace parley::harness
