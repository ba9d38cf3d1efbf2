#include "harness/play/matcher.h"

#include <algorithm>
#include <functional>

#include "harness/scenario/payload.h"
#include "harness/scenario/regex.h"
#include "harness/text/bytes_text.h"

namespace parley::harness {
namespace {

constexpr std::size_t kShowBytes = 300;

std::string Show(std::string_view bytes) {
  if (bytes.size() <= kShowBytes) return "\"" + EscapeBytes(bytes) + "\"";
  return "\"" + EscapeBytes(bytes.substr(0, kShowBytes)) + "\"... (" +
         std::to_string(bytes.size()) + " bytes)";
}

std::string ShowTail(std::string_view bytes) {
  if (bytes.size() <= kShowBytes) return Show(bytes);
  return "...\"" + EscapeBytes(bytes.substr(bytes.size() - kShowBytes)) + "\" (last " +
         std::to_string(kShowBytes) + " of " + std::to_string(bytes.size()) + " bytes)";
}

std::string Indent(const std::string& text, const std::string& prefix) {
  std::string out = prefix;
  for (char c : text) {
    out += c;
    if (c == '\n') out += prefix;
  }
  return out;
}

Verdict Pass(std::size_t consumed, std::vector<std::string> captures = {}) {
  return {Verdict::Kind::kPass, consumed, std::move(captures), ""};
}

// Renders a TextMatch pattern (quoting values for a regex).
std::optional<std::string> RenderPattern(const TextMatch& match, const Variables& vars,
                                         std::string* error) {
  if (match.kind == TextMatch::Kind::kRegex) {
    return match.pattern.Render(vars, error, [](std::string_view v) { return QuoteRegex(v); });
  }
  return match.pattern.Render(vars, error);
}

// "the line differs" style explanation of one mismatch.
std::string ExplainMismatch(const TextMatch& match, std::string_view actual,
                            const Variables& vars) {
  std::string error;
  auto pattern = RenderPattern(match, vars, &error);
  if (!pattern) return error;
  if (match.kind == TextMatch::Kind::kExact) return RenderDiff(*pattern, actual);
  return "expected: " + DescribeMatch(match, vars) + "\n  actual: " + Show(actual);
}

Verdict CheckLines(const ExpectStep& expect, const Inbox& inbox, const Variables& vars) {
  const std::size_t wanted = expect.lines.size();
  std::vector<std::string_view> lines;
  std::vector<std::size_t> ends;
  std::size_t offset = 0;
  while (lines.size() < wanted) {
    std::string_view line;
    std::size_t next = 0;
    if (!NextLine(inbox, offset, &line, &next)) break;
    lines.push_back(line);
    ends.push_back(next);
    offset = next;
  }
  std::string error;
  std::vector<std::string> captures;
  if (!expect.any_order) {
    for (std::size_t i = 0; i < lines.size(); ++i) {
      std::vector<std::string> groups;
      bool ok = MatchText(expect.lines[i], lines[i], vars, &groups, &error);
      if (!error.empty()) return Verdict::Fail(error);
      if (!ok) {
        std::string what = wanted == 1 ? "the line differs:\n"
                                       : "line " + std::to_string(i + 1) + " of " +
                                             std::to_string(wanted) + " differs:\n";
        return Verdict::Fail(what + ExplainMismatch(expect.lines[i], lines[i], vars));
      }
      captures.insert(captures.end(), groups.begin(), groups.end());
    }
  } else {
    // matches[i][j]: line i matches expectation j.
    std::vector<std::vector<bool>> matches(lines.size(), std::vector<bool>(wanted));
    for (std::size_t i = 0; i < lines.size(); ++i) {
      bool any = false;
      for (std::size_t j = 0; j < wanted; ++j) {
        std::vector<std::string> ignored;
        matches[i][j] = MatchText(expect.lines[j], lines[i], vars, &ignored, &error);
        if (!error.empty()) return Verdict::Fail(error);
        any = any || matches[i][j];
      }
      if (!any) {
        std::string message = "line " + Show(lines[i]) + " matches none of the expected lines:";
        for (const TextMatch& m : expect.lines)
          message += "\n  - " + DescribeMatch(m, vars);
        return Verdict::Fail(message);
      }
    }
    if (lines.size() == wanted) {
      // Pair lines with expectations (augmenting paths; the lists are short).
      std::vector<int> line_of(wanted, -1);
      std::function<bool(std::size_t, std::vector<bool>&)> assign = [&](std::size_t i,
                                                                        std::vector<bool>& seen) {
        for (std::size_t j = 0; j < wanted; ++j) {
          if (!matches[i][j] || seen[j]) continue;
          seen[j] = true;
          if (line_of[j] < 0 || assign(static_cast<std::size_t>(line_of[j]), seen)) {
            line_of[j] = static_cast<int>(i);
            return true;
          }
        }
        return false;
      };
      for (std::size_t i = 0; i < wanted; ++i) {
        std::vector<bool> seen(wanted);
        if (!assign(i, seen)) {
          std::string message = "the lines arrived but do not pair up with the expected ones:";
          for (std::string_view l : lines)
            message += "\n  got " + Show(l);
          for (const TextMatch& m : expect.lines)
            message += "\n  expected " + DescribeMatch(m, vars);
          return Verdict::Fail(message);
        }
      }
      for (std::size_t j = 0; j < wanted; ++j) {
        std::vector<std::string> groups;
        MatchText(expect.lines[j], lines[static_cast<std::size_t>(line_of[j])], vars, &groups,
                  &error);
        captures.insert(captures.end(), groups.begin(), groups.end());
      }
    }
  }
  if (lines.size() == wanted) return Pass(offset, std::move(captures));
  if (inbox.end != Inbox::End::kOpen) {
    std::string message = DescribeEnd(inbox) + " after " + std::to_string(lines.size()) + " of " +
                          std::to_string(wanted) + " expected line" + (wanted == 1 ? "" : "s");
    std::string_view rest = inbox.bytes.substr(offset);
    if (!rest.empty()) message += "; an unfinished line arrived: " + Show(rest);
    if (wanted == 1 && !rest.empty() && expect.lines[0].kind == TextMatch::Kind::kExact) {
      message += "\n" + ExplainMismatch(expect.lines[0], rest, vars);
    }
    return Verdict::Fail(message);
  }
  return Verdict::Wait();
}

Verdict CheckBytes(const ExpectStep& expect, const Inbox& inbox, const Variables& vars) {
  std::string expected;
  std::string error;
  if (!RenderPayload(expect.bytes, vars, &expected, &error)) return Verdict::Fail(error);
  std::size_t n = std::min(expected.size(), inbox.bytes.size());
  if (FirstDifference(std::string_view(expected).substr(0, n), inbox.bytes.substr(0, n)) !=
      std::string_view::npos) {
    return Verdict::Fail("the bytes differ:\n" +
                         RenderDiff(expected, inbox.bytes.substr(0, expected.size() + 40)));
  }
  if (inbox.bytes.size() >= expected.size()) return Pass(expected.size());
  if (inbox.end != Inbox::End::kOpen) {
    return Verdict::Fail(DescribeEnd(inbox) + " after " + std::to_string(inbox.bytes.size()) +
                         " of " + std::to_string(expected.size()) + " expected bytes:\n" +
                         RenderDiff(expected, inbox.bytes));
  }
  return Verdict::Wait();
}

Verdict CheckContains(const ExpectStep& expect, const Inbox& inbox, const Variables& vars) {
  std::string expected;
  std::string error;
  if (!RenderPayload(expect.bytes, vars, &expected, &error)) return Verdict::Fail(error);
  std::size_t at = inbox.bytes.find(expected);
  if (at != std::string_view::npos) return Pass(at + expected.size());
  if (inbox.end != Inbox::End::kOpen) {
    return Verdict::Fail(DescribeEnd(inbox) + " before " + Show(expected) + " arrived; received " +
                         ShowTail(inbox.bytes));
  }
  return Verdict::Wait();
}

// The first datagram in the inbox, whole: as text against a match, or as exact bytes.
Verdict CheckDatagram(const ExpectStep& expect, const Inbox& inbox, const Variables& vars) {
  if (inbox.datagram_ends == nullptr) {
    return Verdict::Fail("internal: 'datagram' needs a UDP connection");
  }
  if (inbox.datagram_ends->empty()) {
    if (inbox.end != Inbox::End::kOpen) {
      return Verdict::Fail(DescribeEnd(inbox) + " before a datagram arrived");
    }
    return Verdict::Wait();
  }
  std::string_view datagram = inbox.bytes.substr(0, inbox.datagram_ends->front());
  if (inbox.mid_datagram) {
    return Verdict::Fail(
        "an earlier expectation consumed the start of the next datagram, so it cannot be checked "
        "whole; what is left of it: " +
        Show(datagram));
  }
  std::string error;
  if (!expect.lines.empty()) {
    std::vector<std::string> groups;
    bool ok = MatchText(expect.lines[0], datagram, vars, &groups, &error);
    if (!error.empty()) return Verdict::Fail(error);
    if (!ok) {
      return Verdict::Fail("the datagram differs:\n" +
                           ExplainMismatch(expect.lines[0], datagram, vars));
    }
    return Pass(datagram.size(), std::move(groups));
  }
  std::string expected;
  if (!RenderPayload(expect.bytes, vars, &expected, &error)) return Verdict::Fail(error);
  if (datagram != expected) {
    return Verdict::Fail("the datagram differs:\n" + RenderDiff(expected, datagram));
  }
  return Pass(datagram.size());
}

Verdict CheckEnd(const ExpectStep& expect, const Inbox& inbox) {
  bool want_reset = expect.kind == ExpectStep::Kind::kReset;
  std::string wanted = want_reset ? "a reset (RST)" : "the peer to close the connection";
  if (!inbox.bytes.empty()) {
    return Verdict::Fail("expected " + wanted + ", but " + std::to_string(inbox.bytes.size()) +
                         " unread byte" + (inbox.bytes.size() == 1 ? "" : "s") +
                         " arrived first: " + Show(inbox.bytes));
  }
  switch (inbox.end) {
    case Inbox::End::kOpen:
      return Verdict::Wait();
    case Inbox::End::kClosed:
      if (!want_reset) return Pass(0);
      return Verdict::Fail("expected a reset (RST), but the peer closed cleanly (FIN)");
    case Inbox::End::kReset:
      if (want_reset) return Pass(0);
      return Verdict::Fail("expected a clean close (FIN), but the connection was reset (RST)");
    case Inbox::End::kError:
    case Inbox::End::kCutOff:
      return Verdict::Fail("expected " + wanted + ", but " + DescribeEnd(inbox));
  }
  return Verdict::Wait();
}

}  // namespace

bool NextLine(const Inbox& inbox, std::size_t offset, std::string_view* line, std::size_t* next) {
  if (offset >= inbox.bytes.size()) return false;
  std::size_t lf = inbox.bytes.find('\n', offset);
  std::size_t datagram_end = std::string_view::npos;
  if (inbox.datagram_ends != nullptr) {
    for (std::size_t end : *inbox.datagram_ends) {
      if (end > offset) {
        datagram_end = end;
        break;
      }
    }
  }
  if (lf != std::string_view::npos &&
      (datagram_end == std::string_view::npos || lf < datagram_end)) {
    *line = inbox.bytes.substr(offset, lf - offset);
    *next = lf + 1;
  } else if (datagram_end != std::string_view::npos) {
    *line = inbox.bytes.substr(offset, datagram_end - offset);
    *next = datagram_end;
  } else {
    return false;
  }
  if (!line->empty() && line->back() == '\r') line->remove_suffix(1);
  return true;
}

std::string DescribeEnd(const Inbox& inbox) {
  switch (inbox.end) {
    case Inbox::End::kOpen:
      return "the connection is open";
    case Inbox::End::kClosed:
      return "the peer closed the connection";
    case Inbox::End::kReset:
      return "the connection was reset";
    case Inbox::End::kError:
      return "receiving failed (" + inbox.end_detail + ")";
    case Inbox::End::kCutOff:
      return "the peer sent more than " + inbox.end_detail + " and was cut off";
  }
  return "the connection ended";
}

bool MatchText(const TextMatch& match, std::string_view text, const Variables& vars,
               std::vector<std::string>* groups, std::string* error) {
  if (match.kind == TextMatch::Kind::kRegex && match.compiled) {
    std::vector<std::string> found;
    if (!match.compiled->Search(text, &found)) return false;
    if (groups != nullptr) groups->insert(groups->end(), found.begin(), found.end());
    return true;
  }
  auto pattern = RenderPattern(match, vars, error);
  if (!pattern) return false;
  switch (match.kind) {
    case TextMatch::Kind::kExact:
      return text == *pattern;
    case TextMatch::Kind::kContains:
      return text.find(*pattern) != std::string_view::npos;
    case TextMatch::Kind::kRegex: {
      auto re = Regex::Compile(*pattern, error);
      if (!re) {
        *error = "bad regex after substituting variables: " + *error;
        return false;
      }
      std::vector<std::string> found;
      if (!re->Search(text, &found)) return false;
      if (groups != nullptr) groups->insert(groups->end(), found.begin(), found.end());
      return true;
    }
  }
  return false;
}

std::string DescribeMatch(const TextMatch& match, const Variables& vars) {
  std::string error;
  auto pattern = RenderPattern(match, vars, &error);
  std::string shown = pattern ? *pattern : match.pattern.source();
  switch (match.kind) {
    case TextMatch::Kind::kExact:
      return "exactly " + Show(shown);
    case TextMatch::Kind::kContains:
      return "containing " + Show(shown);
    case TextMatch::Kind::kRegex:
      return "matching /" + EscapeBytes(shown) + "/";
  }
  return shown;
}

Verdict CheckStream(const ExpectStep& expect, const Inbox& inbox, const Variables& vars) {
  switch (expect.kind) {
    case ExpectStep::Kind::kLine:
    case ExpectStep::Kind::kLines:
      return CheckLines(expect, inbox, vars);
    case ExpectStep::Kind::kBytes:
      return CheckBytes(expect, inbox, vars);
    case ExpectStep::Kind::kContains:
      return CheckContains(expect, inbox, vars);
    case ExpectStep::Kind::kDatagram:
      return CheckDatagram(expect, inbox, vars);
    case ExpectStep::Kind::kSilence:
      if (!inbox.bytes.empty()) {
        return Verdict::Fail("expected silence for " + FormatDuration(expect.silence) +
                             ", but received " + Show(inbox.bytes));
      }
      if (inbox.end != Inbox::End::kOpen) {
        return Verdict::Fail("expected silence for " + FormatDuration(expect.silence) + ", but " +
                             DescribeEnd(inbox));
      }
      return Verdict::Wait();
    case ExpectStep::Kind::kClosed:
    case ExpectStep::Kind::kReset:
      return CheckEnd(expect, inbox);
    case ExpectStep::Kind::kHttp:
    case ExpectStep::Kind::kExit:
      break;
  }
  return Verdict::Fail("internal: this expectation is not judged on the inbox");
}

std::string DescribeTimeout(const ExpectStep& expect, const Inbox& inbox, const Variables& vars,
                            Duration waited) {
  std::string within = " within " + FormatDuration(waited);
  switch (expect.kind) {
    case ExpectStep::Kind::kLine:
    case ExpectStep::Kind::kLines: {
      std::size_t offset = 0;
      std::size_t complete = 0;
      std::string_view line;
      std::size_t next = 0;
      while (NextLine(inbox, offset, &line, &next)) {
        ++complete;
        offset = next;
      }
      std::string_view rest = inbox.bytes.substr(offset);
      std::string message;
      if (expect.kind == ExpectStep::Kind::kLines) {
        message = "only " + std::to_string(complete) + " of " +
                  std::to_string(expect.lines.size()) + " expected lines arrived" + within;
      } else if (inbox.bytes.empty()) {
        message = "nothing arrived" + within + " (expected a line " +
                  DescribeMatch(expect.lines[0], vars) + ")";
      } else {
        message = "no complete line arrived" + within;
        if (expect.lines[0].kind == TextMatch::Kind::kExact) {
          message += "; the bytes so far, against the expected line:\n" +
                     ExplainMismatch(expect.lines[0], rest, vars);
          return message;
        }
        message += " (expected a line " + DescribeMatch(expect.lines[0], vars) + ")";
      }
      if (!rest.empty()) message += "\nan unfinished line arrived: " + Show(rest);
      return message;
    }
    case ExpectStep::Kind::kBytes: {
      std::string expected;
      std::string error;
      if (!RenderPayload(expect.bytes, vars, &expected, &error)) return error;
      return "only " + std::to_string(inbox.bytes.size()) + " of " +
             std::to_string(expected.size()) + " expected bytes arrived" + within + ":\n" +
             RenderDiff(expected, inbox.bytes);
    }
    case ExpectStep::Kind::kContains: {
      std::string expected;
      std::string error;
      if (!RenderPayload(expect.bytes, vars, &expected, &error)) return error;
      return Show(expected) + " did not arrive" + within + "; received " +
             (inbox.bytes.empty() ? std::string("nothing") : ShowTail(inbox.bytes));
    }
    case ExpectStep::Kind::kDatagram: {
      std::string message = "no datagram arrived" + within;
      if (!expect.lines.empty())
        return message + " (expected " + DescribeMatch(expect.lines[0], vars) + ")";
      std::string expected;
      std::string error;
      if (!RenderPayload(expect.bytes, vars, &expected, &error)) return error;
      return message + " (expected " + Show(expected) + ")";
    }
    case ExpectStep::Kind::kClosed:
      return "the connection was still open after " + FormatDuration(waited) +
             " (expected the peer to close it)";
    case ExpectStep::Kind::kReset:
      return "the connection was still open after " + FormatDuration(waited) +
             " (expected a reset)";
    case ExpectStep::Kind::kSilence:
    case ExpectStep::Kind::kHttp:
    case ExpectStep::Kind::kExit:
      break;
  }
  return "timed out after " + FormatDuration(waited);
}

Verdict CheckResponse(const HttpCheck& check, const HttpResponse& response, std::size_t index,
                      std::size_t nth, const Variables& vars) {
  std::vector<std::string> problems;
  std::vector<std::string> captures;
  std::string error;
  auto match = [&](const TextMatch& m, std::string_view text) {
    std::vector<std::string> groups;
    bool ok = MatchText(m, text, vars, &groups, &error);
    captures.insert(captures.end(), groups.begin(), groups.end());
    return ok;
  };
  if (!check.status.empty() &&
      std::find(check.status.begin(), check.status.end(), response.status) == check.status.end()) {
    std::string wanted;
    for (int s : check.status)
      wanted += (wanted.empty() ? "" : ", ") + std::to_string(s);
    problems.push_back("status is " + std::to_string(response.status) + " (expected " +
                       (check.status.size() > 1 ? "one of " : "") + wanted + ")");
  }
  if (check.reason && !match(*check.reason, response.reason)) {
    problems.push_back("reason is " + Show(response.reason) + " (expected " +
                       DescribeMatch(*check.reason, vars) + ")");
  }
  for (const HeaderCheck& h : check.headers) {
    std::vector<std::string_view> values = response.Headers(h.name);
    switch (h.kind) {
      case HeaderCheck::Kind::kPresent:
        if (values.empty()) problems.push_back("header " + h.name + " is missing");
        break;
      case HeaderCheck::Kind::kAbsent:
        if (!values.empty()) {
          problems.push_back("header " + h.name + " is present (" + Show(values[0]) +
                             ") but should be absent");
        }
        break;
      case HeaderCheck::Kind::kMatch: {
        if (values.empty()) {
          problems.push_back("header " + h.name + " is missing (expected " +
                             DescribeMatch(h.value, vars) + ")");
          break;
        }
        bool any = false;
        for (std::string_view v : values) {
          if (match(h.value, v)) {
            any = true;
            break;
          }
        }
        if (!any) {
          std::string shown;
          for (std::string_view v : values)
            shown += (shown.empty() ? "" : ", ") + Show(v);
          problems.push_back("header " + h.name + " is " + shown + " (expected " +
                             DescribeMatch(h.value, vars) + ")");
        }
        break;
      }
    }
  }
  if (check.body_length && response.body.size() != *check.body_length) {
    problems.push_back("body is " + std::to_string(response.body.size()) + " bytes (expected " +
                       std::to_string(*check.body_length) + ")");
  }
  if (check.body && !match(*check.body, response.body)) {
    if (check.body->kind == TextMatch::Kind::kExact) {
      problems.push_back("body differs:\n" +
                         Indent(ExplainMismatch(*check.body, response.body, vars), "    "));
    } else {
      problems.push_back("body " + Show(response.body) + " is not " +
                         DescribeMatch(*check.body, vars));
    }
  }
  if (check.index && *check.index + nth != index) {
    problems.push_back("this is response " + std::to_string(index) +
                       " on the connection (expected response " +
                       std::to_string(*check.index + nth) + ")");
  }
  if (!error.empty()) return Verdict::Fail(error);
  if (problems.empty()) return Pass(0, std::move(captures));
  std::string message = check.count == 1
                            ? "the response does not match:"
                            : "response " + std::to_string(nth + 1) + " of " +
                                  std::to_string(check.count) + " (response " +
                                  std::to_string(index) + " on the connection) does not match:";
  for (const std::string& p : problems)
    message += "\n  - " + p;
  std::string_view raw = response.raw;
  std::size_t head_end = raw.find("\r\n\r\n");
  message += "\nresponse head: " +
             Show(raw.substr(0, head_end == std::string_view::npos ? raw.size() : head_end + 4));
  return Verdict::Fail(message);
}

}  // namespace parley::harness
