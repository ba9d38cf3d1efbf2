#include "harness/report/console_report.h"

#include <string>

#include "harness/scenario/duration.h"

namespace parley::harness {

Tally Tally::Of(const std::vector<ScenarioResult>& results) {
  Tally t;
  for (const ScenarioResult& r : results) {
    switch (r.status) {
      case ScenarioResult::Status::kPassed:
        ++t.passed;
        break;
      case ScenarioResult::Status::kSkipped:
        ++t.skipped;
        break;
      case ScenarioResult::Status::kTargetError:
        ++t.target_errors;
        ++t.failed;
        break;
      case ScenarioResult::Status::kInterrupted:
        ++t.interrupted;
        ++t.failed;
        break;
      case ScenarioResult::Status::kFailed:
        ++t.failed;
        break;
    }
  }
  return t;
}

ConsoleReport::ConsoleReport(std::FILE* out, bool color, bool progress, bool verbose)
    : out_(out),
      colors_(color ? Colors::Terminal() : Colors::None()),
      progress_(progress),
      verbose_(verbose) {}

void ConsoleReport::ClearProgress() {
  if (progress_shown_) {
    std::fputs("\r\033[K", out_);
    progress_shown_ = false;
  }
}

void ConsoleReport::OnResult(const ScenarioResult& result, std::size_t done, std::size_t total) {
  ClearProgress();
  const char* color = colors_.green;
  switch (result.status) {
    case ScenarioResult::Status::kPassed:
      break;
    case ScenarioResult::Status::kSkipped:
      color = colors_.yellow;
      break;
    default:
      color = colors_.red;
      ++failed_so_far_;
      break;
  }
  std::string line = std::string(color) + StatusWord(result.status) + colors_.reset + "  " +
                     result.DisplayName() + "  " + colors_.dim + "(" +
                     FormatElapsed(result.elapsed) + ", " + result.scenario->file + ":" +
                     std::to_string(result.scenario->where.line) + ")" + colors_.reset;
  if (result.status == ScenarioResult::Status::kSkipped) line += " skipped: " + result.message;
  std::fprintf(out_, "%s\n", line.c_str());
  bool failed = result.status != ScenarioResult::Status::kPassed &&
                result.status != ScenarioResult::Status::kSkipped;
  if (failed) {
    std::fputs(FailureDetails(result, verbose_, colors_).c_str(), out_);
  } else if (verbose_ && !result.transcripts.empty()) {
    std::fputs(AllTranscripts(result).c_str(), out_);
  }
  if (progress_ && done < total) {
    std::fprintf(
        out_, "%s[%zu/%zu]%s%s", colors_.dim, done, total,
        failed_so_far_ > 0 ? (" " + std::to_string(failed_so_far_) + " failed").c_str() : "",
        colors_.reset);
    progress_shown_ = true;
  }
  unflushed_ = true;
  if (progress_ || failed || std::chrono::steady_clock::now() - last_flush_ >= kFlushEvery) {
    Flush();
  }
}

void ConsoleReport::Flush() {
  if (!unflushed_) return;
  std::fflush(out_);
  unflushed_ = false;
  last_flush_ = std::chrono::steady_clock::now();
}

void ConsoleReport::Summary(const std::vector<ScenarioResult>& results,
                            std::chrono::nanoseconds elapsed, int interrupted_by_signal) {
  ClearProgress();
  Tally t = Tally::Of(results);
  std::vector<const ScenarioResult*> failures;
  for (const ScenarioResult& r : results) {
    if (r.status == ScenarioResult::Status::kFailed ||
        r.status == ScenarioResult::Status::kTargetError) {
      failures.push_back(&r);
    }
  }
  if (!failures.empty()) {
    std::fprintf(out_, "\n%sfailed:%s\n", colors_.red, colors_.reset);
    for (const ScenarioResult* r : failures) {
      std::fprintf(out_, "  %s  (%s)\n", r->DisplayName().c_str(), r->Location().c_str());
    }
  }
  if (interrupted_by_signal != 0) {
    std::fprintf(out_,
                 "\n%sinterrupted by signal %d: stopped the targets; %zu scenario(s) did "
                 "not finish%s\n",
                 colors_.yellow, interrupted_by_signal, t.interrupted, colors_.reset);
  }
  std::string notes;
  if (t.target_errors > 0)
    notes += ", " + std::to_string(t.target_errors) + " with a target that could not start";
  if (t.interrupted > 0) notes += ", " + std::to_string(t.interrupted) + " interrupted";
  std::fprintf(out_, "\n%zu scenario(s) in %s%s\n", results.size(), FormatElapsed(elapsed).c_str(),
               notes.c_str());
  const char* color = t.failed > 0 ? colors_.red : colors_.green;
  std::fprintf(out_, "%sparley: %zu passed, %zu failed, %zu skipped%s\n", color, t.passed, t.failed,
               t.skipped, colors_.reset);
  unflushed_ = true;
  Flush();
}

}  // namespace parley::harness
