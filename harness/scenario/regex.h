// Regular expressions for scenarios, on RE2: matching takes time linear in the input and a
// bounded amount of memory whatever the pattern, so neither a scenario nor the bytes a target
// sends can make the runner hang or overflow its stack. The syntax is RE2's (Perl-like, without
// backreferences or lookaround). Matching searches: anchor with ^ and $ where needed.
#ifndef PARLEY_HARNESS_SCENARIO_REGEX_H_
#define PARLEY_HARNESS_SCENARIO_REGEX_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace re2 {
class RE2;
}

namespace parley::harness {

class Regex {
 public:
  static constexpr std::size_t kMaxPatternBytes = 4096;

  // On a bad pattern returns nullopt and sets `*error` to RE2's reason. With `ignore_case`,
  // letters match in either case.
  static std::optional<Regex> Compile(std::string_view pattern, std::string* error,
                                      bool ignore_case = false);

  // The number of capture groups.
  int groups() const;
  // The index of a named group `(?P<name>...)`, or -1.
  int GroupIndex(const std::string& name) const;

  // True when the pattern matches somewhere in `text`; fills `*groups` (when given) with the
  // text of groups 1..groups(), empty for a group that did not take part.
  bool Search(std::string_view text, std::vector<std::string>* groups = nullptr) const;
  // As Search, and sets `*end` to the offset just after the (leftmost) match.
  bool Find(std::string_view text, std::size_t* end, std::vector<std::string>* groups) const;

  const std::string& pattern() const { return pattern_; }

 private:
  std::shared_ptr<const re2::RE2> re_;
  std::string pattern_;
};

// `text` with every regex metacharacter escaped, so it matches literally.
std::string QuoteRegex(std::string_view text);

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_SCENARIO_REGEX_H_
