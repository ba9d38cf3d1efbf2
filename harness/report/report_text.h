// The text of a scenario's outcome that every report shows: where it failed, what was expected
// and what arrived, the failing connection's transcript and what the targets wrote to stderr.
#ifndef PARLEY_HARNESS_REPORT_REPORT_TEXT_H_
#define PARLEY_HARNESS_REPORT_REPORT_TEXT_H_

#include <string>
#include <string_view>

#include "harness/play/result.h"

namespace parley::harness {

struct Colors {
  const char* red = "";
  const char* green = "";
  const char* yellow = "";
  const char* dim = "";
  const char* bold = "";
  const char* reset = "";

  static Colors Terminal();
  static Colors None() { return Colors(); }
};

// The failure block: location and step, the message, transcripts (only the failing
// connection's unless `all_transcripts`), targets' stderr. Lines are indented by two spaces.
std::string FailureDetails(const ScenarioResult& result, bool all_transcripts,
                           const Colors& colors = Colors::None());

// Every transcript of the result, for --verbose.
std::string AllTranscripts(const ScenarioResult& result);

// Text made safe for any report (a target's stderr, a failure message): valid UTF-8, no control
// bytes other than newline and tab (others escaped as in EscapeBytes). Backslashes stay as they
// are: a message's escaped bytes (`"CRASH\n"`) read the same in every report, and the caret
// under a diff stays in its column.
std::string SanitizeText(std::string_view text);

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_REPORT_REPORT_TEXT_H_
