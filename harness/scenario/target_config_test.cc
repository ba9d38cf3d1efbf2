#include "harness/scenario/target_config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace parley::harness {
namespace {

namespace fs = std::filesystem;

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
  EXPECT_EQ(http.ready_timeout, Duration(3000));
  EXPECT_EQ(http.stop_timeout, Duration(1000));
  EXPECT_TRUE(http.shared);
  EXPECT_EQ(http.health, "suite/checks/greets.yaml");  // beside the targets file
  EXPECT_EQ(http.ready.kind, ReadySpec::Kind::kStdout);
  EXPECT_EQ(http.ready.host_group, 1);
  EXPECT_EQ(http.ready.port_group, 2);
  EXPECT_FALSE(http.has_port());
  EXPECT_FALSE(http.uses_tmp);
  EXPECT_EQ(http.targets_dir, (fs::current_path() / "suite").string());
  const TargetSpec& chat = config.targets.at("chat");
  EXPECT_EQ(chat.ready.host_group, 1);  // unnamed groups: 1 and 2
  EXPECT_EQ(chat.ready.port_group, 2);
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
             "t.yaml:2:6: target 'h' needs 'ready': a regex for its ready line, or {connect: "
             "true}, ..."},
        Case{"targets:\n  h: {command: [x], ready: '('}\n", "t.yaml:2:28: bad regex: missing ): ("},
        Case{"targets:\n  h: {command: [x], ready: 'listening'}\n",
             "t.yaml:2:28: 'ready' needs two groups, host and port, e.g. "
             "(?P<host>[^:]+):(?P<port>\\d+) (or the target needs 'port: auto')"},
        Case{"targets:\n  h: {command: [x], ready: '(?P<host>a)'}\n",
             "t.yaml:2:28: 'ready' names only one of the groups host and port"},
        Case{"targets:\n  h: {command: ['${nick}'], ready: '(a)(b)'}\n",
             "t.yaml:2:17: ${nick} is not available here (use ${bin}, ${env.NAME}, "
             "${targets_dir}, ${host}, ${port}, ${config}, ${tmp} or ${scenario.dir})"},
        Case{"targets:\n  h: {command: [x], ready: '(a)(b)', health: [a]}\n",
             "t.yaml:2:46: 'health' must be a string, not a list"},
        Case{"targets:\n  h: {command: [x], ready: '(a)(b)', shared: maybe}\n",
             "t.yaml:2:46: 'shared' must be true or false"},
        Case{"targets:\n  h: {command: [x], ready: '(a)(b)', ready_timeout: 10}\n",
             "t.yaml:2:53: 'ready_timeout': duration '10' has no unit (write e.g. 10ms or 10s)"}));

// A folder with a targets file and the files it names.
class TargetFiles : public testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/parley-target-config-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }

  void Write(const std::string& name, const std::string& text) {
    fs::create_directories((dir_ / name).parent_path());
    std::ofstream(dir_ / name, std::ios::binary) << text;
  }
  // Loads targets.yaml; on failure returns the error with the folder written as DIR.
  std::string Load(const std::string& yaml) {
    Write("targets.yaml", yaml);
    LoadError error;
    if (LoadTargetsFile((dir_ / "targets.yaml").string(), &config_, &error)) return "";
    std::string text = error.ToString();
    for (std::size_t at; (at = text.find(dir_.string())) != std::string::npos;)
      text.replace(at, dir_.string().size(), "DIR");
    return text;
  }

  fs::path dir_;
  TargetsConfig config_;
};

TEST_F(TargetFiles, LoadsPortEnvCwdConfigAndEachReadyForm) {
  Write("conf/server.conf", "listen ${host}:${port};\npid ${tmp}/pid;\nroot ${targets_dir};\n");
  Write("ready.yaml",
        "name: answers\ntarget: checked\nsteps:\n  - connect: c\n"
        "  - expect: {on: c, line: hello}\n");
  ASSERT_EQ(Load(R"(targets:
  web:
    command: [server, -c, "${config}"]
    port: auto
    host: 127.0.0.2
    config: conf/server.conf
    env: {LANG: C, STATE: "${tmp}/state", PORT_TEXT: "port ${port}"}
    cwd: www
    ready: {connect: true}
  fixed:
    command: [server]
    port: 6667
    ready: {stderr: '^up$'}
  checked:
    command: [server, "--port=${port}"]
    port: auto
    ready: {scenario: ready.yaml}
  logged:
    command: [server, "${port}", "${tmp}"]
    port: auto
    ready: {stdout: 'listening'}
)"),
            "");
  const TargetSpec& web = config_.targets.at("web");
  EXPECT_EQ(web.port_mode, TargetSpec::Port::kAuto);
  EXPECT_EQ(web.host, "127.0.0.2");
  EXPECT_EQ(web.config, (dir_ / "conf/server.conf").string());
  EXPECT_TRUE(web.uses_tmp);  // the config is written there
  ASSERT_EQ(web.env.size(), 3u);
  EXPECT_EQ(web.env[1].first, "STATE");
  EXPECT_EQ(web.env[1].second.source(), "${tmp}/state");
  ASSERT_TRUE(web.cwd);
  EXPECT_EQ(web.cwd->source(), "www");
  EXPECT_EQ(web.targets_dir, dir_.string());
  EXPECT_EQ(web.ready.kind, ReadySpec::Kind::kConnect);
  EXPECT_EQ(web.ready.Describe(), "a TCP connect");
  const TargetSpec& fixed = config_.targets.at("fixed");
  EXPECT_EQ(fixed.port_mode, TargetSpec::Port::kFixed);
  EXPECT_EQ(fixed.port, 6667);
  EXPECT_EQ(fixed.host, "127.0.0.1");
  EXPECT_FALSE(fixed.uses_tmp);
  EXPECT_EQ(fixed.ready.kind, ReadySpec::Kind::kStderr);
  EXPECT_EQ(fixed.ready.host_group, 0);  // the endpoint is host:port, not the line's groups
  EXPECT_EQ(fixed.ready.Describe(), "a line matching /^up$/ on stderr");
  const TargetSpec& checked = config_.targets.at("checked");
  EXPECT_EQ(checked.ready.kind, ReadySpec::Kind::kScenario);
  EXPECT_EQ(checked.ready.scenario_file, (dir_ / "ready.yaml").string());
  ASSERT_TRUE(checked.ready.scenario);
  EXPECT_EQ(checked.ready.scenario->name, "answers");
  const TargetSpec& logged = config_.targets.at("logged");
  EXPECT_EQ(logged.ready.kind, ReadySpec::Kind::kStdout);
  EXPECT_TRUE(logged.uses_tmp);
}

TEST_F(TargetFiles, ThePlainReadyStringIsAStdoutRegex) {
  ASSERT_EQ(Load("targets:\n  h: {command: [x], ready: '^on (?P<host>\\S+) (?P<port>\\d+)$'}\n"),
            "");
  const TargetSpec& h = config_.targets.at("h");
  EXPECT_EQ(h.ready.kind, ReadySpec::Kind::kStdout);
  EXPECT_EQ(h.ready.host_group, 1);
  EXPECT_EQ(h.ready.port_group, 2);
  EXPECT_EQ(Load("targets:\n  h: {command: [x], ready: {stdout: '(?P<port>\\d+) (?P<host>.+)'}}\n"),
            "");
  EXPECT_EQ(config_.targets.at("h").ready.host_group, 2);
}

struct FileCase {
  const char* yaml;
  const char* error;  // DIR stands for the folder of the files
};

class TargetFileErrors : public TargetFiles, public testing::WithParamInterface<FileCase> {};

TEST_P(TargetFileErrors, AreLocated) {
  Write("ok.conf", "port ${port}\n");
  Write("bad.conf", "# a comment\nname x\n  port ${nick}\n");
  Write("self.conf", "port ${port} ${config}\n");
  Write("broken.conf", "port ${port\n");
  Write("other-target.yaml", "name: r\ntarget: elsewhere\nsteps:\n  - connect: c\n");
  Write("two.yaml",
        "- {name: a, target: h, steps: [connect: c]}\n- {name: b, target: h, steps: [connect: "
        "c]}\n");
  Write("skipped.yaml", "name: r\nskip: not today\ntarget: h\nsteps:\n  - connect: c\n");
  Write("bad-scenario.yaml", "name: r\ntarget: h\nsteps:\n  - conect: c\n");
  EXPECT_EQ(Load(GetParam().yaml), GetParam().error);
  EXPECT_EQ(config_.targets.empty(), *GetParam().error != '\0');
}

INSTANTIATE_TEST_SUITE_P(
    All, TargetFileErrors,
    testing::Values(
        FileCase{"targets:\n  h: {command: [x], ready: '(a)(b)', cdw: /}\n",
                 "DIR/targets.yaml:2:38: unknown key 'cdw' in a target (did you mean 'cwd'?)"},
        FileCase{"targets:\n  h: {command: [x], port: auto, ready: {connect: true}}\n",
                 "DIR/targets.yaml:2:27: 'port: auto' picks a free port, but nothing passes "
                 "${port} to the server (use it in the command, env or config)"},
        FileCase{"targets:\n  h: {command: [x], port: auto, env: {P: '${port}'}, ready: "
                 "{connect: true}}\n",
                 ""},
        FileCase{"targets:\n  h: {command: [x, '${port}'], ready: '(a)(b)'}\n",
                 "DIR/targets.yaml:2:20: ${port} needs 'port: auto' (or a port number)"},
        FileCase{"targets:\n  h: {command: [x, '${config}'], ready: '(a)(b)'}\n",
                 "DIR/targets.yaml:2:20: ${config} needs 'config:', a template file"},
        FileCase{"targets:\n  h: {command: [x], port: 0, ready: {connect: true}}\n",
                 "DIR/targets.yaml:2:27: 'port' must be between 1 and 65535"},
        FileCase{"targets:\n  h: {command: [x], port: autom, ready: {connect: true}}\n",
                 "DIR/targets.yaml:2:27: 'port' must be auto or a port number"},
        FileCase{"targets:\n  h: {command: [x], port: auto, config: missing.conf, ready: "
                 "{connect: true}}\n",
                 "DIR/targets.yaml:2:41: no such config template: DIR/missing.conf"},
        FileCase{"targets:\n  h: {command: [x], port: auto, config: bad.conf, ready: "
                 "{connect: true}}\n",
                 "DIR/bad.conf:3:8: ${nick} is not available here (use ${bin}, ${env.NAME}, "
                 "${targets_dir}, ${host}, ${port}, ${config}, ${tmp} or ${scenario.dir})"},
        FileCase{"targets:\n  h: {command: [x], port: auto, config: self.conf, ready: "
                 "{connect: true}}\n",
                 "DIR/self.conf:1:14: ${config} needs 'config:', a template file"},
        FileCase{"targets:\n  h: {command: [x], port: auto, config: broken.conf, ready: "
                 "{connect: true}}\n",
                 "DIR/broken.conf:1:6: '${' is not closed by '}' (write $${ for a literal ${)"},
        FileCase{"targets:\n  h: {command: [x], config: ok.conf, ready: '(a)(b)'}\n",
                 "DIR/ok.conf:1:6: ${port} needs 'port: auto' (or a port number)"},
        FileCase{"targets:\n  h: {command: [x], ready: {connect: true}}\n",
                 "DIR/targets.yaml:2:28: 'ready: {connect: ...}' needs the target's 'port' "
                 "(auto or a number)"},
        FileCase{"targets:\n  h: {command: [x], port: 80, ready: {connect: false}}\n",
                 "DIR/targets.yaml:2:48: 'connect' can only be true"},
        FileCase{"targets:\n  h: {command: [x], port: 80, ready: {connect: true, stdout: a}}\n",
                 "DIR/targets.yaml:2:38: 'ready' is a regex for a stdout line, or one of "
                 "{stdout: RE}, {stderr: RE}, {connect: true}, {scenario: FILE}"},
        FileCase{"targets:\n  h: {command: [x], port: 80, ready: {stdin: a}}\n",
                 "DIR/targets.yaml:2:39: unknown key 'stdin' in 'ready' (expected one of: stdout, "
                 "stderr, connect, scenario)"},
        FileCase{"targets:\n  h: {command: [x], ready: {stderr: 'up'}}\n",
                 "DIR/targets.yaml:2:37: 'ready' needs two groups, host and port, e.g. "
                 "(?P<host>[^:]+):(?P<port>\\d+) (or the target needs 'port: auto')"},
        FileCase{"targets:\n  h: {command: [x], port: 80, ready: {scenario: nope.yaml}}\n",
                 "DIR/targets.yaml:2:49: no such scenario file: DIR/nope.yaml"},
        FileCase{"targets:\n  h: {command: [x], port: 80, ready: {scenario: other-target.yaml}}\n",
                 "DIR/other-target.yaml:2:9: a ready scenario plays against the process being "
                 "started: target 'h', without args or fresh"},
        FileCase{"targets:\n  h: {command: [x], port: 80, ready: {scenario: two.yaml}}\n",
                 "DIR/targets.yaml:2:49: the ready scenario DIR/two.yaml holds 2 scenarios; it "
                 "must hold one"},
        FileCase{"targets:\n  h: {command: [x], port: 80, ready: {scenario: bad-scenario.yaml}}\n",
                 "DIR/bad-scenario.yaml:4:5: unknown step 'conect' (did you mean 'connect'?)"},
        FileCase{"targets:\n  h: {command: [x], port: 80, ready: {scenario: skipped.yaml}}\n",
                 "DIR/skipped.yaml:1:1: a ready scenario cannot be skipped: it must pass"},
        FileCase{"targets:\n  h: {command: [x], ready: '(a)(b)', env: [A]}\n",
                 "DIR/targets.yaml:2:43: 'env' must be a mapping, not a list"},
        FileCase{"targets:\n  h: {command: [x], ready: '(a)(b)', env: {1A: x}}\n",
                 "DIR/targets.yaml:2:44: an environment variable name is letters, digits and _: "
                 "'1A'"},
        FileCase{"targets:\n  h: {command: [x], ready: '(a)(b)', cwd: ''}\n",
                 "DIR/targets.yaml:2:43: 'cwd' names a folder"},
        FileCase{"targets:\n  h: {command: [x], ready: '(a)(b)', host: ''}\n",
                 "DIR/targets.yaml:2:44: 'host' is an address or name, e.g. 127.0.0.1"}));

}  // namespace
}  // namespace parley::harness
