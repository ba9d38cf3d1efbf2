#include "harness/report/json_report.h"

#include <cstdio>

#include "harness/report/console_report.h"
#include "harness/report/report_text.h"

namespace parley::harness {
namespace {

std::string Millis(std::chrono::nanoseconds d) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", std::chrono::duration<double, std::milli>(d).count());
  return text;
}

}  // namespace

std::string JsonString(std::string_view text) {
  std::string safe = SanitizeText(text);
  std::string out = "\"";
  for (char c : safe) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char hex[8];
          std::snprintf(hex, sizeof hex, "\\u%04x", static_cast<unsigned char>(c));
          out += hex;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string JsonReport(const std::vector<ScenarioResult>& results, std::chrono::nanoseconds elapsed,
                       int interrupted_by_signal) {
  Tally t = Tally::Of(results);
  std::string out = "{\n  \"tool\": \"parley\",\n  \"version\": \"" PARLEY_VERSION "\",\n";
  out += "  \"summary\": {\"total\": " + std::to_string(results.size()) +
         ", \"passed\": " + std::to_string(t.passed) + ", \"failed\": " + std::to_string(t.failed) +
         ", \"skipped\": " + std::to_string(t.skipped) +
         ", \"target_errors\": " + std::to_string(t.target_errors) +
         ", \"interrupted\": " + std::to_string(t.interrupted) +
         ", \"flaky\": " + std::to_string(t.flaky) +
         ", \"signal\": " + std::to_string(interrupted_by_signal) +
         ", \"duration_ms\": " + Millis(elapsed) + "},\n";
  out += "  \"scenarios\": [";
  bool first = true;
  for (const ScenarioResult& r : results) {
    out += first ? "\n" : ",\n";
    first = false;
    out += "    {\"name\": " + JsonString(r.scenario->name) +
           ", \"file\": " + JsonString(r.scenario->file) +
           ", \"line\": " + std::to_string(r.scenario->where.line) +
           ", \"repeat\": " + std::to_string(r.repeat) + ", \"status\": \"" + StatusName(r.status) +
           "\", \"duration_ms\": " + Millis(r.elapsed) + ", \"tags\": [";
    for (std::size_t i = 0; i < r.scenario->tags.size(); ++i) {
      out += (i ? ", " : "") + JsonString(r.scenario->tags[i]);
    }
    out += "], \"attempts\": " + std::to_string(r.attempts);
    if (r.flaky) out += ", \"flaky\": true, \"flaky_message\": " + JsonString(r.flaky_message);
    if (!r.message.empty()) out += ", \"message\": " + JsonString(r.message);
    if (r.failed_at) {
      out += ", \"failed_at\": {\"line\": " + std::to_string(r.failed_at->line) +
             ", \"column\": " + std::to_string(r.failed_at->column) +
             (r.failed_file.empty() ? "" : ", \"file\": " + JsonString(r.failed_file)) +
             ", \"step\": " + JsonString(r.failed_step) +
             ", \"connection\": " + JsonString(r.failed_connection) + "}";
    }
    out += ", \"transcripts\": [";
    for (std::size_t i = 0; i < r.transcripts.size(); ++i) {
      out += std::string(i ? ", " : "") +
             "{\"connection\": " + JsonString(r.transcripts[i]->name()) +
             ", \"text\": " + JsonString(r.transcripts[i]->Render()) + "}";
    }
    out += "], \"targets\": [";
    for (std::size_t i = 0; i < r.targets.size(); ++i) {
      const TargetRecord& target = r.targets[i];
      out += std::string(i ? ", " : "") + "{\"name\": " + JsonString(target.name) +
             ", \"address\": " + JsonString(target.address) +
             ", \"own_process\": " + (target.own ? "true" : "false") +
             ", \"command\": " + JsonString(target.command) +
             ", \"ending\": " + JsonString(target.ending) +
             ", \"stderr\": " + JsonString(target.stderr_text) + "}";
    }
    out += "]}";
  }
  out += "\n  ]\n}\n";
  return out;
}

}  // namespace parley::harness
