#include "harness/report/html_report.h"

#include <gtest/gtest.h>

#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "harness/report/report_text.h"
#include "harness/text/bytes_text.h"

namespace parley::harness {
namespace {

using Status = ScenarioResult::Status;

std::size_t Count(std::string_view text, std::string_view what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string_view::npos;
       at = text.find(what, at + what.size())) {
    ++n;
  }
  return n;
}

// Every element the report writes is closed in order, except the void ones; the contents of
// <script> and <style> are skipped. Returns what is wrong, or "".
std::string Unbalanced(std::string_view page) {
  static const std::vector<std::string_view> kVoid = {"meta", "input", "br"};
  std::vector<std::string> open;
  for (std::size_t at = page.find('<'); at != std::string_view::npos; at = page.find('<', at)) {
    const std::size_t end = page.find('>', at);
    if (end == std::string_view::npos) return "a '<' with no '>' at " + std::to_string(at);
    std::string_view tag = page.substr(at + 1, end - at - 1);
    at = end + 1;
    if (tag.starts_with("!")) continue;
    const bool closing = tag.starts_with("/");
    if (closing) tag.remove_prefix(1);
    const std::string name(tag.substr(0, tag.find(' ')));
    if (closing) {
      if (open.empty() || open.back() != name) {
        return "</" + name + "> closes <" + (open.empty() ? "" : open.back()) + ">";
      }
      open.pop_back();
    } else if (std::find(kVoid.begin(), kVoid.end(), name) == kVoid.end()) {
      open.push_back(name);
      if (name == "script" || name == "style") {
        at = page.find("</" + name + ">", at);
        if (at == std::string_view::npos) return "<" + name + "> is not closed";
      }
    }
  }
  return open.empty() ? "" : "<" + open.back() + "> is not closed";
}

// Checks every page must pass: the frame, balanced elements, valid UTF-8 without control bytes
// other than newline and tab, and no noncharacter.
void ExpectWellFormed(const std::string& page) {
  EXPECT_TRUE(page.starts_with("<!DOCTYPE html>\n<html lang=\"en\">")) << page;
  EXPECT_TRUE(page.ends_with("</html>\n")) << page;
  EXPECT_EQ(Unbalanced(page), "") << page;
  EXPECT_EQ(SanitizeText(page), page);
  EXPECT_EQ(page.find("\xEF\xBF\xBE"), std::string::npos);
}

// Scenarios the results point at; a deque keeps them in place.
class HtmlReportTest : public ::testing::Test {
 protected:
  ScenarioResult& Add(std::string name, Status status, std::vector<std::string> tags = {}) {
    Scenario& s = scenarios_.emplace_back();
    s.name = std::move(name);
    s.file = "suite/cases.yaml";
    s.where = {static_cast<int>(scenarios_.size()) * 10, 3};
    s.tags = std::move(tags);
    ScenarioResult& r = results_.emplace_back();
    r.scenario = &s;
    r.status = status;
    r.elapsed = std::chrono::microseconds(1500);
    return r;
  }

  std::shared_ptr<Transcript> NewTranscript(std::string name) {
    return std::make_shared<Transcript>(std::move(name), std::chrono::steady_clock::now());
  }

  std::string Page(int signal = 0) {
    std::vector<ScenarioResult> results(results_.begin(), results_.end());
    std::string page = HtmlReport(results, std::chrono::milliseconds(2430), signal);
    ExpectWellFormed(page);
    return page;
  }

  std::deque<Scenario> scenarios_;
  std::deque<ScenarioResult> results_;
};

TEST_F(HtmlReportTest, EveryTextIsEscaped) {
  ScenarioResult& r = Add("a <script>alert('x')</script> & \"q\"", Status::kFailed, {"<t>&"});
  scenarios_.back().description = "about <b>";
  r.message = std::string("got \"\\0\" and ") + std::string("\0\xFF<i>\xEF\xBF\xBE", 8);
  r.failed_at = SourcePosition{4, 5};
  r.failed_step = "expect";
  r.failed_connection = "c<1>";
  auto t = NewTranscript("c<1>");
  t->Sent(std::string("GET /</pre>\0", 12));
  t->Note("a note with \x01 and <u>");
  r.transcripts.push_back(t);
  r.targets.push_back({"web&co", "127.0.0.1:1", "srv --x='<y>'", true, "killed by signal 6",
                       std::string("==1==ERROR: <heap>\0\x80\n", 22)});
  const std::string page = Page();
  EXPECT_NE(page.find("a &lt;script&gt;alert(&apos;x&apos;)&lt;/script&gt; &amp; &quot;q&quot;"),
            std::string::npos);
  EXPECT_NE(page.find("<span class=\"tag\">&lt;t&gt;&amp;</span>"), std::string::npos);
  EXPECT_NE(page.find("<option value=\"&lt;t&gt;&amp;\">"), std::string::npos);
  EXPECT_NE(page.find("about &lt;b&gt;"), std::string::npos);
  // Escaped bytes in a message are shown as they are; raw ones are escaped as in the console,
  // a noncharacter too.
  EXPECT_NE(page.find("got &quot;\\0&quot; and \\0\\xFF&lt;i&gt;\\xEF\\xBF\\xBE"),
            std::string::npos);
  EXPECT_NE(page.find("&gt; &quot;GET /&lt;/pre&gt;\\0&quot;"), std::string::npos);
  EXPECT_NE(page.find("a note with \\x01 and &lt;u&gt;"), std::string::npos);
  EXPECT_NE(page.find("==1==ERROR: &lt;heap&gt;\\0\\x80"), std::string::npos);
  EXPECT_NE(page.find("<code>srv --x=&apos;&lt;y&gt;&apos;</code>"), std::string::npos);
  EXPECT_NE(page.find("<code>web&amp;co</code>"), std::string::npos);
  for (std::string_view raw :
       {"<script>alert", "<b>", "<i>", "<u>", "<heap>", "<t>", "</pre>\\0", "c<1>"}) {
    EXPECT_EQ(page.find(raw), std::string::npos) << raw;
  }
}

TEST_F(HtmlReportTest, EveryScenarioIsARowAndFailuresComeFirst) {
  for (int i = 0; i < 1000; ++i) {
    ScenarioResult& r = Add("scenario " + std::to_string(i),
                            i % 100 == 7  ? Status::kFailed
                            : i % 50 == 3 ? Status::kSkipped
                                          : Status::kPassed,
                            {"http", i % 2 ? "odd" : "even"});
    if (r.status == Status::kFailed) r.message = "expected 200, got 500";
    if (r.status == Status::kSkipped) r.message = "not yet";
    auto t = NewTranscript("c");
    t->Sent("GET / HTTP/1.1\r\n\r\n");
    r.transcripts.push_back(t);
  }
  const std::string page = Page();
  EXPECT_EQ(Count(page, "<tr class=\"scenario\""), 1000u);
  for (int i : {0, 7, 500, 999}) {
    EXPECT_NE(page.find(">scenario " + std::to_string(i) + "<"), std::string::npos) << i;
  }
  // Ten failures, each a block above the table and a row linking to it; passes stay one row.
  EXPECT_EQ(Count(page, "<section class=\"problem\""), 10u);
  EXPECT_EQ(Count(page, "<a href=\"#d-"), 10u);
  EXPECT_NE(page.find("<a href=\"#d-107\">"), std::string::npos);
  EXPECT_LT(page.find("id=\"d-7\""), page.find("<table>"));
  EXPECT_EQ(Count(page, "transcript of"), 10u);
  EXPECT_EQ(Count(page, "skipped: not yet"), 20u);
  EXPECT_NE(page.find("<option value=\"even\">even</option><option value=\"http\">http</option>"
                      "<option value=\"odd\">odd</option></select>"),
            std::string::npos);
  EXPECT_LT(page.size(), 400u * 1024) << "a row should stay compact";
}

TEST_F(HtmlReportTest, AFailureShowsItsStepAndItsDiffColoured) {
  ScenarioResult& r = Add("body", Status::kFailed);
  r.failed_at = SourcePosition{16, 7};
  r.failed_file = "suite/steps.yaml";
  r.failed_step = "expect";
  r.failed_connection = "bob";
  r.message =
      "the body differs:\n"
      "--- expected\n"
      "+++ actual\n"
      "@@ -1,3 +1,3 @@\n"
      " <h1>\n"
      "-Hola\n"
      "+Adios\n"
      " </h1>\n"
      "that is all\n"
      "- not a diff line any more\n" +
      RenderDiff("HTTP/1.1 200 OK\r\n", "HTTP/1.1 404 Not Found\r\n") +
      "\n  @@ -9 +9 @@\n  -x\n  +y\n";
  const std::string page = Page();
  EXPECT_NE(page.find("<p class=\"at\">at <code>suite/steps.yaml:16:7</code> (expect on "
                      "<code>bob</code>)</p>"),
            std::string::npos);
  for (std::string_view line :
       {"<span class=\"d-del\">--- expected</span>\n", "<span class=\"d-add\">+++ actual</span>\n",
        "<span class=\"d-hunk\">@@ -1,3 +1,3 @@</span>\n", "\n &lt;h1&gt;\n",
        "<span class=\"d-del\">-Hola</span>\n", "<span class=\"d-add\">+Adios</span>\n",
        "\n &lt;/h1&gt;\n", "\n- not a diff line any more\n",
        "<span class=\"d-exp\">expected: &quot;HTTP/1.1 200 OK\\r\\n&quot;</span>\n",
        "<span class=\"d-act\">  actual: &quot;HTTP/1.1 404 Not Found\\r\\n&quot;</span>\n",
        "<span class=\"d-caret\">                    ^ byte 9</span>\n",
        "<span class=\"d-hunk\">  @@ -9 +9 @@</span>\n", "<span class=\"d-del\">  -x</span>\n",
        "<span class=\"d-add\">  +y</span>\n"}) {
    EXPECT_NE(page.find(line), std::string::npos) << line << "\n" << page;
  }
}

TEST_F(HtmlReportTest, TranscriptsAreCollapsedAndTargetsShowTheirStderr) {
  ScenarioResult& r = Add("room", Status::kFailed);
  r.message = "nothing arrived";
  r.failed_at = SourcePosition{3, 7};
  r.failed_step = "expect";
  r.failed_connection = "bob";
  for (const char* name : {"alice", "bob"}) {
    auto t = NewTranscript(name);
    t->Note("connected to 127.0.0.1:1");
    t->Sent("hi\n");
    t->Received("* welcome\r\n");
    r.transcripts.push_back(t);
  }
  r.targets.push_back({"chat", "127.0.0.1:40817", "chat-server --port 0", true,
                       "exit code 0 after SIGTERM", "line 1\nline <2>\n"});
  r.targets.push_back({"http", "127.0.0.1:8080", "", false, "", ""});
  const std::string page = Page();
  EXPECT_NE(page.find("<details><summary>transcript of <code>alice</code></summary>"),
            std::string::npos);
  EXPECT_NE(page.find("<details><summary>transcript of <code>bob</code> (the failing "
                      "connection)</summary>"),
            std::string::npos);
  EXPECT_EQ(Count(page, "<details open><summary>transcript"), 0u);
  EXPECT_EQ(Count(page, "<span class=\"t-sent\">"), 2u);
  EXPECT_NE(page.find("  &gt; &quot;hi\\n&quot;</span>"), std::string::npos);
  EXPECT_NE(page.find("  &lt; &quot;* welcome\\r\\n&quot;</span>"), std::string::npos);
  EXPECT_NE(page.find("  - connected to 127.0.0.1:1</span>"), std::string::npos);
  EXPECT_NE(page.find("target <code>chat</code> (127.0.0.1:40817, its own process, exit code 0 "
                      "after SIGTERM)<br>command: <code>chat-server --port 0</code>"),
            std::string::npos);
  EXPECT_NE(page.find("<summary>its stderr (2 lines)</summary><pre class=\"stderr\">line 1\n"
                      "line &lt;2&gt;\n</pre>"),
            std::string::npos);
  EXPECT_NE(page.find("target <code>http</code> (127.0.0.1:8080, shared)</p><p class=\"note\">it "
                      "wrote nothing to stderr</p>"),
            std::string::npos);
}

TEST_F(HtmlReportTest, TheSummaryCountsEachStatus) {
  Add("p1", Status::kPassed, {"smoke"});
  Add("p2", Status::kPassed);
  Add("f1", Status::kFailed).message = "boom";
  Add("f2", Status::kFailed).message = "boom";
  Add("s", Status::kSkipped).message = "later";
  Add("e", Status::kTargetError).message = "target 'web' did not become ready";
  ScenarioResult& flaky = Add("fl", Status::kPassed);
  flaky.flaky = true;
  flaky.attempts = 2;
  flaky.flaky_message = "at first: -old\n@@ -1 +1 @@\n-old\n+new\n";
  const std::string page = Page();
  EXPECT_NE(page.find("<title>parley: 3 passed, 3 failed, 1 skipped</title>"), std::string::npos);
  EXPECT_NE(page.find("7 scenario(s) in 2.43s: <strong>3 passed, 3 failed, 1 skipped</strong>, 1 "
                      "with a target that could not start</p>"),
            std::string::npos)
      << page;
  for (std::string_view count :
       {"id=\"count-failed\">2<", "id=\"count-target-error\">1<", "id=\"count-interrupted\">0<",
        "id=\"count-flaky\">1<", "id=\"count-skipped\">1<", "id=\"count-passed\">2<"}) {
    EXPECT_NE(page.find(count), std::string::npos) << count;
  }
  EXPECT_EQ(Count(page, "<tr class=\"scenario\" data-status=\"passed\""), 2u);
  EXPECT_EQ(Count(page, "<tr class=\"scenario\" data-status=\"flaky\""), 1u);
  EXPECT_EQ(Count(page, "<section class=\"problem\""), 4u);
  // The flaky one comes after the failures, with its first failure's message.
  EXPECT_LT(page.find("id=\"d-5\""), page.find("id=\"d-6\""));
  EXPECT_NE(page.find("passed when played again (2 plays); the first play failed:"),
            std::string::npos);
  EXPECT_NE(page.find("<span class=\"d-add\">+new</span>"), std::string::npos);
  EXPECT_EQ(page.find("id=\"interrupted\""), std::string::npos);
}

TEST_F(HtmlReportTest, AnInterruptedRunSaysSo) {
  Add("done", Status::kPassed);
  Add("cut", Status::kInterrupted).message = "interrupted by SIGINT";
  const std::string page = Page(2);
  EXPECT_NE(page.find("<title>parley: 1 passed, 1 failed, 0 skipped (interrupted)</title>"),
            std::string::npos);
  EXPECT_NE(page.find("<p class=\"banner\" id=\"interrupted\"><strong>Interrupted</strong> by "
                      "signal 2 (SIGINT): the targets were stopped; 1 scenario(s) did not "
                      "finish.</p>"),
            std::string::npos)
      << page;
  EXPECT_NE(page.find(", 1 interrupted</p>"), std::string::npos);
  EXPECT_NE(page.find("<section class=\"problem\" id=\"d-1\" data-status=\"interrupted\">"),
            std::string::npos);
}

TEST_F(HtmlReportTest, AnEmptyRunIsAValidPage) {
  const std::string page = Page();
  EXPECT_NE(page.find("0 scenario(s) in 2.43s"), std::string::npos);
  EXPECT_NE(page.find("No scenario was played."), std::string::npos);
  EXPECT_NE(page.find("No failures."), std::string::npos);
  EXPECT_EQ(page.find("<table>"), std::string::npos);
  EXPECT_NE(page.find("showing <span id=\"shown\">0</span> of 0"), std::string::npos);
}

TEST_F(HtmlReportTest, ThePageIsSelfContained) {
  Add("one", Status::kPassed);
  const std::string page = Page();
  for (std::string_view external : {"src=", "href=\"http", "@import", "url(", "<link"}) {
    EXPECT_EQ(page.find(external), std::string::npos) << external;
  }
  EXPECT_EQ(Count(page, "<script>"), 2u);
  EXPECT_EQ(Count(page, "<style>"), 1u);
}

}  // namespace
}  // namespace parley::harness
