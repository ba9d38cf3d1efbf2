#include "harness/netfuzz/coverage.h"

#include <gtest/gtest.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>

namespace parley::harness {
namespace {

namespace fs = std::filesystem;

class CoverageTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("parley-coverage-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& text, bool executable = false) {
    const fs::path path = dir_ / name;
    std::ofstream(path, std::ios::binary) << text;
    if (executable) fs::permissions(path, fs::perms::owner_all, fs::perm_options::add);
    return path.string();
  }

  // A stand-in for an instrumented program: it holds the run-time's marker and answers
  // AFL_DUMP_MAP_SIZE=1 with `size`, as AFL++'s run-time does.
  std::string FakeInstrumented(const std::string& size) {
    return Write("instrumented",
                 "#!/bin/sh\n# __AFL_SHM_ID\n[ -n \"$AFL_DUMP_MAP_SIZE\" ] && echo " + size +
                     " && exit 255\nexit 0\n",
                 true);
  }

  fs::path dir_;
};

TEST(HitBucket, FollowsAflsClasses) {
  EXPECT_EQ(HitBucket(0), 0);
  EXPECT_EQ(HitBucket(1), 1);
  EXPECT_EQ(HitBucket(2), 2);
  EXPECT_EQ(HitBucket(3), 4);
  EXPECT_EQ(HitBucket(4), 8);
  EXPECT_EQ(HitBucket(7), 8);
  EXPECT_EQ(HitBucket(8), 16);
  EXPECT_EQ(HitBucket(15), 16);
  EXPECT_EQ(HitBucket(16), 32);
  EXPECT_EQ(HitBucket(31), 32);
  EXPECT_EQ(HitBucket(32), 64);
  EXPECT_EQ(HitBucket(127), 64);
  EXPECT_EQ(HitBucket(128), 128);
  EXPECT_EQ(HitBucket(255), 128);
}

TEST_F(CoverageTest, FindsTheRuntimesMarkerAcrossReadChunks) {
  std::string padding((1 << 20) - 5, 'x');  // the marker straddles the first 1 MiB read
  EXPECT_TRUE(HasAflRuntime(Write("across", padding + "__AFL_SHM_ID" + padding)));
  EXPECT_FALSE(HasAflRuntime(Write("plain", padding + "__AFL_SHM" + padding)));
  EXPECT_FALSE(HasAflRuntime((dir_ / "missing").string()));
}

TEST_F(CoverageTest, ResolvesProgramsLikeExecvp) {
  EXPECT_FALSE(ResolveProgram("sh").empty());
  EXPECT_EQ(ResolveProgram("parley-no-such-program"), "");
  EXPECT_EQ(ResolveProgram((dir_ / "missing").string()), "");
  std::string script = Write("script", "#!/bin/sh\n", true);
  EXPECT_EQ(ResolveProgram(script), script);
}

TEST_F(CoverageTest, AsksTheProgramForItsMapSize) {
  std::string error;
  EXPECT_EQ(AflMapSize(FakeInstrumented("70000"), 5000, &error), 70000u) << error;
  EXPECT_FALSE(AflMapSize(Write("chatty", "#!/bin/sh\necho hello\n", true), 5000, &error));
  EXPECT_NE(error.find("printed \"hello\", not a map size"), std::string::npos) << error;
  // A program that ignores AFL_DUMP_MAP_SIZE and runs on is stopped at the timeout.
  auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(AflMapSize(Write("server", "#!/bin/sh\nexec sleep 30\n", true), 200, &error));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

TEST_F(CoverageTest, AProgramWithoutTheRuntimeIsBlackBox) {
  CoverageMaps maps;
  std::vector<std::string> environment;
  std::string error;
  EXPECT_TRUE(maps.Environment("plain", {"sh", "-c", "true"}, &environment, &error)) << error;
  EXPECT_TRUE(environment.empty());
  EXPECT_FALSE(maps.active());
  std::vector<std::string> notes = maps.TakeNotes();
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].find("black-box"), std::string::npos) << notes[0];
  EXPECT_NE(maps.Describe().find("plain (black-box"), std::string::npos) << maps.Describe();
}

// The map an instrumented target gets is the one merged: counts written into it (as the
// target's instrumentation would) show as new coverage once per edge and bucket.
TEST_F(CoverageTest, MergesWhatTheTargetWroteIntoItsMap) {
  CoverageMaps maps;
  std::vector<std::string> environment;
  std::string error;
  ASSERT_TRUE(maps.Environment("srv", {FakeInstrumented("1000")}, &environment, &error)) << error;
  ASSERT_EQ(environment.size(), 2u);
  EXPECT_EQ(environment[1], "AFL_MAP_SIZE=1000");
  ASSERT_EQ(environment[0].rfind("__AFL_SHM_ID=", 0), 0u);
  int id = std::stoi(environment[0].substr(13));
  auto* map = static_cast<unsigned char*>(::shmat(id, nullptr, 0));
  ASSERT_NE(map, reinterpret_cast<unsigned char*>(-1));

  // A restart of the same target gets the same map.
  std::vector<std::string> again;
  ASSERT_TRUE(maps.Environment("srv", {FakeInstrumented("1000")}, &again, &error));
  EXPECT_EQ(again, environment);
  EXPECT_TRUE(maps.active());

  maps.Clear();
  EXPECT_FALSE(maps.Merge());
  map[0] = 1;  // the run-time's "attached" mark is no edge
  map[17] = 1;
  map[999] = 3;
  EXPECT_TRUE(maps.Merge());
  EXPECT_EQ(maps.edges(), 2u);
  maps.Clear();
  EXPECT_EQ(map[17], 0);
  map[17] = 1;
  EXPECT_FALSE(maps.Merge()) << "the same edges in the same buckets";
  map[17] = 5;
  EXPECT_TRUE(maps.Merge()) << "a new bucket for a known edge";
  EXPECT_EQ(maps.edges(), 2u);
  map[500] = 200;
  EXPECT_TRUE(maps.Merge());
  EXPECT_EQ(maps.edges(), 3u);
  EXPECT_NE(maps.Describe().find("srv (AFL++ map of 1,000 bytes)"), std::string::npos)
      << maps.Describe();
  ::shmdt(map);
}

}  // namespace
}  // namespace parley::harness
