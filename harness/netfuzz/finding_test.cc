#include "harness/netfuzz/finding.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "harness/scenario/loader.h"

namespace parley::harness {
namespace {

namespace fs = std::filesystem;

class FindingTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("parley-finding-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    seed_file_ = (dir_ / "seed.yaml").string();
    std::ofstream(seed_file_) << R"(- name: first
  target: web
  steps:
    - connect: c
    - send: {on: c, text: "a"}
- name: second
  target: web
  timeout: 2s
  steps:
    - connect: {name: c, target: web}
    - expect: {on: c, line: hello}
    - send: {on: c, text: "GET / HTTP/1.1\r\n\r\n"}
    - expect: {on: c, line: {regex: "^HTTP/1.1 [0-9]+"}, invariant: true}
)";
    std::ifstream in(seed_file_);
    std::stringstream text;
    text << in.rdbuf();
    loaded_ = LoadScenarios(text.str(), seed_file_, LoadOptions{});
    ASSERT_FALSE(loaded_.error) << loaded_.error->ToString();
    points_ = FuzzPoints({&loaded_.scenarios[1]});
    ASSERT_EQ(points_.size(), 1u);
  }
  void TearDown() override { fs::remove_all(dir_); }

  LoadResult Reload(const std::string& yaml) {
    return LoadScenarios(yaml, (dir_ / "finding.yaml").string(), LoadOptions{});
  }

  fs::path dir_;
  std::string seed_file_;
  LoadResult loaded_;
  std::vector<FuzzPoint> points_;
};

TEST_F(FindingTest, ACrashBecomesThePrefixTheBytesAndAProbe) {
  Finding f;
  f.kind = Finding::Kind::kDeath;
  f.signature = "asan: x | f";
  f.id = FindingId(f.signature);
  f.point = &points_[0];
  f.input = FuzzInput{std::string("GET \0 /\r\n", 9), {2, 3}, Duration(4)};
  f.mutations = "interesting-byte";
  std::string yaml;
  std::string error;
  ASSERT_TRUE(FindingScenario(f, &yaml, &error)) << error;
  LoadResult r = Reload(yaml);
  ASSERT_FALSE(r.error) << r.error->ToString() << "\n" << yaml;
  const Scenario& s = r.scenarios[0];
  EXPECT_EQ(s.name, "fuzz crash " + f.id + " (second)");
  EXPECT_EQ(s.timeout, Duration(2000));   // the seed's other keys are kept
  ASSERT_EQ(s.steps.size(), 6u) << yaml;  // connect, expect, send, sleep, connect probe, close
  const auto& send = std::get<SendStep>(s.steps[2].action);
  ASSERT_EQ(send.payload.pieces.size(), 1u);
  EXPECT_EQ(send.payload.pieces[0].bytes, f.input.bytes);
  EXPECT_EQ(send.split, (std::vector<std::size_t>{2, 3}));
  EXPECT_EQ(send.delay, Duration(4));
  EXPECT_EQ(std::get<ConnectStep>(s.steps[4].action).target, "web");
}

TEST_F(FindingTest, ABrokenInvariantKeepsTheFailingExpectation) {
  Finding f;
  f.kind = Finding::Kind::kInvariant;
  f.signature = "invariant | seed.yaml:14";
  f.id = FindingId(f.signature);
  f.point = &points_[0];
  f.input = FuzzInput{"GET / HTTP/1.1\r\n\r\n\r\n", {}, Duration(0)};
  f.failed_step = 3;
  std::string yaml;
  std::string error;
  ASSERT_TRUE(FindingScenario(f, &yaml, &error)) << error;
  LoadResult r = Reload(yaml);
  ASSERT_FALSE(r.error) << r.error->ToString() << "\n" << yaml;
  ASSERT_EQ(r.scenarios[0].steps.size(), 4u) << yaml;
  EXPECT_TRUE(std::get<ExpectStep>(r.scenarios[0].steps[3].action).invariant);
}

TEST_F(FindingTest, WritesItsFolderWhole) {
  Finding f;
  f.signature = "killed by signal 6 (SIGABRT)";
  f.id = FindingId(f.signature);
  f.point = &points_[0];
  f.input.bytes = "x";
  std::string error;
  ASSERT_TRUE(WriteFinding(f, dir_.string(), &error)) << error;
  for (const char* name : {"scenario.yaml", "input.bin", "report.txt"}) {
    EXPECT_TRUE(fs::exists(dir_ / "findings" / f.id / name)) << name;
  }
  EXPECT_FALSE(fs::exists(dir_ / "findings" / ("." + f.id + ".tmp")));
  EXPECT_EQ(FindingId(f.signature), f.id);
  EXPECT_EQ(f.id.size(), 12u);
  EXPECT_NE(FindingId("other"), f.id);
}

TEST_F(FindingTest, AnUnwritableFolderIsAnError) {
  Finding f;
  f.signature = "s";
  f.id = FindingId(f.signature);
  f.point = &points_[0];
  std::string error;
  EXPECT_FALSE(WriteFinding(f, "/proc/parley-cannot-write-here", &error));
  EXPECT_NE(error.find("cannot create"), std::string::npos) << error;
}

}  // namespace
}  // namespace parley::harness
