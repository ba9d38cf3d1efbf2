#include "harness/testing/guarded_buffer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <string>

namespace parley::test {
namespace {

bool EndsAtPageBoundary(std::string_view view) {
  const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
  return reinterpret_cast<std::uintptr_t>(view.data() + view.size()) % page == 0;
}

TEST(GuardedBuffer, HoldsACopyEndingAtAPageBoundary) {
  GuardedBuffer buffer;
  const std::string text = "GET / HTTP/1.1\r\n";
  const std::string_view view = buffer.Assign(text);
  EXPECT_EQ(view, text);
  EXPECT_NE(view.data(), text.data());
  EXPECT_TRUE(EndsAtPageBoundary(view));
  EXPECT_EQ(buffer.view(), view);

  const std::string big(3 * 4096 + 5, 'x');
  EXPECT_EQ(buffer.Assign(big), big);
  EXPECT_TRUE(EndsAtPageBoundary(buffer.view()));
  EXPECT_EQ(buffer.Assign("ab"), "ab");
  EXPECT_TRUE(EndsAtPageBoundary(buffer.view()));
  EXPECT_EQ(buffer.Assign(""), "");
}

TEST(GuardedBuffer, ReadingPastTheEndCrashes) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const GuardedBuffer buffer("abc");
  const volatile char* end = buffer.view().data() + buffer.view().size();
  EXPECT_EQ(end[-1], 'c');
  EXPECT_DEATH({ [[maybe_unused]] const char c = end[0]; }, "");
}

}  // namespace
}  // namespace parley::test
