#include "harness/scenario/load_scope.h"

#include <gtest/gtest.h>

#include <functional>

#include "harness/scenario/yaml_checks.h"

namespace parley::harness {
namespace {

// A scalar written at line:column, as the loader would see it.
YamlNode Scalar(std::string text, int line, int column = 5) {
  YamlNode node;
  node.kind = YamlNode::Kind::kScalar;
  node.scalar = std::move(text);
  node.line = line;
  node.column = column;
  return node;
}

// A mapping at line:column with `on: CONNECTION`, or no keys.
YamlNode Action(int line, const std::string& on = "") {
  YamlNode node;
  node.kind = YamlNode::Kind::kMap;
  node.line = line;
  node.column = 3;
  if (!on.empty()) node.entries.push_back(YamlEntry{Scalar("on", line, 4), Scalar(on, line, 8)});
  return node;
}

// "line:column: message" of the YamlFailure `f` throws, or "ok".
std::string FailureOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const YamlFailure& e) {
    return std::to_string(e.line) + ":" + std::to_string(e.column) + ": " + e.message;
  }
  return "ok";
}

// A scope for a scenario loaded with `--var host=...`.
class LoadScopeTest : public ::testing::Test {
 protected:
  static LoadOptions HostOption() {
    LoadOptions options;
    options.variables = {"host"};
    return options;
  }

  LoadOptions options_ = HostOption();
  Scenario scenario_;
  LoadScope scope_{options_, &scenario_};
};

TEST_F(LoadScopeTest, VariablesMustBeDefinedBeforeUse) {
  EXPECT_EQ(
      FailureOf([&] { scope_.ReadTemplate(Scalar("${host}:${scenario.dir}", 2), "x", false); }),
      "ok");
  EXPECT_EQ(FailureOf([&] { scope_.ReadTemplate(Scalar("${env.HOME}", 2), "x", false); }), "ok");
  EXPECT_EQ(FailureOf([&] { scope_.ReadTemplate(Scalar("${nick}", 3), "x", false); }),
            "3:5: variable ${nick} is not defined (define it under 'vars', capture it in an "
            "earlier step, or pass --var nick=VALUE)");
  scope_.Define("nick");
  Template t = scope_.ReadTemplate(Scalar("<${nick}>", 4), "x", false);
  ASSERT_EQ(t.parts().size(), 3u);
  EXPECT_TRUE(t.parts()[1].is_variable);
}

TEST_F(LoadScopeTest, TargetFieldsNeedTheDefaultTarget) {
  EXPECT_EQ(FailureOf([&] { scope_.ReadTemplate(Scalar("${target.port}", 2), "x", false); }),
            "2:5: ${target.port} needs the scenario to name a 'target'");
  TargetUse use;
  use.name = "http";
  scope_.UseDefaultTarget(use);
  EXPECT_EQ(scenario_.target, "http");
  EXPECT_EQ(FailureOf([&] { scope_.ReadTemplate(Scalar("${target.port}", 2), "x", false); }), "ok");
  EXPECT_EQ(FailureOf([&] { scope_.ReadTemplate(Scalar("${target.pid}", 3), "x", false); }),
            "3:5: ${target.pid} is not defined (a target has name, host, port and address)");
}

TEST_F(LoadScopeTest, OtherTargetsAreCheckedWhenEveryStepIsKnown) {
  scope_.ReadTemplate(Scalar("${targets.chat.port}", 2), "x", false);
  EXPECT_EQ(FailureOf([&] { scope_.Finish(); }),
            "2:5: ${targets.chat.port}: the scenario does not use a target named 'chat'");
  scope_.UseTarget("chat", {9, 1});
  EXPECT_EQ(FailureOf([&] { scope_.Finish(); }), "ok");
  scope_.ReadTemplate(Scalar("${targets.chat.pid}", 10), "x", false);
  EXPECT_EQ(FailureOf([&] { scope_.Finish(); }),
            "10:5: ${targets.chat.pid} is not defined (a target has name, host, port and address)");
}

TEST_F(LoadScopeTest, TargetsAreListedOnceAndMadeFresh) {
  TargetUse use;
  use.name = "http";
  scope_.UseDefaultTarget(use);
  scope_.UseTarget("chat", {3, 1});
  scope_.UseTarget("http", {4, 1});
  scope_.UseFreshTarget("http", {5, 1});
  scope_.UseFreshTarget("echo", {6, 1});
  ASSERT_EQ(scenario_.targets.size(), 3u);
  EXPECT_EQ(scenario_.targets[0].name, "http");
  EXPECT_TRUE(scenario_.targets[0].fresh);
  EXPECT_EQ(scenario_.targets[1].name, "chat");
  EXPECT_FALSE(scenario_.targets[1].fresh);
  EXPECT_EQ(scenario_.targets[2].name, "echo");
  EXPECT_EQ(scenario_.targets[2].where.line, 6);
  EXPECT_TRUE(scenario_.targets[2].fresh);
}

TEST_F(LoadScopeTest, WithoutOnTheOnlyOpenConnectionIsUsed) {
  EXPECT_EQ(FailureOf([&] { scope_.UseConnection(Action(2), false); }),
            "2:3: no connection is open here; add a 'connect' step first");
  scope_.Open("a", Transport::kTcp, 3, Scalar("a", 3));
  EXPECT_EQ(scope_.UseConnection(Action(4), false), "a");
  scope_.Open("b", Transport::kUdp, 5, Scalar("b", 5));
  EXPECT_EQ(FailureOf([&] { scope_.UseConnection(Action(6), false); }),
            "6:3: say which connection with 'on:' (2 are open)");
  EXPECT_EQ(scope_.UseConnection(Action(7, "b"), false), "b");
  EXPECT_EQ(scope_.TransportOf("b"), Transport::kUdp);
  EXPECT_EQ(scope_.UseNamedConnection(Scalar("a", 8)), "a");
  EXPECT_EQ(FailureOf([&] { scope_.UseConnection(Action(9, "c"), false); }),
            "9:8: no connection named 'c' (connect it first)");
  EXPECT_EQ(FailureOf([&] { scope_.Open("a", Transport::kTcp, 10, Scalar("a", 10)); }),
            "10:5: connection 'a' is already open (since line 3); close it before connecting "
            "again");
}

TEST_F(LoadScopeTest, ClosedAndShutDownConnections) {
  scope_.Open("a", Transport::kTcp, 2, Scalar("a", 2));
  scope_.Close("a", CloseStep::How::kWrite, 3, Action(3));
  EXPECT_EQ(scope_.UseConnection(Action(4, "a"), false), "a");
  EXPECT_EQ(FailureOf([&] { scope_.UseConnection(Action(5, "a"), true); }),
            "5:8: connection 'a' was shut down for writing at line 3");
  EXPECT_EQ(FailureOf([&] { scope_.Close("a", CloseStep::How::kWrite, 6, Action(6)); }),
            "6:3: connection 'a' is already shut down for writing");
  scope_.Close("a", CloseStep::How::kReset, 7, Action(7));
  EXPECT_EQ(FailureOf([&] { scope_.UseNamedConnection(Scalar("a", 8)); }),
            "8:5: connection 'a' was closed at line 7; connect it again first");
  scope_.Open("a", Transport::kTcp, 9, Scalar("a", 9));
  EXPECT_EQ(scope_.UseConnection(Action(10), true), "a");

  scope_.Open("u", Transport::kUdp, 11, Scalar("u", 11));
  EXPECT_EQ(FailureOf([&] { scope_.Close("u", CloseStep::How::kReset, 12, Action(12)); }),
            "12:3: a UDP connection can only be closed, not shut down or reset");
}

TEST_F(LoadScopeTest, PausedConnectionsReceiveNothing) {
  scope_.Open("a", Transport::kTcp, 2, Scalar("a", 2));
  EXPECT_EQ(FailureOf([&] { scope_.Pause("a", true, 3, Action(3)); }),
            "3:3: connection 'a' is not paused; 'resume' follows a 'pause'");
  scope_.Pause("a", false, 4, Action(4));
  EXPECT_EQ(FailureOf([&] { scope_.RequireReading("a", Action(5)); }),
            "5:3: connection 'a' is paused (line 4): nothing more arrives on it; add '- resume: "
            "a' before expecting on it");
  EXPECT_EQ(FailureOf([&] { scope_.Pause("a", false, 6, Action(6)); }),
            "6:3: connection 'a' is already paused (since line 4)");
  scope_.Pause("a", true, 7, Action(7));
  EXPECT_EQ(FailureOf([&] { scope_.RequireReading("a", Action(8)); }), "ok");
}

}  // namespace
}  // namespace parley::harness
