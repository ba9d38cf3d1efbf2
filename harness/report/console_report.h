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

  static Tally Of(const std::vector<ScenarioResult>& results);
};

class ConsoleReport {
 public:
  // `out` is the stream written to; `color` and `progress` are for a terminal.
  ConsoleReport(std::FILE* out, bool color, bool progress, bool verbose);

  static constexpr std::chrono::milliseconds kFlushEvery{200};

  void OnResult(const ScenarioResult& result, std::size_t done, std::size_t total);
  // Writes out what is buffered, if anything.
  void Flush();
  void Summary(const std::vector<ScenarioResult>& results, std::chrono::nanoseconds elapsed,
               int interrupted_by_signal);

 private:
  void ClearProgress();

  std::FILE* out_;
  Colors colors_;
  bool progress_;
  bool verbose_;
  bool progress_shown_ = false;
  std::size_t failed_so_far_ = 0;
  bool unflushed_ = false;
  std::chrono::steady_clock::time_point last_flush_ = std::chrono::steady_clock::now();
};

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_REPORT_CONSOLE_REPORT_H_
