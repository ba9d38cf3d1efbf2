// A JSON report of a run, for tools: a summary and one object per scenario run with its
// status, time, failure (message, position, step, connection), transcripts and the targets'
// stderr. The layout is documented in docs/runner.md.
#ifndef PARLEY_HARNESS_REPORT_JSON_REPORT_H_
#define PARLEY_HARNESS_REPORT_JSON_REPORT_H_

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "harness/play/result.h"

namespace parley::harness {

std::string JsonReport(const std::vector<ScenarioResult>& results, std::chrono::nanoseconds elapsed,
                       int interrupted_by_signal);

// A JSON string literal (with quotes) for any bytes: invalid UTF-8 and control bytes are shown
// escaped first (SanitizeText), so the result is always valid JSON.
std::string JsonString(std::string_view text);

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_REPORT_JSON_REPORT_H_
