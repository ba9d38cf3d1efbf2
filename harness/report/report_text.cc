#include "harness/report/report_text.h"

#include "harness/text/bytes_text.h"

namespace parley::harness {
namespace {

std::string Indent(std::string_view text, std::string_view prefix) {
  std::string out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    out += prefix;
    out += text.substr(pos, end - pos);
    out += '\n';
    pos = end + 1;
  }
  return out;
}

}  // namespace

Colors Colors::Terminal() {
  Colors c;
  c.red = "\033[31m";
  c.green = "\033[32m";
  c.yellow = "\033[33m";
  c.dim = "\033[2m";
  c.bold = "\033[1m";
  c.reset = "\033[0m";
  return c;
}

std::string SanitizeText(std::string_view text) {
  // Newlines and tabs stay as they are; each piece between them is escaped.
  std::string out;
  std::size_t pos = 0;
  for (;;) {
    std::size_t end = text.find_first_of("\n\t", pos);
    if (end == std::string_view::npos) {
      out += EscapeKeepingBackslashes(text.substr(pos));
      return out;
    }
    out += EscapeKeepingBackslashes(text.substr(pos, end - pos));
    out += text[end];
    pos = end + 1;
  }
}

std::string AllTranscripts(const ScenarioResult& result) {
  std::string out;
  for (const auto& t : result.transcripts) {
    out += "  connection " + t->name() + ":\n" + Indent(t->Render(), "    ");
  }
  return out;
}

std::string FailureDetails(const ScenarioResult& result, bool all_transcripts,
                           const Colors& colors) {
  std::string out;
  if (result.failed_at) {
    const std::string& file =
        result.failed_file.empty() ? result.scenario->file : result.failed_file;
    out += "  at " + file + ":" + std::to_string(result.failed_at->line) + ":" +
           std::to_string(result.failed_at->column) + " (" + result.failed_step +
           (result.failed_connection.empty() ? "" : " on " + result.failed_connection) + ")\n";
  } else {
    out +=
        "  in " + result.scenario->file + ":" + std::to_string(result.scenario->where.line) + "\n";
  }
  out += colors.bold;
  out += Indent(result.message, "  ");
  out += colors.reset;
  for (const auto& t : result.transcripts) {
    bool failing = t->name() == result.failed_connection ||
                   t->name().rfind(result.failed_connection + " (#", 0) == 0;
    if (!all_transcripts && !failing && !result.failed_connection.empty()) continue;
    out +=
        std::string("  ") + colors.dim + "transcript of " + t->name() + ":" + colors.reset + "\n";
    out += Indent(t->Render(), "    ");
  }
  for (const TargetRecord& target : result.targets) {
    if (target.stderr_text.empty() && target.ending.empty()) continue;
    out += std::string("  ") + colors.dim + "target " + target.name + " (" + target.address +
           (target.ending.empty() ? "" : ", " + target.ending) + ")" +
           (target.stderr_text.empty() ? " wrote nothing to stderr" : " stderr:") + colors.reset +
           "\n";
    if (!target.stderr_text.empty()) out += Indent(SanitizeText(target.stderr_text), "    | ");
  }
  return out;
}

}  // namespace parley::harness
