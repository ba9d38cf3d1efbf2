#include "harness/report/html_report.h"

#include <gtest/gtest.h>

namespace parley::harness {
namespace {

TEST(HtmlReport, EveryScenarioIsOnThePageWithItsTextEscaped) {
  Scenario scenario;
  scenario.name = "a <b> & c";
  ScenarioResult failed;
  failed.scenario = &scenario;
  failed.status = ScenarioResult::Status::kFailed;
  failed.message = "expected \"<h1>\"";
  std::string page = HtmlReport({failed}, std::chrono::milliseconds(5), 0);
  EXPECT_NE(page.find("a &lt;b&gt; &amp; c"), std::string::npos) << page;
  EXPECT_NE(page.find("expected &quot;&lt;h1&gt;&quot;"), std::string::npos) << page;
  EXPECT_EQ(page.find("<b>"), std::string::npos) << page;
}

}  // namespace
}  // namespace parley::harness
