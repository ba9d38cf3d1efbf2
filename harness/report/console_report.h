// What a person sees while parley runs: one line per scenario with its time, the failure
// details under a failing one, a progress line on a terminal, and a summary whose last line
// reads "parley: N passed, N failed, N skipped".
//
// On a terminal every result is shown at once. Elsewhere (a pipe, a CI log) passing results
// are written in batches: the stream is flushed on a failure, when kFlushEvery has passed since
// the last flush, and whenever Flush() is called (the runner calls it on a timer, so a result
// never waits long behind a slow scenario).
#ifndef PARLEY_HARNESS_REPORT_CONSOLE_REPORT_H_
#define PARLEY_HARNESS_REPORT_CONSOLE_REPORT_H_

#include <chrono>
#include <cstdio>
#include <vector>

#include "harness/play/result.h"
#include "harness/report/report_text.h"

namespace parley::harness {

struct Tally {
  std::size_t passed = 0;
  std::size_t failed = 0;  // failed, target errors and interrupted
  std::size_t skipped = 0;
  std::size_t target_errors = 0;
  std::size_t interrupted = 0;
  std::size_t flaky = 0;  // passed, after failing first (--rerun-failed); counted in passed

  static Tally Of(const std::vector<ScenarioResult>& results);
};

// With --repeat: one row per scenario that did not pass every time, with how many times it
// passed and, for each kind of failure (the step and the first line of its message), how
// often; e.g.
//   scenario              passed   failures
//   chat: nick collision  3 of 5   2x nick.yaml:14 expect: the line differs
// Empty when every scenario passed every time, or nothing was repeated.
std::string RepeatTable(const std::vector<ScenarioResult>& results);

class ConsoleReport {
 public:
  // `out` is the stream written to; `color` and `progress` are for a terminal.
  ConsoleReport(std::FILE* out, bool color, bool progress, bool verbose);

  static constexpr std::chrono::milliseconds kFlushEvery{200};

  void OnResult(const ScenarioResult& result, std::size_t done, std::size_t total);
  // A scenario played again with --rerun-failed (`attempt` counts from 2): one line.
  void OnRerun(const ScenarioResult& result, int attempt);
  // On a terminal, rewrites the progress line with what is being played now (e.g. "chat:
  // flood, expect at line 14, 3.2s"), so a long scenario still shows life. Does nothing
  // elsewhere.
  void Tick(const std::string& activity);
  // Writes out what is buffered, if anything.
  void Flush();
  void Summary(const std::vector<ScenarioResult>& results, std::chrono::nanoseconds elapsed,
               int interrupted_by_signal);

 private:
  void ClearProgress();
  void ShowProgress(const std::string& activity);

  std::FILE* out_;
  Colors colors_;
  bool progress_;
  bool verbose_;
  bool progress_shown_ = false;
  std::size_t done_ = 0;
  std::size_t total_ = 0;
  std::size_t failed_so_far_ = 0;
  bool unflushed_ = false;
  std::chrono::steady_clock::time_point last_flush_ = std::chrono::steady_clock::now();
};

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_REPORT_CONSOLE_REPORT_H_
