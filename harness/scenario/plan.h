// Which scenarios a run plays, in which order: name globs, tags, a stable shard of the list
// for CI matrices, and repeats. Pure functions over loaded scenarios.
#ifndef PARLEY_HARNESS_SCENARIO_PLAN_H_
#define PARLEY_HARNESS_SCENARIO_PLAN_H_

#include <string>
#include <string_view>
#include <vector>

#include "harness/scenario/scenario.h"

namespace parley::harness {

struct Selection {
  std::vector<std::string> filters;       // name globs (fnmatch); any may match; none: all
  std::vector<std::string> tags;          // the scenario must have one of these; none: all
  std::vector<std::string> exclude_tags;  // the scenario must have none of these
  int shard_index = 1;                    // 1-based
  int shard_count = 1;
  int repeat = 1;
};

struct PlannedRun {
  const Scenario* scenario = nullptr;
  int repeat = 0;  // 0-based
};

// Selects from `scenarios` (in the order they were loaded: files sorted by path, scenarios in
// file order). Shards split the selected list round-robin, so every scenario lands in exactly
// one shard and the split depends only on the selected list. Repeats of a scenario follow it.
std::vector<PlannedRun> PlanRuns(const std::vector<const Scenario*>& scenarios,
                                 const Selection& selection);

// Reads "I/N" with 1 <= I <= N. On failure returns false with `*error` set.
bool ParseShard(std::string_view text, int* index, int* count, std::string* error);

// Shell-style glob: * ? [...]
bool GlobMatch(const std::string& pattern, const std::string& text);

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_SCENARIO_PLAN_H_
