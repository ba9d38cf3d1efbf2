#include "harness/play/http_check.h"

#include <algorithm>

#include "harness/text/bytes_text.h"

namespace parley::harness {
namespace {

std::string Indent(const std::string& text, const std::string& prefix) {
  std::string out = prefix;
  for (char c : text) {
    out += c;
    if (c == '\n') out += prefix;
  }
  return out;
}

std::string StatusProblem(const std::vector<int>& wanted, int status) {
  std::string list;
  for (int s : wanted)
    list += (list.empty() ? "" : ", ") + std::to_string(s);
  return "status is " + std::to_string(status) + " (expected " +
         (wanted.size() > 1 ? "one of " : "") + list + ")";
}

// What is wrong with the fields named `check.name`, or empty.
std::string HeaderProblem(const HeaderCheck& check, const BoundMatch* value,
                          const HttpResponse& response, std::vector<std::string>* captures) {
  std::vector<std::string_view> values = response.Headers(check.name);
  switch (check.kind) {
    case HeaderCheck::Kind::kPresent:
      return values.empty() ? "header " + check.name + " is missing" : "";
    case HeaderCheck::Kind::kAbsent:
      return values.empty() ? ""
                            : "header " + check.name + " is present (" + ShowBytes(values[0]) +
                                  ") but should be absent";
    case HeaderCheck::Kind::kMatch:
      break;
  }
  if (values.empty()) {
    return "header " + check.name + " is missing (expected " + value->Describe() + ")";
  }
  for (std::string_view v : values) {
    if (value->Matches(v, captures)) return "";
  }
  std::string shown;
  for (std::string_view v : values)
    shown += (shown.empty() ? "" : ", ") + ShowBytes(v);
  return "header " + check.name + " is " + shown + " (expected " + value->Describe() + ")";
}

}  // namespace

std::optional<BoundHttpCheck> BoundHttpCheck::Bind(const HttpCheck& check, const Variables& vars,
                                                   std::string* error) {
  BoundHttpCheck bound;
  bound.check_ = &check;
  if (check.reason && !(bound.reason_ = BoundMatch::Bind(*check.reason, vars, error))) {
    return std::nullopt;
  }
  for (const HeaderCheck& h : check.headers) {
    std::optional<BoundMatch> value;
    if (h.kind == HeaderCheck::Kind::kMatch && !(value = BoundMatch::Bind(h.value, vars, error))) {
      return std::nullopt;
    }
    bound.header_values_.push_back(std::move(value));
  }
  if (check.body && !(bound.body_ = BoundMatch::Bind(*check.body, vars, error))) {
    return std::nullopt;
  }
  return bound;
}

Verdict BoundHttpCheck::Check(const HttpResponse& response, std::size_t index,
                              std::size_t nth) const {
  const HttpCheck& check = *check_;
  std::vector<std::string> problems;
  std::vector<std::string> captures;
  if (!check.status.empty() &&
      std::find(check.status.begin(), check.status.end(), response.status) == check.status.end()) {
    problems.push_back(StatusProblem(check.status, response.status));
  }
  if (reason_ && !reason_->Matches(response.reason, &captures)) {
    problems.push_back("reason is " + ShowBytes(response.reason) + " (expected " +
                       reason_->Describe() + ")");
  }
  for (std::size_t i = 0; i < check.headers.size(); ++i) {
    const BoundMatch* value = header_values_[i] ? &*header_values_[i] : nullptr;
    std::string problem = HeaderProblem(check.headers[i], value, response, &captures);
    if (!problem.empty()) problems.push_back(std::move(problem));
  }
  if (check.body_length && response.body_size != *check.body_length) {
    problems.push_back("body is " + std::to_string(response.body_size) + " bytes (expected " +
                       std::to_string(*check.body_length) + ")");
  }
  if (body_ && !body_->Matches(response.body, &captures)) {
    if (body_->kind() == TextMatch::Kind::kExact) {
      problems.push_back("body differs:\n" + Indent(body_->ExplainMismatch(response.body), "    "));
    } else {
      problems.push_back("body " + ShowBytes(response.body) + " is not " + body_->Describe());
    }
  }
  if (check.index && *check.index + nth != index) {
    problems.push_back("this is response " + std::to_string(index) +
                       " on the connection (expected response " +
                       std::to_string(*check.index + nth) + ")");
  }
  if (problems.empty()) return Verdict::Pass(std::move(captures));
  std::string message = check.count == 1
                            ? "the response does not match:"
                            : "response " + std::to_string(nth + 1) + " of " +
                                  std::to_string(check.count) + " (response " +
                                  std::to_string(index) + " on the connection) does not match:";
  for (const std::string& p : problems)
    message += "\n  - " + p;
  return Verdict::Fail(message + "\nresponse head: " + ShowBytes(response.head));
}

}  // namespace parley::harness
