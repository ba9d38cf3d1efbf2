#include "harness/scenario/target_config.h"

#include <gtest/gtest.h>

namespace parley::harness {
namespace {

TEST(TargetConfig, LoadsEveryKey) {
  TargetsConfig config;
  LoadError error;
  ASSERT_TRUE(LoadTargets(R"(targets:
  http:
    command: ["${bin}/http-server", "--port", "0"]
    ready: '^listening on http://(?P<host>[^:]+):(?P<port>\d+)$'
    ready_timeout: 3s
    stop_timeout: 1s
    shared: true
    health: checks/greets.yaml
  chat:
    command: ["${bin}/chat-server", "--root", "${scenario.dir}", "${env.HOME}"]
    ready: '^(x)?listening on ([^:]+):(\d+)$'
)",
                          "suite/targets.yaml", &config, &error))
      << error.ToString();
  ASSERT_EQ(config.targets.size(), 2u);
  const TargetSpec& http = config.targets.at("http");
  EXPECT_EQ(http.command.size(), 3u);
  EXPECT_EQ(http.host_group, 1);
  EXPECT_EQ(http.port_group, 2);
  EXPECT_EQ(http.ready_timeout, Duration(3000));
  EXPECT_EQ(http.stop_timeout, Duration(1000));
  EXPECT_TRUE(http.shared);
  EXPECT_EQ(http.health, "suite/checks/greets.yaml");  // beside the targets file
  const TargetSpec& chat = config.targets.at("chat");
  EXPECT_FALSE(chat.shared);
  EXPECT_EQ(chat.ready_timeout, Duration(10000));
  EXPECT_EQ(chat.health, "");
  EXPECT_EQ(chat.where.line, 9);
}

struct Case {
  const char* yaml;
  const char* error;
};

class TargetConfigErrors : public testing::TestWithParam<Case> {};

TEST_P(TargetConfigErrors, AreLocated) {
  TargetsConfig config;
  LoadError error;
  EXPECT_FALSE(LoadTargets(GetParam().yaml, "t.yaml", &config, &error));
  EXPECT_EQ(error.ToString(), GetParam().error);
  EXPECT_TRUE(config.targets.empty());
}

INSTANTIATE_TEST_SUITE_P(
    All, TargetConfigErrors,
    testing::Values(
        Case{"- a\n", "t.yaml:1:1: a targets file is one mapping with a 'targets' key"},
        Case{"target: {}\n",
             "t.yaml:1:1: unknown key 'target' in a targets file (did you mean 'targets'?)"},
        Case{"targets:\n  h: {ready: '(a)(b)'}\n", "t.yaml:2:6: target 'h' needs a 'command'"},
        Case{"targets:\n  h: {command: x, ready: '(a)(b)'}\n",
             "t.yaml:2:16: 'command' must be a list: the program, then its arguments"},
        Case{"targets:\n  h: {command: [x]}\n",
             "t.yaml:2:6: target 'h' needs 'ready': a regex for its ready line"},
        Case{"targets:\n  h: {command: [x], ready: '('}\n", "t.yaml:2:28: bad regex: missing ): ("},
        Case{"targets:\n  h: {command: [x], ready: 'listening'}\n",
             "t.yaml:2:28: 'ready' needs two groups, host and port, e.g. "
             "(?P<host>[^:]+):(?P<port>\\d+)"},
        Case{"targets:\n  h: {command: [x], ready: '(?P<host>a)'}\n",
             "t.yaml:2:28: 'ready' names only one of the groups host and port"},
        Case{"targets:\n  h: {command: ['${nick}'], ready: '(a)(b)'}\n",
             "t.yaml:2:17: ${nick} is not available here (use ${bin}, ${scenario.dir} or "
             "${env.NAME})"},
        Case{"targets:\n  h: {command: [x], ready: '(a)(b)', health: [a]}\n",
             "t.yaml:2:46: 'health' must be a string, not a list"},
        Case{"targets:\n  h: {command: [x], ready: '(a)(b)', shared: maybe}\n",
             "t.yaml:2:46: 'shared' must be true or false"},
        Case{"targets:\n  h: {command: [x], ready: '(a)(b)', ready_timeout: 10}\n",
             "t.yaml:2:53: 'ready_timeout': duration '10' has no unit (write e.g. 10ms or 10s)"}));

}  // namespace
}  // namespace parley::harness
