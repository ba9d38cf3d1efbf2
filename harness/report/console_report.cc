#include "harness/report/console_report.h"

#include <algorithm>
#include <array>
#include <string>

#include "harness/scenario/duration.h"

namespace parley::harness {

Tally Tally::Of(const std::vector<ScenarioResult>& results) {
  Tally t;
  for (const ScenarioResult& r : results) {
    switch (r.status) {
      case ScenarioResult::Status::kPassed:
        ++t.passed;
        if (r.flaky) ++t.flaky;
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

std::string RepeatTable(const std::vector<ScenarioResult>& results) {
  struct Row {
    const Scenario* scenario;
    int plays = 0;
    int passed = 0;
    std::vector<std::pair<std::string, int>> kinds;  // in order of first appearance
  };
  std::vector<Row> rows;
  bool repeated = false;
  for (const ScenarioResult& r : results) {
    if (r.status == ScenarioResult::Status::kSkipped) continue;
    repeated = repeated || r.repeat > 0;
    auto row = std::find_if(rows.begin(), rows.end(),
                            [&](const Row& x) { return x.scenario == r.scenario; });
    if (row == rows.end()) row = rows.insert(rows.end(), Row{r.scenario, 0, 0, {}});
    ++row->plays;
    if (r.passed()) {
      ++row->passed;
      continue;
    }
    std::string kind = r.Location() + (r.failed_step.empty() ? "" : " " + r.failed_step) + ": " +
                       r.message.substr(0, r.message.find('\n'));
    if (kind.size() > 100) kind = kind.substr(0, 97) + "...";
    auto same = std::find_if(row->kinds.begin(), row->kinds.end(),
                             [&](const auto& k) { return k.first == kind; });
    if (same == row->kinds.end()) {
      row->kinds.emplace_back(kind, 1);
    } else {
      ++same->second;
    }
  }
  if (!repeated) return "";
  std::vector<std::array<std::string, 3>> lines = {{"scenario", "passed", "failures"}};
  for (const Row& row : rows) {
    if (row.passed == row.plays) continue;
    std::string passed = std::to_string(row.passed) + " of " + std::to_string(row.plays);
    for (std::size_t i = 0; i < row.kinds.size(); ++i) {
      lines.push_back({i == 0 ? row.scenario->name : "", i == 0 ? passed : "",
                       std::to_string(row.kinds[i].second) + "x " + row.kinds[i].first});
    }
  }
  if (lines.size() == 1) return "";
  std::size_t name_width = 0, passed_width = 0;
  for (const auto& line : lines) {
    name_width = std::max(name_width, line[0].size());
    passed_width = std::max(passed_width, line[1].size());
  }
  std::string table;
  for (const auto& line : lines) {
    table += "  " + line[0] + std::string(name_width - line[0].size() + 2, ' ') + line[1] +
             std::string(passed_width - line[1].size() + 2, ' ') + line[2] + "\n";
  }
  return table;
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
  done_ = done;
  total_ = total;
  if (progress_ && done < total) ShowProgress("");
  unflushed_ = true;
  if (progress_ || failed || std::chrono::steady_clock::now() - last_flush_ >= kFlushEvery) {
    Flush();
  }
}

void ConsoleReport::ShowProgress(const std::string& activity) {
  std::string line = "[" + std::to_string(done_) + "/" + std::to_string(total_) + "]";
  if (failed_so_far_ > 0) line += " " + std::to_string(failed_so_far_) + " failed";
  if (!activity.empty()) line += " " + activity;
  // One terminal line: a wrapped one could not be cleared with \r.
  constexpr std::size_t kWidth = 79;
  if (line.size() > kWidth) line = line.substr(0, kWidth - 3) + "...";
  std::fprintf(out_, "%s%s%s", colors_.dim, line.c_str(), colors_.reset);
  progress_shown_ = true;
}

void ConsoleReport::Tick(const std::string& activity) {
  if (!progress_ || total_ == 0 || done_ >= total_) return;
  ClearProgress();
  ShowProgress(activity);
  std::fflush(out_);
}

void ConsoleReport::OnRerun(const ScenarioResult& result, int attempt) {
  ClearProgress();
  const bool passed = result.status == ScenarioResult::Status::kPassed;
  std::string line = std::string(passed ? colors_.yellow : colors_.red) +
                     (passed ? "FLAKY" : StatusWord(result.status)) + colors_.reset + "  " +
                     result.DisplayName() + "  " + colors_.dim + "(play " +
                     std::to_string(attempt) + ", " + FormatElapsed(result.elapsed) + ")" +
                     colors_.reset;
  if (passed) line += " passed when played again";
  std::fprintf(out_, "%s\n", line.c_str());
  unflushed_ = true;
  Flush();
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
  std::vector<const ScenarioResult*> flaky;
  for (const ScenarioResult& r : results)
    if (r.flaky) flaky.push_back(&r);
  if (!flaky.empty()) {
    std::fprintf(out_, "\n%sflaky (failed, then passed when played again):%s\n", colors_.yellow,
                 colors_.reset);
    for (const ScenarioResult* r : flaky) {
      std::string first = r->flaky_message.substr(0, r->flaky_message.find('\n'));
      std::fprintf(out_, "  %s  (%d plays): %s\n", r->DisplayName().c_str(), r->attempts,
                   first.c_str());
    }
  }
  const std::string repeats = RepeatTable(results);
  if (!repeats.empty()) {
    std::fprintf(out_, "\n%snot passing every time:%s\n%s", colors_.yellow, colors_.reset,
                 repeats.c_str());
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
  std::string flaky_count = t.flaky > 0 ? " (" + std::to_string(t.flaky) + " flaky)" : "";
  std::fprintf(out_, "%sparley: %zu passed%s, %zu failed, %zu skipped%s\n", color, t.passed,
               flaky_count.c_str(), t.failed, t.skipped, colors_.reset);
  unflushed_ = true;
  Flush();
}

}  // namespace parley::harness
