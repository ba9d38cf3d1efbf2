#include "harness/netfuzz/fuzz_plan.h"

#include <gtest/gtest.h>

#include "harness/scenario/loader.h"

namespace parley::harness {
namespace {

constexpr const char* kScenario = R"(name: login then ask
target: web
steps:
  - connect: c
  - send: {on: c, text: "LOGIN me\n", fuzz: false}
  - expect: {on: c, line: "OK"}
  - send: {on: c, text: "ASK\n"}
  - expect: {on: c, line: "ANSWER"}
  - expect: {on: c, line: "never two", invariant: true}
  - send: {on: c, text: "BYE\n"}
  - close: c
)";

LoadResult Load(const char* text) {
  LoadResult r = LoadScenarios(text, "s.yaml", LoadOptions{});
  EXPECT_FALSE(r.error) << r.error->ToString();
  return r;
}

TEST(FuzzPlan, EverySendNotMarkedIsAPoint) {
  LoadResult r = Load(kScenario);
  std::vector<FuzzPoint> points = FuzzPoints({&r.scenarios[0]});
  ASSERT_EQ(points.size(), 2u);  // ASK and BYE; LOGIN is marked fuzz: false
  EXPECT_EQ(points[0].label, "s.yaml:7");
  EXPECT_EQ(points[0].target, "web");
  EXPECT_EQ(points[1].label, "s.yaml:10");
}

TEST(FuzzPlan, AfterTheMutatedSendOnlyInvariantExpectationsStay) {
  LoadResult r = Load(kScenario);
  std::vector<FuzzPoint> points = FuzzPoints({&r.scenarios[0]});
  const FuzzPoint& ask = points[0];
  ASSERT_EQ(ask.at, 3u);
  // connect, send LOGIN, expect OK, send ASK | expect never two (invariant), send BYE, close
  ASSERT_EQ(ask.played.steps.size(), 7u);
  EXPECT_EQ(ask.origin, (std::vector<std::size_t>{0, 1, 2, 3, 5, 6, 7}));
  EXPECT_TRUE(std::get<ExpectStep>(ask.played.steps[4].action).invariant);
  EXPECT_TRUE(std::get<SendStep>(ask.played.steps[5].action).allow_close);
  EXPECT_FALSE(
      std::get<SendStep>(ask.played.steps[1].action).allow_close);  // the prefix as written
  EXPECT_EQ(ask.StepAt(ask.played.steps[4].where), 4u);
  EXPECT_EQ(ask.StepAt(SourcePosition{99, 1}), ask.played.steps.size());
}

TEST(FuzzPlan, SkippedScenariosHaveNoPoints) {
  LoadResult r = Load(R"(name: skipped
target: web
skip: not today
steps:
  - connect: c
  - send: {on: c, text: "x"}
)");
  EXPECT_TRUE(FuzzPoints({&r.scenarios[0]}).empty());
}

TEST(FuzzPlan, TheKeysAreCheckedWhenLoading) {
  LoadResult bad = LoadScenarios(R"(name: x
target: web
steps:
  - connect: c
  - send: {on: c, text: "x", fuzz: maybe}
)",
                                 "s.yaml", LoadOptions{});
  ASSERT_TRUE(bad.error);
  EXPECT_EQ(bad.error->line, 5);
  LoadResult capture = LoadScenarios(R"y(name: x
target: web
steps:
  - connect: c
  - expect: {on: c, line: {regex: "(a)"}, capture: [v], invariant: true}
)y",
                                     "s.yaml", LoadOptions{});
  ASSERT_TRUE(capture.error);
  EXPECT_NE(capture.error->message.find("cannot 'capture'"), std::string::npos);
}

}  // namespace
}  // namespace parley::harness
