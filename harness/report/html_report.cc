#include "harness/report/html_report.h"

#include <algorithm>
#include <array>
#include <set>
#include <string_view>

#include "harness/report/console_report.h"
#include "harness/report/html_report_assets.h"
#include "harness/report/junit_report.h"
#include "harness/scenario/duration.h"

namespace parley::harness {
namespace {

// The page's statuses, in the order of the summary and the filter: the JSON report's words,
// and "flaky" for a pass after a failed play (--rerun-failed).
constexpr std::array<std::string_view, 6> kStatuses = {"failed", "target-error", "interrupted",
                                                       "flaky",  "skipped",      "passed"};

std::string_view PageStatus(const ScenarioResult& r) {
  return r.flaky ? "flaky" : StatusName(r.status);
}

// A result that gets a block of its own under "Failures": everything but plain passes and skips.
bool HasDetails(const ScenarioResult& r) {
  return r.flaky || (r.status != ScenarioResult::Status::kPassed &&
                     r.status != ScenarioResult::Status::kSkipped);
}

// A noncharacter (U+FDD0..U+FDEF, U+xFFFE, U+xFFFF) is a parse error in HTML, as text and as a
// character reference alike.
bool IsNoncharacter(char32_t c) {
  return (c >= 0xFDD0 && c <= 0xFDEF) || (c & 0xFFFE) == 0xFFFE;
}

std::size_t Utf8Length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if (lead < 0xE0) return 2;
  if (lead < 0xF0) return 3;
  return 4;
}

void AppendHexBytes(std::string& out, std::string_view bytes) {
  static constexpr std::string_view kHex = "0123456789ABCDEF";
  for (unsigned char b : bytes) {
    out += "\\x";
    out += kHex[b >> 4];
    out += kHex[b & 0x0F];
  }
}

// `text` made safe as HTML text or a quoted attribute value: XmlEscape's (valid UTF-8, control
// bytes escaped as in the console, the specials as references), with noncharacters shown as
// their escaped bytes.
std::string Html(std::string_view text) {
  const std::string escaped = XmlEscape(text);
  std::string out;
  out.reserve(escaped.size());
  for (std::size_t i = 0; i < escaped.size();) {
    const auto lead = static_cast<unsigned char>(escaped[i]);
    const std::size_t n = std::min(Utf8Length(lead), escaped.size() - i);
    char32_t c = lead & (0x7F >> n);
    for (std::size_t k = 1; k < n; ++k) {
      c = (c << 6) | (static_cast<unsigned char>(escaped[i + k]) & 0x3F);
    }
    if (n > 1 && IsNoncharacter(c)) {
      AppendHexBytes(out, std::string_view(escaped).substr(i, n));
    } else {
      out.append(escaped, i, n);
    }
    i += n;
  }
  return out;
}

// Calls `line(text)` for each line of `text` (without its '\n'); a last empty line is not one.
template <typename F>
void ForEachLine(std::string_view text, F&& line) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    line(text.substr(pos, end - pos));
    pos = end + 1;
  }
}

void AppendLine(std::string& out, std::string_view css_class, std::string_view line) {
  if (css_class.empty()) {
    out += Html(line) + "\n";
  } else {
    out += "<span class=\"" + std::string(css_class) + "\">" + Html(line) + "</span>\n";
  }
}

// A failure message with its diffs coloured. A unified diff starts at a line beginning with
// "@@" (or "--- " followed by "+++ "), after any indent, and goes on while lines at that indent
// start with ' ', '-', '+', '@' or '\'. Outside one, the console's byte diff is marked: its
// "expected:" and "actual:" lines and the caret line under them.
std::string MessageHtml(std::string_view message) {
  std::string out;
  bool in_diff = false;
  std::size_t indent = 0;
  std::string_view previous;
  ForEachLine(message, [&](std::string_view line) {
    const std::size_t first = std::min(line.find_first_not_of(' '), line.size());
    const std::string_view body = line.substr(first);
    if (body.starts_with("@@") || (body.starts_with("+++ ") && previous.starts_with("--- "))) {
      in_diff = true;
      indent = first;
    } else if (in_diff &&
               !(line.size() > indent && first >= indent &&
                 std::string_view(" -+@\\").find(line[indent]) != std::string_view::npos)) {
      in_diff = false;
    }
    previous = body;
    std::string_view css = "";
    if (in_diff) {
      const char c = line.size() > indent ? line[indent] : ' ';
      css = c == '@' ? "d-hunk" : c == '-' ? "d-del" : c == '+' ? "d-add" : "";
    } else if (body.starts_with("--- ")) {
      css = "d-del";
    } else if (body.starts_with("expected: ")) {
      css = "d-exp";
    } else if (body.starts_with("actual: ")) {
      css = "d-act";
    } else if (body.starts_with("^ ") || body == "^") {
      css = "d-caret";
    }
    AppendLine(out, css, line);
  });
  return out;
}

// Transcript::Render's lines, coloured by direction: "+1.2ms  > ..." sent, "  < " received,
// "  - " a note.
std::string TranscriptHtml(const Transcript& transcript) {
  std::string out;
  ForEachLine(transcript.Render(), [&](std::string_view line) {
    const std::size_t gap = line.find("  ");
    const char mark = gap != std::string_view::npos && gap + 2 < line.size() ? line[gap + 2] : 0;
    AppendLine(out,
               mark == '>'   ? "t-sent"
               : mark == '<' ? "t-recv"
               : mark == '-' ? "t-note"
                             : "",
               line);
  });
  return out;
}

std::string Tags(const Scenario& s) {
  std::string out;
  for (const std::string& tag : s.tags)
    out += "<span class=\"tag\">" + Html(tag) + "</span>";
  return out;
}

std::string StatusLabel(std::string_view status) {
  return "<span class=\"st st-" + std::string(status) + "\">" + std::string(status) + "</span>";
}

std::string SignalText(int signal) {
  std::string out = "signal " + std::to_string(signal);
  if (signal == 2) out += " (SIGINT)";
  if (signal == 15) out += " (SIGTERM)";
  return out;
}

std::string StepLocation(const ScenarioResult& r) {
  if (!r.failed_at) {
    return "in <code>" + Html(r.scenario->file) + ":" + std::to_string(r.scenario->where.line) +
           "</code>";
  }
  const std::string& file = r.failed_file.empty() ? r.scenario->file : r.failed_file;
  return "at <code>" + Html(file) + ":" + std::to_string(r.failed_at->line) + ":" +
         std::to_string(r.failed_at->column) + "</code> (" + Html(r.failed_step) +
         (r.failed_connection.empty() ? "" : " on <code>" + Html(r.failed_connection) + "</code>") +
         ")";
}

bool IsFailingConnection(const ScenarioResult& r, const std::string& name) {
  return !r.failed_connection.empty() &&
         (name == r.failed_connection || name.starts_with(r.failed_connection + " (#"));
}

std::string TargetsHtml(const ScenarioResult& r) {
  std::string out;
  for (const TargetRecord& t : r.targets) {
    out += "<div class=\"target\"><p>target <code>" + Html(t.name) + "</code> (" + Html(t.address) +
           (t.own ? ", its own process" : ", shared") +
           (t.ending.empty() ? "" : ", " + Html(t.ending)) + ")";
    if (!t.command.empty()) out += "<br>command: <code>" + Html(t.command) + "</code>";
    out += "</p>";
    if (t.stderr_text.empty()) {
      out += "<p class=\"note\">it wrote nothing to stderr</p>";
    } else {
      std::size_t lines = 0;
      ForEachLine(t.stderr_text, [&](std::string_view) { ++lines; });
      out += "<details open><summary>its stderr (" + std::to_string(lines) +
             " lines)</summary><pre class=\"stderr\">" + Html(t.stderr_text) + "</pre></details>";
    }
    out += "</div>\n";
  }
  return out;
}

std::string DetailsHtml(const ScenarioResult& r, std::size_t index) {
  const std::string_view status = PageStatus(r);
  std::string out = "<section class=\"problem\" id=\"d-" + std::to_string(index) +
                    "\" data-status=\"" + std::string(status) + "\">\n<h3>" + StatusLabel(status) +
                    " <span class=\"name\">" + Html(r.DisplayName()) + "</span> " +
                    Tags(*r.scenario) + " <span class=\"dim\">(" + FormatElapsed(r.elapsed) +
                    ")</span></h3>\n";
  if (!r.scenario->description.empty()) {
    out += "<p class=\"note\">" + Html(r.scenario->description) + "</p>\n";
  }
  if (r.flaky) {
    out += "<p>passed when played again (" + std::to_string(r.attempts) +
           " plays); the first play failed:</p>\n<pre class=\"message\">" +
           MessageHtml(r.flaky_message) + "</pre>\n";
  } else {
    out += "<p class=\"at\">" + StepLocation(r) + "</p>\n<pre class=\"message\">" +
           MessageHtml(r.message) + "</pre>\n";
  }
  for (const auto& t : r.transcripts) {
    out += "<details><summary>transcript of <code>" + Html(t->name()) + "</code>" +
           (IsFailingConnection(r, t->name()) ? " (the failing connection)" : "") +
           "</summary><pre class=\"transcript\">" + TranscriptHtml(*t) + "</pre></details>\n";
  }
  return out + TargetsHtml(r) + "</section>\n";
}

std::string RowHtml(const ScenarioResult& r, std::size_t index) {
  const std::string_view status = PageStatus(r);
  std::string name = "<span class=\"name\">" + Html(r.DisplayName()) + "</span>";
  if (HasDetails(r)) name = "<a href=\"#d-" + std::to_string(index) + "\">" + name + "</a>";
  std::string note;
  if (r.status == ScenarioResult::Status::kSkipped && !r.message.empty()) {
    note = " <span class=\"note\">skipped: " + Html(r.message) + "</span>";
  }
  return "<tr class=\"scenario\" data-status=\"" + std::string(status) + "\"><td>" +
         StatusLabel(status) + "</td><td>" + name + note + "</td><td class=\"time\">" +
         FormatElapsed(r.elapsed) + "</td><td class=\"where\">" + Html(r.scenario->file) + ":" +
         std::to_string(r.scenario->where.line) + "</td><td>" + Tags(*r.scenario) + "</td></tr>\n";
}

std::string SummaryHtml(const std::vector<ScenarioResult>& results,
                        std::chrono::nanoseconds elapsed, int interrupted_by_signal) {
  const Tally t = Tally::Of(results);
  std::string out = "<p id=\"summary\">" + std::to_string(results.size()) + " scenario(s) in " +
                    FormatElapsed(elapsed) + ": <strong>" + std::to_string(t.passed) + " passed, " +
                    std::to_string(t.failed) + " failed, " + std::to_string(t.skipped) +
                    " skipped</strong>";
  if (t.target_errors > 0) {
    out += ", " + std::to_string(t.target_errors) + " with a target that could not start";
  }
  if (t.interrupted > 0) out += ", " + std::to_string(t.interrupted) + " interrupted";
  out += "</p>\n";
  if (interrupted_by_signal != 0) {
    out += "<p class=\"banner\" id=\"interrupted\"><strong>Interrupted</strong> by " +
           SignalText(interrupted_by_signal) + ": the targets were stopped; " +
           std::to_string(t.interrupted) + " scenario(s) did not finish.</p>\n";
  }
  return out;
}

std::string FilterHtml(const std::vector<ScenarioResult>& results) {
  std::array<std::size_t, kStatuses.size()> counts{};
  std::set<std::string> tags;
  for (const ScenarioResult& r : results) {
    for (std::size_t i = 0; i < kStatuses.size(); ++i)
      counts[i] += PageStatus(r) == kStatuses[i];
    tags.insert(r.scenario->tags.begin(), r.scenario->tags.end());
  }
  std::string out = "<form id=\"filter\" onsubmit=\"return false\">\n";
  for (std::size_t i = 0; i < kStatuses.size(); ++i) {
    const std::string status(kStatuses[i]);
    out += std::string(counts[i] == 0 ? "<label class=\"chip none\">" : "<label class=\"chip\">") +
           "<input type=\"checkbox\" name=\"status\" value=\"" + status + "\" checked> " +
           StatusLabel(status) + " <span id=\"count-" + status + "\">" + std::to_string(counts[i]) +
           "</span></label>\n";
  }
  out += "<label>tag <select id=\"tag\"><option value=\"\">any</option>";
  for (const std::string& tag : tags) {
    out += "<option value=\"" + Html(tag) + "\">" + Html(tag) + "</option>";
  }
  out +=
      "</select></label>\n<label>name <input type=\"search\" id=\"q\"></label>\n"
      "<button type=\"button\" id=\"all\">show all</button>\n"
      "<span class=\"dim\">showing <span id=\"shown\">" +
      std::to_string(results.size()) + "</span> of " + std::to_string(results.size()) +
      "</span>\n</form>\n";
  return out;
}

}  // namespace

std::string HtmlReport(const std::vector<ScenarioResult>& results, std::chrono::nanoseconds elapsed,
                       int interrupted_by_signal) {
  const Tally t = Tally::Of(results);
  std::string page = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  page += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  page += "<meta name=\"generator\" content=\"parley " PARLEY_VERSION "\">\n";
  page += "<title>parley: " + std::to_string(t.passed) + " passed, " + std::to_string(t.failed) +
          " failed, " + std::to_string(t.skipped) + " skipped" +
          (interrupted_by_signal != 0 ? " (interrupted)" : "") + "</title>\n";
  page += "<style>";
  page += kHtmlReportStyle;
  page += "</style>\n<script>";
  page += kHtmlReportOnError;
  page += "</script>\n</head>\n<body>\n<h1>parley report</h1>\n";
  page += SummaryHtml(results, elapsed, interrupted_by_signal);
  page += FilterHtml(results);

  // Failures first, then the flaky passes, each group in plan order.
  std::string details;
  for (bool flaky : {false, true}) {
    for (std::size_t i = 0; i < results.size(); ++i) {
      if (HasDetails(results[i]) && results[i].flaky == flaky)
        details += DetailsHtml(results[i], i);
    }
  }
  page += "<h2 id=\"failures\">Failures</h2>\n";
  page += details.empty() ? "<p class=\"note\">No failures.</p>\n" : details;

  page += "<h2 id=\"scenarios\">Scenarios</h2>\n";
  if (results.empty()) {
    page += "<p class=\"note\">No scenario was played.</p>\n";
  } else {
    page +=
        "<table>\n<thead><tr><th>status</th><th>scenario</th><th>time</th><th>where</th>"
        "<th>tags</th></tr></thead>\n<tbody>\n";
    for (std::size_t i = 0; i < results.size(); ++i)
      page += RowHtml(results[i], i);
    page += "</tbody>\n</table>\n";
  }
  page += "<script>";
  page += kHtmlReportScript;
  page += "</script>\n</body>\n</html>\n";
  return page;
}

}  // namespace parley::harness
