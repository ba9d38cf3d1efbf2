#include "harness/scenario/plan.h"

#include <fnmatch.h>

#include <algorithm>
#include <charconv>

namespace parley::harness {

bool GlobMatch(const std::string& pattern, const std::string& text) {
  return ::fnmatch(pattern.c_str(), text.c_str(), 0) == 0;
}

std::vector<PlannedRun> PlanRuns(const std::vector<const Scenario*>& scenarios,
                                 const Selection& selection) {
  std::vector<const Scenario*> selected;
  for (const Scenario* s : scenarios) {
    if (!selection.filters.empty() &&
        std::none_of(selection.filters.begin(), selection.filters.end(),
                     [&](const std::string& f) { return GlobMatch(f, s->name); })) {
      continue;
    }
    if (!selection.tags.empty() &&
        std::none_of(selection.tags.begin(), selection.tags.end(),
                     [&](const std::string& t) { return s->HasTag(t); })) {
      continue;
    }
    if (std::any_of(selection.exclude_tags.begin(), selection.exclude_tags.end(),
                    [&](const std::string& t) { return s->HasTag(t); })) {
      continue;
    }
    selected.push_back(s);
  }
  std::vector<PlannedRun> plan;
  int count = std::max(1, selection.shard_count);
  for (std::size_t i = 0; i < selected.size(); ++i) {
    if (static_cast<int>(i % static_cast<std::size_t>(count)) != selection.shard_index - 1)
      continue;
    for (int r = 0; r < std::max(1, selection.repeat); ++r)
      plan.push_back({selected[i], r});
  }
  return plan;
}

bool ParseShard(std::string_view text, int* index, int* count, std::string* error) {
  std::size_t slash = text.find('/');
  auto number = [](std::string_view s, int* out) {
    if (s.empty()) return false;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
    return ec == std::errc() && end == s.data() + s.size();
  };
  if (slash == std::string_view::npos || !number(text.substr(0, slash), index) ||
      !number(text.substr(slash + 1), count) || *count < 1 || *index < 1 || *index > *count) {
    *error =
        "--shard takes I/N with 1 <= I <= N, e.g. --shard 2/4 (got '" + std::string(text) + "')";
    return false;
  }
  return true;
}

}  // namespace parley::harness
