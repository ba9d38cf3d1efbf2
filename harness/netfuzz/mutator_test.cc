#include "harness/netfuzz/mutator.h"

#include <gtest/gtest.h>

#include <set>

namespace parley::harness {
namespace {

Mutator::Options WithSeed(std::uint64_t seed) {
  Mutator::Options o;
  o.seed = seed;
  return o;
}

const FuzzInput kRequest{
    "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello", {}, Duration(0)};

TEST(Mutator, TheSameSeedGivesTheSameMutations) {
  Mutator a(WithSeed(42), {"TOKEN"}, {"other payload"});
  Mutator b(WithSeed(42), {"TOKEN"}, {"other payload"});
  for (int i = 0; i < 200; ++i) {
    std::string applied_a;
    std::string applied_b;
    FuzzInput x = a.Mutate(kRequest, &applied_a);
    FuzzInput y = b.Mutate(kRequest, &applied_b);
    ASSERT_EQ(x.bytes, y.bytes);
    ASSERT_EQ(x.split, y.split);
    ASSERT_EQ(applied_a, applied_b);
  }
}

TEST(Mutator, EveryKindIsUsedAndChangesTheInput) {
  Mutator m(WithSeed(7), {"TOKEN"}, {"PUT /x HTTP/1.0\r\n\r\n"});
  std::set<std::string> seen;
  int unchanged = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string applied;
    FuzzInput out = m.Mutate(kRequest, &applied);
    if (out.bytes == kRequest.bytes && out.split.empty()) ++unchanged;
    std::size_t start = 0;
    while (start < applied.size()) {
      std::size_t comma = applied.find(", ", start);
      seen.insert(applied.substr(start, comma - start));
      start = comma == std::string::npos ? applied.size() : comma + 2;
    }
  }
  for (std::string_view name : Mutator::Names()) {
    EXPECT_TRUE(seen.count(std::string(name))) << name << " was never applied";
  }
  EXPECT_LT(unchanged, 300);  // a mutation may undo another, rarely
}

TEST(Mutator, DelayedPiecesOfALongPayloadAreBounded) {
  SendStep seed;
  seed.split = {1};
  seed.repeat_last = true;  // split: 1
  FuzzInput long_input{std::string(1000, 'x'), {1}, Duration(100)};
  BoundDelayedPieces(seed, &long_input);
  EXPECT_EQ(long_input.split, std::vector<std::size_t>(15, 1));  // then the rest at once
  FuzzInput short_input{"abc", {1}, Duration(100)};
  BoundDelayedPieces(seed, &short_input);
  EXPECT_EQ(short_input.split, (std::vector<std::size_t>{1}));
  FuzzInput undelayed{std::string(1000, 'x'), {1}, Duration(0)};
  BoundDelayedPieces(seed, &undelayed);
  EXPECT_EQ(undelayed.split, (std::vector<std::size_t>{1}));
  FuzzInput mutated_split{std::string(1000, 'x'), {3, 4}, Duration(100)};  // not repeated
  BoundDelayedPieces(seed, &mutated_split);
  EXPECT_EQ(mutated_split.split, (std::vector<std::size_t>{3, 4}));
}

TEST(Mutator, SplitsCoverThePayloadAndDelaysAreBounded) {
  Mutator::Options o = WithSeed(3);
  o.most_delay = Duration(4);
  Mutator m(o, {}, {});
  int split = 0;
  for (int i = 0; i < 2000; ++i) {
    FuzzInput out = m.Mutate(kRequest);
    if (out.split.empty()) continue;
    ++split;
    std::size_t sum = 0;
    for (std::size_t s : out.split) {
      EXPECT_GT(s, 0u);
      sum += s;
    }
    EXPECT_LE(out.delay.count(), 4);
    EXPECT_LT(sum, out.bytes.size());  // every piece holds bytes, the last one too
  }
  EXPECT_GT(split, 50);
}

TEST(Mutator, OutputsRespectTheLongestPayload) {
  Mutator::Options o = WithSeed(5);
  o.max_len = 40;
  Mutator m(o, {std::string(100, 'x')}, {std::string(500, 'y')});
  for (int i = 0; i < 2000; ++i)
    ASSERT_LE(m.Mutate(kRequest).bytes.size(), 40u);
}

TEST(Mutator, EmptyInputsStillGetBytes) {
  Mutator m(WithSeed(9), {}, {});
  int grown = 0;
  for (int i = 0; i < 200; ++i)
    grown += m.Mutate(FuzzInput{}).bytes.empty() ? 0 : 1;
  EXPECT_GT(grown, 100);
}

}  // namespace
}  // namespace parley::harness
