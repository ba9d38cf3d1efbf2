#include "harness/init_command.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "harness/scenario/loader.h"
#include "harness/scenario/target_config.h"

namespace parley::harness {
namespace {

namespace fs = std::filesystem;

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A fresh, empty folder per test, removed afterwards.
class InitCommandTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        fs::temp_directory_path() / ("parley-init-" + std::to_string(::getpid()) + "-" +
                                     testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::add);
    fs::remove_all(dir_);
  }
  InitOptions Options() const {
    InitOptions o;
    o.dir = dir_.string();
    return o;
  }
  fs::path dir_;
};

TEST_F(InitCommandTest, WritesTheTargetsFileTheExampleAndTheWorkflow) {
  testing::internal::CaptureStdout();
  ASSERT_EQ(WriteInitFiles(Options()), 0);
  std::string out = testing::internal::GetCapturedStdout();
  for (const char* file :
       {"scenarios/targets.yaml", "scenarios/example.yaml", ".github/workflows/parley.yml"}) {
    EXPECT_TRUE(fs::is_regular_file(dir_ / file)) << file;
    EXPECT_NE(out.find("wrote " + (dir_ / file).string()), std::string::npos) << out;
  }
  EXPECT_NE(out.find("parley run " + (dir_ / "scenarios").string()), std::string::npos) << out;
}

TEST_F(InitCommandTest, TheFilesOnDiskAreTheScaffold) {
  testing::internal::CaptureStdout();
  ASSERT_EQ(WriteInitFiles(Options()), 0);
  testing::internal::GetCapturedStdout();
  for (const InitFile& f : InitFiles(Options())) {
    EXPECT_EQ(ReadAll(dir_ / f.path), f.text) << f.path;
  }
}

TEST(InitFiles, TheTargetsFileLoadsAndExplainsEveryKey) {
  InitOptions o;
  std::string text = InitFiles(o)[0].text;
  TargetsConfig config;
  LoadError error;
  ASSERT_TRUE(LoadTargets(text, "scenarios/targets.yaml", &config, &error)) << error.ToString();
  ASSERT_EQ(config.targets.count("my-server"), 1u);
  const TargetSpec& spec = config.targets.at("my-server");
  EXPECT_TRUE(spec.shared);  // python3's http.server dies of SIGTERM: see the comment
  EXPECT_EQ(spec.port_mode, TargetSpec::Port::kAuto);
  // Every key a target may have (target_config.cc) is set or shown in a comment.
  for (const char* key : {"command", "env", "cwd", "host", "port", "config", "ready",
                          "ready_timeout", "stop_timeout", "shared", "health", "tls"}) {
    EXPECT_NE(text.find(std::string("# ") + key + ":"), std::string::npos) << key;
  }
  for (const char* ready :
       {"{connect: true}", "{stderr: 'REGEX'}", "{scenario: ready.yaml}", "ready: 'REGEX'"}) {
    EXPECT_NE(text.find(ready), std::string::npos) << ready;
  }
}

TEST(InitFiles, NameAndPortAreUsed) {
  InitOptions o;
  o.target = "api_2";
  o.port = 8080;
  std::vector<InitFile> files = InitFiles(o);
  TargetsConfig config;
  LoadError error;
  ASSERT_TRUE(LoadTargets(files[0].text, "scenarios/targets.yaml", &config, &error))
      << error.ToString();
  ASSERT_EQ(config.targets.count("api_2"), 1u);
  EXPECT_EQ(config.targets.at("api_2").port_mode, TargetSpec::Port::kFixed);
  EXPECT_NE(files[0].text.find("    port: 8080\n"), std::string::npos);
  EXPECT_NE(files[1].text.find("target: api_2\n"), std::string::npos);
  EXPECT_EQ(files[1].text.find("my-server"), std::string::npos);
}

TEST(InitFiles, TheExampleLoadsAndNamesTheTarget) {
  InitOptions o;
  std::string text = InitFiles(o)[1].text;
  LoadResult loaded = LoadScenarios(text, "scenarios/example.yaml");
  ASSERT_TRUE(loaded.ok()) << loaded.error->ToString();
  ASSERT_EQ(loaded.scenarios.size(), 1u);
  EXPECT_EQ(loaded.scenarios[0].target, "my-server");
}

TEST(InitFiles, TheExampleNamesTheSchemaForEditorsWhenOneIsInstalled) {
  InitOptions o;
  EXPECT_EQ(InitFiles(o)[1].text.find("yaml-language-server"), std::string::npos);
  EXPECT_NE(InitFiles(o)[1].text.find("docs/install.md"), std::string::npos);
  o.schema = "/usr/share/parley/scenario.schema.json";
  EXPECT_EQ(InitFiles(o)[1].text.rfind(
                "# yaml-language-server: $schema=/usr/share/parley/scenario.schema.json\n", 0),
            0u);
}

TEST(InitFiles, TheWorkflowInstallsTheDebPlaysAndKeepsTheJUnitReport) {
  std::string text = InitFiles(InitOptions())[2].text;
  for (const char* part : {"\non:\n", "container: debian:12", "PARLEY_DEB_URL: \"\"",
                           "apt-get install -y /tmp/parley.deb", "parley validate scenarios",
                           "parley run scenarios --junit parley-junit.xml",
                           "actions/upload-artifact@v4", "if: always()"}) {
    EXPECT_NE(text.find(part), std::string::npos) << part;
  }
}

TEST(InitFiles, LinesFitInAHundredColumns) {
  for (const InitFile& f : InitFiles(InitOptions())) {
    std::istringstream lines(f.text);
    int number = 0;
    for (std::string line; std::getline(lines, line);) {
      ++number;
      EXPECT_LE(line.size(), 100u) << f.path << ":" << number;
    }
  }
}

TEST_F(InitCommandTest, RefusesToOverwriteWithoutForceAndWritesNothing) {
  fs::create_directories(dir_ / ".github" / "workflows");
  std::ofstream(dir_ / ".github" / "workflows" / "parley.yml") << "mine\n";
  testing::internal::CaptureStderr();
  EXPECT_EQ(WriteInitFiles(Options()), 2);
  std::string err = testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find((dir_ / ".github/workflows/parley.yml").string() + " already exists"),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("--force"), std::string::npos) << err;
  EXPECT_FALSE(fs::exists(dir_ / "scenarios"));
  EXPECT_EQ(ReadAll(dir_ / ".github" / "workflows" / "parley.yml"), "mine\n");
}

TEST_F(InitCommandTest, ForceOverwrites) {
  fs::create_directories(dir_ / "scenarios");
  std::ofstream(dir_ / "scenarios" / "example.yaml") << "mine\n";
  InitOptions o = Options();
  o.force = true;
  testing::internal::CaptureStdout();
  EXPECT_EQ(WriteInitFiles(o), 0);
  testing::internal::GetCapturedStdout();
  EXPECT_EQ(ReadAll(dir_ / "scenarios" / "example.yaml"), InitFiles(o)[1].text);
}

TEST_F(InitCommandTest, AFolderThatCannotBeMadeIsAClearError) {
  std::ofstream(dir_ / "file") << "x";
  InitOptions o = Options();
  o.dir = (dir_ / "file" / "repo").string();
  testing::internal::CaptureStderr();
  EXPECT_EQ(WriteInitFiles(o), 1);
  std::string err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(err, "parley init: cannot create folder " + (dir_ / "file/repo/scenarios").string() +
                     ": Not a directory\n");
}

TEST_F(InitCommandTest, AnUnwritableFolderIsAClearError) {
  if (::geteuid() == 0) GTEST_SKIP() << "root writes into read-only folders";
  fs::create_directories(dir_ / "scenarios");
  fs::permissions(dir_ / "scenarios", fs::perms::owner_read | fs::perms::owner_exec);
  testing::internal::CaptureStderr();
  EXPECT_EQ(WriteInitFiles(Options()), 1);
  std::string err = testing::internal::GetCapturedStderr();
  fs::permissions(dir_ / "scenarios", fs::perms::owner_all);
  EXPECT_EQ(err, "parley init: cannot write " + (dir_ / "scenarios/targets.yaml").string() +
                     ": Permission denied\n");
}

TEST_F(InitCommandTest, TheCommandLine) {
  testing::internal::CaptureStdout();
  EXPECT_EQ(CommandInit({dir_.string(), "--name", "web", "--port", "9000"}), 0);
  testing::internal::GetCapturedStdout();
  EXPECT_NE(ReadAll(dir_ / "scenarios" / "targets.yaml").find("  web:\n    # command"),
            std::string::npos);
  testing::internal::CaptureStderr();
  EXPECT_EQ(CommandInit({dir_.string()}), 2);
  testing::internal::GetCapturedStderr();
  EXPECT_THROW(CommandInit({dir_.string(), "--name", "1st"}), std::exception);
  EXPECT_THROW(CommandInit({dir_.string(), "--name", "a b"}), std::exception);
  EXPECT_THROW(CommandInit({dir_.string(), "--port", "0"}), std::exception);
  EXPECT_THROW(CommandInit({dir_.string(), "--port", "65536"}), std::exception);
  EXPECT_THROW(CommandInit({dir_.string(), "--bogus"}), std::exception);
}

}  // namespace
}  // namespace parley::harness
