#include "harness/scenario/plan.h"

#include <gtest/gtest.h>

#include <set>

namespace parley::harness {
namespace {

std::vector<Scenario> Make(int n) {
  std::vector<Scenario> all(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    all[static_cast<std::size_t>(i)].name = "s" + std::to_string(i);
    if (i % 2 == 0) all[static_cast<std::size_t>(i)].tags.push_back("even");
    if (i % 3 == 0) all[static_cast<std::size_t>(i)].tags.push_back("three");
  }
  return all;
}

std::vector<const Scenario*> Pointers(const std::vector<Scenario>& all) {
  std::vector<const Scenario*> p;
  for (const Scenario& s : all)
    p.push_back(&s);
  return p;
}

std::vector<std::string> Names(const std::vector<PlannedRun>& plan) {
  std::vector<std::string> names;
  for (const PlannedRun& r : plan)
    names.push_back(r.scenario->name + "/" + std::to_string(r.repeat));
  return names;
}

TEST(PlanRuns, FiltersByGlobAndTags) {
  auto all = Make(7);
  Selection s;
  s.filters = {"s[12]", "s6"};
  EXPECT_EQ(Names(PlanRuns(Pointers(all), s)), (std::vector<std::string>{"s1/0", "s2/0", "s6/0"}));
  Selection tags;
  tags.tags = {"three"};
  tags.exclude_tags = {"even"};
  EXPECT_EQ(Names(PlanRuns(Pointers(all), tags)), (std::vector<std::string>{"s3/0"}));
  Selection any;
  any.tags = {"even", "three"};
  EXPECT_EQ(PlanRuns(Pointers(all), any).size(), 5u);
}

TEST(PlanRuns, ShardsSplitEveryScenarioExactlyOnce) {
  auto all = Make(23);
  std::multiset<std::string> seen;
  for (int i = 1; i <= 4; ++i) {
    Selection s;
    s.shard_index = i;
    s.shard_count = 4;
    auto plan = PlanRuns(Pointers(all), s);
    EXPECT_GE(plan.size(), 5u);
    EXPECT_LE(plan.size(), 6u);
    for (const PlannedRun& r : plan)
      seen.insert(r.scenario->name);
    // Stable: the same selection gives the same shard.
    EXPECT_EQ(Names(plan), Names(PlanRuns(Pointers(all), s)));
  }
  EXPECT_EQ(seen.size(), 23u);
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 23u);
}

TEST(PlanRuns, RepeatsFollowTheirScenario) {
  auto all = Make(2);
  Selection s;
  s.repeat = 3;
  EXPECT_EQ(Names(PlanRuns(Pointers(all), s)),
            (std::vector<std::string>{"s0/0", "s0/1", "s0/2", "s1/0", "s1/1", "s1/2"}));
}

TEST(ParseShard, AcceptsOnlyValidFractions) {
  int i = 0;
  int n = 0;
  std::string error;
  EXPECT_TRUE(ParseShard("2/4", &i, &n, &error));
  EXPECT_EQ(i, 2);
  EXPECT_EQ(n, 4);
  for (const char* bad : {"0/4", "5/4", "1/0", "a/b", "1", "1/", "/2", "1/2/3", "-1/2", "1 /2"}) {
    EXPECT_FALSE(ParseShard(bad, &i, &n, &error)) << bad;
  }
  EXPECT_EQ(error, "--shard takes I/N with 1 <= I <= N, e.g. --shard 2/4 (got '1 /2')");
}

TEST(GlobMatch, ShellPatterns) {
  EXPECT_TRUE(GlobMatch("*relay*", "the room relays a line"));
  EXPECT_TRUE(GlobMatch("http ?0?", "http 404"));
  EXPECT_FALSE(GlobMatch("http", "http 404"));
}

}  // namespace
}  // namespace parley::harness
