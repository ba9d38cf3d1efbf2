// The outcome of playing one scenario, as the reports need it.
#ifndef PARLEY_HARNESS_PLAY_RESULT_H_
#define PARLEY_HARNESS_PLAY_RESULT_H_

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "harness/play/transcript.h"
#include "harness/scenario/scenario.h"

namespace parley::harness {

struct TargetRecord {
  std::string name;
  std::string address;      // host:port
  std::string command;      // empty for external and shared targets
  bool own = false;         // a process for this scenario alone
  std::string ending;       // e.g. "exit code 0 after SIGTERM"; empty while it runs on
  std::string stderr_text;  // what it wrote to stderr while the scenario played
};

struct ScenarioResult {
  enum class Status { kPassed, kFailed, kSkipped, kTargetError, kInterrupted };

  const Scenario* scenario = nullptr;
  int repeat = 0;  // 0-based run of the scenario with --repeat
  Status status = Status::kPassed;
  // kSkipped: the reason. kFailed, kTargetError, kInterrupted: what went wrong.
  std::string message;
  // The failing step, when there is one.
  std::optional<SourcePosition> failed_at;
  std::string failed_file;        // the file of the failing step: the scenario's or an included one
  std::string failed_step;        // its keyword
  std::string failed_connection;  // the connection it was about, if any
  std::chrono::nanoseconds elapsed{0};
  std::vector<std::shared_ptr<Transcript>> transcripts;  // one per connection, in open order
  std::vector<TargetRecord> targets;
  // With --rerun-failed: the run failed, then passed when played again. `flaky_message` is the
  // first failure's message and `attempts` counts the plays (1 without reruns).
  bool flaky = false;
  std::string flaky_message;
  int attempts = 1;
  // With PlayOptions::drain: a peer had not closed its connection when the drain time ran out.
  bool undrained = false;

  bool passed() const { return status == Status::kPassed; }
  // "file:line" of the failing step, or of the scenario.
  std::string Location() const;
  // The scenario's name, with " #N" for repeats after the first.
  std::string DisplayName() const;
};

const char* StatusWord(ScenarioResult::Status status);
// "passed", "failed", "skipped", "target-error", "interrupted": the name the JSON and HTML
// reports give a status.
const char* StatusName(ScenarioResult::Status status);

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_PLAY_RESULT_H_
