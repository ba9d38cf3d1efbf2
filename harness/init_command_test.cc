#include "harness/init_command.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

namespace parley::harness {
namespace {

TEST(InitCommand, WritesTheFilesAndNeverOverwritesThemWithoutForce) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("parley-init-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  ASSERT_EQ(CommandInit({dir.string()}), 0);
  EXPECT_TRUE(fs::exists(dir / "scenarios" / "targets.yaml"));
  EXPECT_TRUE(fs::exists(dir / "scenarios" / "example.yaml"));
  EXPECT_THROW(CommandInit({dir.string()}), std::exception);
  EXPECT_EQ(CommandInit({dir.string(), "--force"}), 0);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace parley::harness
