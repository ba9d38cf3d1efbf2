// What a person sees while parley runs: one line per scenario with its time, the failure
// details under a failing one, a progress line on a terminal, and a summary whose last line
// reads "parley: N passed, N failed, N skipped".
#ifndef PARLEY_HARNESS_CONSOLE_REPORT_H_
#define PARLEY_HARNESS_CONSOLE_REPORT_H_

#include <chrono>
#include <cstdio>
#include <vector>

#include "harness/report_text.h"
#include "harness/result.h"

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

  void OnResult(const ScenarioResult& result, std::size_t done, std::size_t total);
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
};

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_CONSOLE_REPORT_H_
