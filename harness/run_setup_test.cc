#include "harness/run_setup.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace parley::harness {
namespace {

namespace fs = std::filesystem;

// A folder of scenario files and a targets file, removed at the end of the test.
class RunSetupTest : public ::testing::Test {
 protected:
  RunSetupTest()
      : dir_(fs::temp_directory_path() / ("parley-run-setup-" + std::to_string(::getpid()))) {
    fs::create_directories(dir_ / "suite");
    Write("targets.yaml",
          "targets:\n"
          "  http: {command: [x], ready: '(?P<host>.+):(?P<port>\\d+)'}\n"
          "  chat: {command: [x], ready: '(?P<host>.+):(?P<port>\\d+)'}\n");
  }
  ~RunSetupTest() override { fs::remove_all(dir_); }

  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
  }

  RunRequest Request() {
    RunRequest request;
    request.paths = {(dir_ / "suite").string()};
    return request;
  }

  fs::path dir_;
};

TEST_F(RunSetupTest, PlansTheSelectedScenariosWithTheNearestTargetsFile) {
  Write("suite/a.yaml",
        "- {name: one, target: http, tags: [x], steps: [{sleep: 1ms}]}\n"
        "- {name: two, target: {name: chat, args: ['${v}']}, steps: [{sleep: 1ms}]}\n");
  RunRequest request = Request();
  request.variables = {"v"};
  request.selection.tags = {"x"};
  request.selection.repeat = 2;
  RunSetup setup;
  RunSetupError error;
  ASSERT_TRUE(SetUpRun(request, &setup, &error)) << error.message;
  EXPECT_TRUE(setup.have_targets);
  EXPECT_EQ(setup.targets.file, (dir_ / "targets.yaml").string());
  EXPECT_EQ(setup.catalog.scenarios.size(), 2u);
  ASSERT_EQ(setup.plan.size(), 2u);
  EXPECT_EQ(setup.plan[1].scenario->name, "one");
  EXPECT_EQ(setup.plan[1].repeat, 1);
}

TEST_F(RunSetupTest, APathThatDoesNotExistLoadsNothing) {
  RunRequest request = Request();
  request.paths.push_back((dir_ / "missing").string());
  RunSetup setup;
  RunSetupError error;
  EXPECT_FALSE(SetUpRun(request, &setup, &error));
  EXPECT_EQ(error.message, "no such file or folder: " + (dir_ / "missing").string());
  EXPECT_TRUE(error.errors.empty());
}

TEST_F(RunSetupTest, EveryMistakeIsReportedAndUnknownTargetsListTheKnownOnes) {
  Write("suite/a.yaml", "name: a\ntarget: nope\nsteps: [{sleep: 1ms}]\n");
  Write("suite/b.yaml", "name: b\nsteps: [{sleep: soon}]\n");
  RunRequest request = Request();
  request.external_targets = {"zeta", "chat"};
  RunSetup setup;
  RunSetupError error;
  EXPECT_FALSE(SetUpRun(request, &setup, &error));
  EXPECT_TRUE(error.message.empty());
  ASSERT_EQ(error.errors.size(), 2u);
  EXPECT_EQ(error.errors[0].file, (dir_ / "suite/b.yaml").string());
  EXPECT_EQ(error.errors[0].line, 2);
  EXPECT_EQ(
      error.errors[1].ToString(),
      (dir_ / "suite/a.yaml").string() + ":2:9: unknown target 'nope' (known: chat, zeta, http)");
  EXPECT_TRUE(setup.plan.empty());
}

TEST_F(RunSetupTest, ABrokenTargetsFileIsAnErrorAndDeclaresNothing) {
  Write("suite/a.yaml", "name: a\ntarget: http\nsteps: [{sleep: 1ms}]\n");
  Write("broken.yaml", "targets: [\n");
  RunRequest request = Request();
  request.targets_file = (dir_ / "broken.yaml").string();
  RunSetup setup;
  RunSetupError error;
  EXPECT_FALSE(SetUpRun(request, &setup, &error));
  ASSERT_EQ(error.errors.size(), 2u);
  EXPECT_EQ(error.errors[0].file, request.targets_file);
  EXPECT_FALSE(setup.have_targets);
  EXPECT_EQ(error.errors[1].message, "unknown target 'http' (no target is declared)");
}

}  // namespace
}  // namespace parley::harness

namespace parley::harness {
namespace {

TEST(ExcludedBy, FileNamesPathsAndFolders) {
  EXPECT_TRUE(ExcludedBy("docker-compose.yml", "scenarios/app/docker-compose.yml"));
  EXPECT_TRUE(ExcludedBy("*.draft.yaml", "scenarios/http/new.draft.yaml"));
  EXPECT_FALSE(ExcludedBy("*.draft.yaml", "scenarios/http/basics.yaml"));
  EXPECT_TRUE(ExcludedBy("scenarios/tls", "scenarios/tls/handshake.yaml"));
  EXPECT_TRUE(ExcludedBy("scenarios/tls/", "scenarios/tls/handshake.yaml"));
  EXPECT_TRUE(ExcludedBy("scenarios/*/limits.yaml", "scenarios/http/limits.yaml"));
  EXPECT_FALSE(ExcludedBy("scenarios/tls", "scenarios/tls2/a.yaml"));
  EXPECT_FALSE(ExcludedBy("tls", "scenarios/tls/handshake.yaml"));  // a name, not a folder
}

class DiscoveryTest : public RunSetupTest {};

TEST_F(DiscoveryTest, OtherYamlIsSkippedWithAWarningAndStepsFilesQuietly) {
  Write("suite/a.yaml",
        "name: one\ntarget: http\nsteps:\n  - connect: c\n"
        "  - include: {file: login.yaml, with: {conn: c}}\n");
  Write("suite/login.yaml", "params: [conn]\nsteps:\n  - send: {on: '${conn}', text: hi}\n");
  Write("suite/docker-compose.yml", "services:\n  web: {image: nginx}\n");
  Write("suite/unused.yaml", "steps:\n  - sleep: 1ms\n");
  RunSetup setup;
  RunSetupError error;
  ASSERT_TRUE(SetUpRun(Request(), &setup, &error)) << error.message;
  EXPECT_EQ(setup.catalog.scenarios.size(), 1u);
  EXPECT_EQ(setup.catalog.files, std::vector<std::string>{(dir_ / "suite/a.yaml").string()});
  ASSERT_EQ(setup.catalog.warnings.size(), 2u);
  EXPECT_EQ(setup.catalog.warnings[0],
            (dir_ / "suite/docker-compose.yml").string() +
                ": skipped, not a scenario file: no mapping with 'name' and 'steps' in it");
  EXPECT_EQ(setup.catalog.warnings[1],
            (dir_ / "suite/unused.yaml").string() +
                ": a steps file (for include) that no scenario played here includes; if it is "
                "meant as a scenario, give it a 'name'");
  // Named on the command line, the same files are errors.
  RunRequest named = Request();
  named.paths = {(dir_ / "suite/docker-compose.yml").string()};
  EXPECT_FALSE(SetUpRun(named, &setup, &error));
  ASSERT_EQ(error.errors.size(), 1u);
  EXPECT_NE(error.errors[0].message.find("unknown key 'services' in a scenario"), std::string::npos)
      << error.errors[0].message;
}

TEST_F(DiscoveryTest, AFolderWithItsOwnTargetsFileIsASuiteOfItsOwn) {
  Write("suite/a.yaml", "name: one\ntarget: http\nsteps: [{sleep: 1ms}]\n");
  fs::create_directories(dir_ / "suite/irc");
  Write("suite/irc/targets.yaml",
        "targets:\n  irc: {command: [x], ready: '(?P<host>.+):(?P<port>\\d+)'}\n");
  Write("suite/irc/b.yaml", "name: two\ntarget: irc\nsteps: [{sleep: 1ms}]\n");
  RunSetup setup;
  RunSetupError error;
  ASSERT_TRUE(SetUpRun(Request(), &setup, &error)) << error.message;
  ASSERT_EQ(setup.catalog.scenarios.size(), 1u);
  EXPECT_EQ(setup.catalog.scenarios[0].name, "one");
  RunRequest irc = Request();
  irc.paths = {(dir_ / "suite/irc").string()};
  RunSetup irc_setup;
  ASSERT_TRUE(SetUpRun(irc, &irc_setup, &error))
      << error.message << (error.errors.empty() ? "" : error.errors[0].ToString());
  ASSERT_EQ(irc_setup.catalog.scenarios.size(), 1u);
  EXPECT_EQ(irc_setup.catalog.scenarios[0].name, "two");
}

TEST_F(DiscoveryTest, ExcludeLeavesFilesOut) {
  Write("suite/a.yaml", "name: one\ntarget: http\nsteps: [{sleep: 1ms}]\n");
  Write("suite/broken.yaml", "name: [\n");
  RunRequest request = Request();
  request.excludes = {"broken.yaml"};
  RunSetup setup;
  RunSetupError error;
  ASSERT_TRUE(SetUpRun(request, &setup, &error)) << error.message;
  EXPECT_EQ(setup.catalog.scenarios.size(), 1u);
}

}  // namespace
}  // namespace parley::harness
