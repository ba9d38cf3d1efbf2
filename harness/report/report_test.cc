#include <gtest/gtest.h>

#include <cstdio>

#include "harness/report/console_report.h"
#include "harness/report/json_report.h"
#include "harness/report/junit_report.h"
#include "harness/report/report_text.h"

namespace parley::harness {
namespace {

class ReportTest : public testing::Test {
 protected:
  void SetUp() override {
    scenario_.name = "relay <a> & \"b\"";
    scenario_.file = "scenarios/chat.yaml";
    scenario_.where = {3, 3};
    scenario_.tags = {"chat"};
    other_.name = "passes";
    other_.file = "scenarios/chat.yaml";
    other_.where = {20, 3};
    skipped_.name = "later";
    skipped_.file = "scenarios/http.yaml";
    skipped_.where = {1, 1};

    ScenarioResult failed;
    failed.scenario = &scenario_;
    failed.status = ScenarioResult::Status::kFailed;
    failed.message = "the line differs:\nexpected: \"a\"\n  actual: \"b\"";
    failed.failed_at = SourcePosition{9, 5};
    failed.failed_step = "expect";
    failed.failed_connection = "bob";
    failed.elapsed = std::chrono::milliseconds(12);
    auto bob = std::make_shared<Transcript>("bob", std::chrono::steady_clock::now());
    bob->Received(std::string("b\r\n\0\xff", 5));
    auto alice = std::make_shared<Transcript>("alice", std::chrono::steady_clock::now());
    alice->Sent("hi\n");
    failed.transcripts = {alice, bob};
    failed.targets.push_back(TargetRecord{"chat", "127.0.0.1:4000", "bin/chat-server", true,
                                          "exit code 0 after SIGTERM", "warn: \x01 odd\n"});
    ScenarioResult passed;
    passed.scenario = &other_;
    passed.elapsed = std::chrono::microseconds(1500);
    ScenarioResult skipped;
    skipped.scenario = &skipped_;
    skipped.status = ScenarioResult::Status::kSkipped;
    skipped.message = "not yet";
    results_ = {std::move(failed), std::move(passed), std::move(skipped)};
  }

  Scenario scenario_, other_, skipped_;
  std::vector<ScenarioResult> results_;
};

std::string Capture(const std::function<void(std::FILE*)>& write) {
  char* data = nullptr;
  std::size_t size = 0;
  std::FILE* f = ::open_memstream(&data, &size);
  write(f);
  std::fclose(f);
  std::string out(data, size);
  std::free(data);
  return out;
}

TEST_F(ReportTest, ConsoleShowsEachScenarioTheFailureAndASummary) {
  std::string out = Capture([&](std::FILE* f) {
    ConsoleReport console(f, false, false, false);
    for (std::size_t i = 0; i < results_.size(); ++i)
      console.OnResult(results_[i], i + 1, 3);
    console.Summary(results_, std::chrono::milliseconds(1234), 0);
  });
  EXPECT_NE(out.find("FAIL  relay <a> & \"b\"  (12.0ms, scenarios/chat.yaml:3)\n"
                     "  at scenarios/chat.yaml:9:5 (expect on bob)\n"
                     "  the line differs:\n"
                     "  expected: \"a\"\n"
                     "    actual: \"b\"\n"
                     "  transcript of bob:\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("  < \"b\\r\\n\\0\\xFF\"\n"), std::string::npos) << out;
  EXPECT_EQ(out.find("transcript of alice"), std::string::npos) << out;
  EXPECT_NE(out.find("  target chat (127.0.0.1:4000, exit code 0 after SIGTERM) stderr:\n    | "
                     "warn: \\x01 odd\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("PASS  passes  (1.5ms, scenarios/chat.yaml:20)\n"), std::string::npos);
  EXPECT_NE(out.find("SKIP  later  (0.0ms, scenarios/http.yaml:1) skipped: not yet\n"),
            std::string::npos);
  EXPECT_NE(out.find("failed:\n  relay <a> & \"b\"  (scenarios/chat.yaml:9)\n"), std::string::npos);
  EXPECT_NE(out.find("\nparley: 1 passed, 1 failed, 1 skipped\n"), std::string::npos) << out;
  EXPECT_EQ(out.find("\033["), std::string::npos);
}

TEST_F(ReportTest, ConsoleColorsAndProgressOnATerminal) {
  std::string out = Capture([&](std::FILE* f) {
    ConsoleReport console(f, true, true, true);
    console.OnResult(results_[1], 1, 3);
    console.OnResult(results_[0], 2, 3);
  });
  EXPECT_NE(out.find("\033[32mPASS\033[0m"), std::string::npos);
  EXPECT_NE(out.find("[1/3]"), std::string::npos);
  EXPECT_NE(out.find("\r\033[K"), std::string::npos);
  EXPECT_NE(out.find("[2/3] 1 failed"), std::string::npos);
  // --verbose shows every transcript of a failure.
  EXPECT_NE(out.find("transcript of alice"), std::string::npos);
}

TEST_F(ReportTest, JunitHasOneSuitePerFileAndEscapes) {
  std::string xml = JunitReport(results_, std::chrono::milliseconds(1234));
  EXPECT_NE(xml.find("<testsuites name=\"parley\" tests=\"3\" failures=\"1\" errors=\"0\" "
                     "skipped=\"1\" time=\"1.234\">"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<testsuite name=\"scenarios/chat.yaml\" tests=\"2\" failures=\"1\""),
            std::string::npos);
  EXPECT_NE(xml.find("<testcase name=\"relay &lt;a&gt; &amp; &quot;b&quot;\" "
                     "classname=\"scenarios/chat.yaml\""),
            std::string::npos);
  EXPECT_NE(xml.find("<failure message=\"the line differs:\">"), std::string::npos);
  EXPECT_NE(xml.find("<system-err>== target chat (127.0.0.1:4000, exit code 0 after SIGTERM) "
                     "==\nwarn: \\x01 odd\n</system-err>"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<skipped message=\"not yet\"/>"), std::string::npos);
  EXPECT_NE(xml.find("<testcase name=\"passes\" classname=\"scenarios/chat.yaml\" "
                     "file=\"scenarios/chat.yaml\" line=\"20\" time=\"0.002\"/>"),
            std::string::npos);
  for (char c : xml)
    EXPECT_TRUE(c == '\n' || c == '\t' || static_cast<unsigned char>(c) >= 0x20);
}

TEST_F(ReportTest, JsonIsCompleteAndEscaped) {
  std::string json = JsonReport(results_, std::chrono::milliseconds(1234), 0);
  EXPECT_NE(json.find("\"summary\": {\"total\": 3, \"passed\": 1, \"failed\": 1, \"skipped\": 1, "
                      "\"target_errors\": 0, \"interrupted\": 0, \"flaky\": 0, \"signal\": 0, "
                      "\"duration_ms\": 1234.000}"),
            std::string::npos)
      << json;
  EXPECT_NE(
      json.find(
          "{\"name\": \"relay <a> & \\\"b\\\"\", \"file\": \"scenarios/chat.yaml\", \"line\": 3, "
          "\"repeat\": 0, \"status\": \"failed\""),
      std::string::npos)
      << json;
  EXPECT_NE(json.find("\"failed_at\": {\"line\": 9, \"column\": 5, \"step\": \"expect\", "
                      "\"connection\": \"bob\"}"),
            std::string::npos);
  EXPECT_NE(json.find("\"stderr\": \"warn: \\\\x01 odd\\n\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"status\": \"skipped\""), std::string::npos);
}

TEST(JsonString, AlwaysValid) {
  // A backslash in the text is one in the decoded JSON: escaped for JSON once, not twice.
  EXPECT_EQ(JsonString("a\"b\\c\n\t"), "\"a\\\"b\\\\c\\n\\t\"");
  EXPECT_EQ(JsonString(std::string("\0\x1f\xc3\xa9\xff", 5)), "\"\\\\0\\\\x1F\xc3\xa9\\\\xFF\"");
}

TEST(SanitizeText, KeepsNewlinesAndTabsEscapesTheRest) {
  EXPECT_EQ(SanitizeText("a\tb\nc\rd\x1b[31m"), "a\tb\nc\\rd\\x1B[31m");
  // A message's escaped bytes are not escaped again (JUnit and JSON read as the console).
  EXPECT_EQ(SanitizeText("expected: \"CRASH\\n\"\n  actual: \"CRASX\\n\""),
            "expected: \"CRASH\\n\"\n  actual: \"CRASX\\n\"");
}

// A run that failed, then passed when played again (--rerun-failed), is a pass marked flaky in
// every report: the console's summary, JUnit's flakyFailure (as Maven Surefire writes it) and
// the JSON.
TEST_F(ReportTest, AFlakyPassIsMarkedInEveryReport) {
  ScenarioResult& flaky = results_[1];
  flaky.flaky = true;
  flaky.flaky_message = "nothing arrived within 1s\n(detail)";
  flaky.attempts = 2;
  const std::string console = Capture([&](std::FILE* f) {
    ConsoleReport report(f, false, false, false);
    report.OnRerun(flaky, 2);
    report.Summary(results_, std::chrono::seconds(1), 0);
  });
  EXPECT_NE(console.find("FLAKY  passes  (play 2, "), std::string::npos) << console;
  EXPECT_NE(console.find("flaky (failed, then passed when played again):\n  passes  (2 plays): "
                         "nothing arrived within 1s\n"),
            std::string::npos)
      << console;
  EXPECT_NE(console.find("parley: 1 passed (1 flaky), 1 failed, 1 skipped"), std::string::npos)
      << console;
  const std::string junit = JunitReport(results_, std::chrono::seconds(1));
  EXPECT_NE(junit.find("<flakyFailure message=\"nothing arrived within 1s\" type=\"failed, then "
                       "passed on play 2\">nothing arrived within 1s\n(detail)</flakyFailure>"),
            std::string::npos)
      << junit;
  const std::string json = JsonReport(results_, std::chrono::seconds(1), 0);
  EXPECT_NE(json.find("\"attempts\": 2, \"flaky\": true, \"flaky_message\": \"nothing arrived "
                      "within 1s\\n(detail)\""),
            std::string::npos)
      << json;
  EXPECT_NE(json.find("\"flaky\": 1"), std::string::npos) << json;
}

// --repeat: the scenarios that did not pass every time, with each kind of failure counted.
TEST_F(ReportTest, TheRepeatTableCountsPassesAndKindsOfFailure) {
  EXPECT_EQ(RepeatTable(results_), "");  // nothing repeated
  std::vector<ScenarioResult> runs;
  for (int i = 0; i < 5; ++i) {
    ScenarioResult r;
    r.scenario = &scenario_;
    r.repeat = i;
    if (i == 1 || i == 3) {
      r.status = ScenarioResult::Status::kFailed;
      r.message = "the line differs:\nexpected: \"a\"";
      r.failed_at = SourcePosition{9, 5};
      r.failed_step = "expect";
    } else if (i == 4) {
      r.status = ScenarioResult::Status::kFailed;
      r.message = "nothing arrived within 1s";
      r.failed_at = SourcePosition{12, 5};
      r.failed_step = "expect";
    }
    runs.push_back(r);
    ScenarioResult ok;
    ok.scenario = &other_;
    ok.repeat = i;
    runs.push_back(ok);
  }
  EXPECT_EQ(
      RepeatTable(runs),
      "  scenario         passed  failures\n"
      "  relay <a> & \"b\"  2 of 5  2x scenarios/chat.yaml:9 expect: the line differs:\n"
      "                           1x scenarios/chat.yaml:12 expect: nothing arrived within 1s\n");
}

}  // namespace
}  // namespace parley::harness

namespace parley::harness {
namespace {

// On a terminal the progress line is rewritten with what plays now; without progress (a pipe,
// TERM=dumb) Tick writes nothing, so no escape code reaches a log.
TEST_F(ReportTest, TickRewritesTheProgressLineOnlyOnATerminal) {
  const std::string shown = Capture([&](std::FILE* f) {
    ConsoleReport report(f, false, true, false);
    report.OnResult(results_[1], 1, 3);
    report.Tick("chat: flood, expect at line 14, 3.2s");
  });
  EXPECT_NE(shown.find("[1/3]\r\033[K[1/3] chat: flood, expect at line 14, 3.2s"),
            std::string::npos)
      << shown;
  const std::string long_activity = Capture([&](std::FILE* f) {
    ConsoleReport report(f, false, true, false);
    report.OnResult(results_[1], 1, 3);
    report.Tick(std::string(200, 'x'));
  });
  EXPECT_LE(long_activity.size() - long_activity.rfind('\r'), 4u + 79u) << long_activity;
  const std::string piped = Capture([&](std::FILE* f) {
    ConsoleReport report(f, false, false, false);
    report.OnResult(results_[1], 1, 3);
    report.Tick("chat: flood");
  });
  EXPECT_EQ(piped.find('\033'), std::string::npos) << piped;
  EXPECT_EQ(piped.find("chat: flood"), std::string::npos) << piped;
}

}  // namespace
}  // namespace parley::harness

namespace parley::harness {
namespace {

// U+FFFE and U+FFFF are valid UTF-8 but not XML 1.0 characters: a JUnit report that carried
// them would not parse, so they are shown as their escaped bytes.
TEST(XmlEscape, NoncharactersThatXmlForbidsAreShownAsBytes) {
  EXPECT_EQ(XmlEscape("a\xEF\xBF\xBE b \xEF\xBF\xBF <"), "a\\xEF\\xBF\\xBE b \\xEF\\xBF\\xBF &lt;");
  EXPECT_EQ(XmlEscape("\xEF\xBF\xBD"), "\xEF\xBF\xBD");  // U+FFFD is a character
}

}  // namespace
}  // namespace parley::harness
