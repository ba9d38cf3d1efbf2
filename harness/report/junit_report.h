// JUnit XML for CI: one <testsuite> per scenario file, one <testcase> per scenario run, with
// the failure text (transcript included) and the targets' stderr in <system-err>.
#ifndef PARLEY_HARNESS_REPORT_JUNIT_REPORT_H_
#define PARLEY_HARNESS_REPORT_JUNIT_REPORT_H_

#include <chrono>
#include <string>
#include <vector>

#include "harness/play/result.h"

namespace parley::harness {

std::string JunitReport(const std::vector<ScenarioResult>& results,
                        std::chrono::nanoseconds elapsed);

// `text` with XML's special characters escaped; control bytes other than tab and newline (and
// invalid UTF-8) are shown escaped, as XML 1.0 cannot carry them.
std::string XmlEscape(std::string_view text);

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_REPORT_JUNIT_REPORT_H_
