#include "harness/report/junit_report.h"

#include <cstdio>
#include <map>

#include "harness/report/report_text.h"

namespace parley::harness {
namespace {

std::string Seconds(std::chrono::nanoseconds d) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", std::chrono::duration<double>(d).count());
  return text;
}

std::string FirstLine(const std::string& text) {
  return text.substr(0, text.find('\n'));
}

struct Counts {
  std::size_t tests = 0, failures = 0, errors = 0, skipped = 0;
  std::chrono::nanoseconds time{0};
};

void Count(const ScenarioResult& r, Counts* c) {
  ++c->tests;
  c->time += r.elapsed;
  switch (r.status) {
    case ScenarioResult::Status::kFailed:
      ++c->failures;
      break;
    case ScenarioResult::Status::kTargetError:
    case ScenarioResult::Status::kInterrupted:
      ++c->errors;
      break;
    case ScenarioResult::Status::kSkipped:
      ++c->skipped;
      break;
    case ScenarioResult::Status::kPassed:
      break;
  }
}

std::string Attributes(const Counts& c) {
  return " tests=\"" + std::to_string(c.tests) + "\" failures=\"" + std::to_string(c.failures) +
         "\" errors=\"" + std::to_string(c.errors) + "\" skipped=\"" + std::to_string(c.skipped) +
         "\"";
}

}  // namespace

std::string XmlEscape(std::string_view text) {
  std::string safe = SanitizeText(text);
  std::string out;
  out.reserve(safe.size());
  for (std::size_t i = 0; i < safe.size(); ++i) {
    const char c = safe[i];
    // U+FFFE and U+FFFF are valid UTF-8 but not XML 1.0 characters: shown as their bytes.
    if (c == '\xEF' && i + 2 < safe.size() && safe[i + 1] == '\xBF' &&
        (safe[i + 2] == '\xBE' || safe[i + 2] == '\xBF')) {
      out += safe[i + 2] == '\xBE' ? "\\xEF\\xBF\\xBE" : "\\xEF\\xBF\\xBF";
      i += 2;
      continue;
    }
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string JunitReport(const std::vector<ScenarioResult>& results,
                        std::chrono::nanoseconds elapsed) {
  std::map<std::string, std::vector<const ScenarioResult*>> by_file;
  std::vector<std::string> order;
  Counts total;
  for (const ScenarioResult& r : results) {
    if (by_file.count(r.scenario->file) == 0) order.push_back(r.scenario->file);
    by_file[r.scenario->file].push_back(&r);
    Count(r, &total);
  }
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out +=
      "<testsuites name=\"parley\"" + Attributes(total) + " time=\"" + Seconds(elapsed) + "\">\n";
  for (const std::string& file : order) {
    Counts c;
    for (const ScenarioResult* r : by_file[file])
      Count(*r, &c);
    out += "  <testsuite name=\"" + XmlEscape(file) + "\"" + Attributes(c) + " time=\"" +
           Seconds(c.time) + "\">\n";
    for (const ScenarioResult* r : by_file[file]) {
      out += "    <testcase name=\"" + XmlEscape(r->DisplayName()) + "\" classname=\"" +
             XmlEscape(file) + "\" file=\"" + XmlEscape(file) + "\" line=\"" +
             std::to_string(r->scenario->where.line) + "\" time=\"" + Seconds(r->elapsed) + "\"";
      std::string stderr_text;
      for (const TargetRecord& t : r->targets) {
        if (t.stderr_text.empty()) continue;
        stderr_text += "== target " + t.name + " (" + t.address +
                       (t.ending.empty() ? "" : ", " + t.ending) + ") ==\n" + t.stderr_text;
        if (stderr_text.back() != '\n') stderr_text += '\n';
      }
      bool failed = r->status == ScenarioResult::Status::kFailed;
      bool error = r->status == ScenarioResult::Status::kTargetError ||
                   r->status == ScenarioResult::Status::kInterrupted;
      if (!failed && !error && r->status != ScenarioResult::Status::kSkipped && !r->flaky &&
          stderr_text.empty()) {
        out += "/>\n";
        continue;
      }
      out += ">\n";
      if (r->status == ScenarioResult::Status::kSkipped) {
        out += "      <skipped message=\"" + XmlEscape(r->message) + "\"/>\n";
      } else if (r->flaky) {
        // Passed when played again (--rerun-failed): Maven Surefire's element for that.
        out += "      <flakyFailure message=\"" + XmlEscape(FirstLine(r->flaky_message)) +
               "\" type=\"failed, then passed on play " + std::to_string(r->attempts) + "\">" +
               XmlEscape(r->flaky_message) + "</flakyFailure>\n";
      } else if (failed || error) {
        const char* tag = failed ? "failure" : "error";
        out += std::string("      <") + tag + " message=\"" + XmlEscape(FirstLine(r->message)) +
               "\">" + XmlEscape(FailureDetails(*r, false)) + "</" + tag + ">\n";
      }
      if (!stderr_text.empty())
        out += "      <system-err>" + XmlEscape(stderr_text) + "</system-err>\n";
      out += "    </testcase>\n";
    }
    out += "  </testsuite>\n";
  }
  out += "</testsuites>\n";
  return out;
}

}  // namespace parley::harness
