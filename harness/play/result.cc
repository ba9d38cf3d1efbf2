#include "harness/play/result.h"

namespace parley::harness {

std::string ScenarioResult::Location() const {
  SourcePosition at = failed_at ? *failed_at : scenario->where;
  return (failed_at && !failed_file.empty() ? failed_file : scenario->file) + ":" +
         std::to_string(at.line);
}

std::string ScenarioResult::DisplayName() const {
  if (repeat == 0) return scenario->name;
  return scenario->name + " #" + std::to_string(repeat + 1);
}

const char* StatusWord(ScenarioResult::Status status) {
  switch (status) {
    case ScenarioResult::Status::kPassed:
      return "PASS";
    case ScenarioResult::Status::kFailed:
      return "FAIL";
    case ScenarioResult::Status::kSkipped:
      return "SKIP";
    case ScenarioResult::Status::kTargetError:
      return "ERROR";
    case ScenarioResult::Status::kInterrupted:
      return "STOP";
  }
  return "?";
}

const char* StatusName(ScenarioResult::Status s) {
  switch (s) {
    case ScenarioResult::Status::kPassed:
      return "passed";
    case ScenarioResult::Status::kFailed:
      return "failed";
    case ScenarioResult::Status::kSkipped:
      return "skipped";
    case ScenarioResult::Status::kTargetError:
      return "target-error";
    case ScenarioResult::Status::kInterrupted:
      return "interrupted";
  }
  return "unknown";
}

}  // namespace parley::harness
