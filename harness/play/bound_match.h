// BoundMatch: a scenario's TextMatch made ready to judge text many times: its variables
// substituted (values quoted for a regex) and its regex compiled, once, when the step that
// uses it starts.
#ifndef PARLEY_HARNESS_PLAY_BOUND_MATCH_H_
#define PARLEY_HARNESS_PLAY_BOUND_MATCH_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/scenario/regex.h"
#include "harness/scenario/scenario.h"
#include "harness/scenario/template.h"

namespace parley::harness {

class BoundMatch {
 public:
  // On an undefined variable, or a regex that no longer compiles once values are in, returns
  // nullopt and says why in `*error`.
  static std::optional<BoundMatch> Bind(const TextMatch& match, const Variables& vars,
                                        std::string* error);

  // True when `text` matches; then appends the regex groups, in order, to `*groups` (if given).
  bool Matches(std::string_view text, std::vector<std::string>* groups = nullptr) const;

  // Searches `text` for the first place that matches: exact and contains look for the text,
  // a regex for its leftmost match, any_of for the alternative found first. On success sets
  // `*end` to the offset just after the match and appends the groups (if `groups` is given).
  bool Find(std::string_view text, std::size_t* end, std::vector<std::string>* groups) const;

  // "exactly "x"", "containing "x"", "matching /x/": for messages.
  std::string Describe() const;

  // Why `actual` does not match: for exact text a diff with every difference (RenderFullDiff:
  // a unified diff when there are several lines), else what was expected and what arrived.
  std::string ExplainMismatch(std::string_view actual) const;

  TextMatch::Kind kind() const { return kind_; }
  // Exact text, case and all: what a diff can be shown against. text() is that text.
  bool exact_text() const { return kind_ == TextMatch::Kind::kExact && !ignore_case_; }
  const std::string& text() const { return text_; }

 private:
  TextMatch::Kind kind_ = TextMatch::Kind::kExact;
  bool ignore_case_ = false;
  std::string text_;  // the pattern with its variables substituted
  std::optional<Regex> regex_;
  std::vector<BoundMatch> any_of_;
};

// Binds each match of `matches`; nullopt on the first that fails.
std::optional<std::vector<BoundMatch>> BindAll(const std::vector<TextMatch>& matches,
                                               const Variables& vars, std::string* error);

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_PLAY_BOUND_MATCH_H_
