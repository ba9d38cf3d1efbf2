#include "harness/fuzz/fuzz_support.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

namespace parley::fuzz {
namespace {

TEST(FuzzSupport, HashDependsOnEveryByteAndIsStable) {
  EXPECT_EQ(InputHash("GET / HTTP/1.1"), InputHash("GET / HTTP/1.1"));
  EXPECT_NE(InputHash("GET / HTTP/1.1"), InputHash("GET / HTTP/1.0"));
  EXPECT_NE(InputHash(std::string("a\0b", 3)), InputHash(std::string("a\0c", 3)));
  EXPECT_NE(InputHash(""), InputHash(std::string(1, '\0')));
}

TEST(FuzzSupport, SplitPointsAreIncreasingAndInside) {
  const std::string input(300, 'x');
  int whole = 0, bytewise = 0, some = 0;
  for (std::uint32_t hash = 0; hash < 400; ++hash) {
    const std::vector<std::size_t> points = SplitPoints(input, hash);
    for (std::size_t i = 0; i < points.size(); ++i) {
      ASSERT_GT(points[i], 0u);
      ASSERT_LT(points[i], input.size());
      if (i > 0) {
        ASSERT_LT(points[i - 1], points[i]);
      }
    }
    if (points.empty()) {
      ++whole;
    } else if (points.size() == input.size() - 1) {
      ++bytewise;
    } else {
      ++some;
    }
  }
  EXPECT_GT(whole, 0);
  EXPECT_GT(bytewise, 0);
  EXPECT_GT(some, 0);
}

TEST(FuzzSupport, ShortInputsHaveNoSplitPoints) {
  EXPECT_TRUE(SplitPoints("", 5).empty());
  EXPECT_TRUE(SplitPoints("a", 5).empty());
}

TEST(FuzzSupport, PiecesConcatenateToTheInput) {
  const std::string input = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
  const std::vector<std::string_view> pieces = Pieces(input, {1, 5, 20});
  ASSERT_EQ(pieces.size(), 4u);
  EXPECT_EQ(pieces[0], "G");
  EXPECT_EQ(pieces[1], "ET /");
  std::string joined;
  for (std::string_view p : pieces)
    joined += p;
  EXPECT_EQ(joined, input);
  EXPECT_EQ(Pieces(input, {}).size(), 1u);
}

TEST(FuzzSupport, WithinTellsViewsInsideFromOutside) {
  const std::string outer = "abcdef";
  const std::string other = "abcdef";
  const std::string_view view = outer;
  EXPECT_TRUE(Within(view.substr(2, 3), view));
  EXPECT_TRUE(Within(view.substr(6), view));
  EXPECT_TRUE(Within(std::string_view(), view));
  EXPECT_FALSE(Within(std::string_view(other).substr(1, 2), view));
  EXPECT_FALSE(Within(std::string_view(outer.data() + 4, 3), view.substr(0, 6)));
}

TEST(FuzzSupport, ReferenceUtf8FollowsRfc3629) {
  EXPECT_TRUE(ReferenceUtf8(""));
  EXPECT_TRUE(ReferenceUtf8("caf\xc3\xa9"));
  EXPECT_TRUE(ReferenceUtf8("\xed\x9f\xbf"));       // U+D7FF
  EXPECT_FALSE(ReferenceUtf8("\xed\xbf\xbf"));      // U+DFFF, a surrogate
  EXPECT_TRUE(ReferenceUtf8("\xf4\x8f\xbf\xbf"));   // U+10FFFF
  EXPECT_FALSE(ReferenceUtf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(ReferenceUtf8("\xc0\xaf"));          // overlong "/"
  EXPECT_FALSE(ReferenceUtf8("\xe0\x9f\xbf"));      // overlong U+07FF
  EXPECT_FALSE(ReferenceUtf8("\xf8\x88\x80\x80\x80"));
  EXPECT_FALSE(ReferenceUtf8("\x80"));      // a continuation without a lead
  EXPECT_FALSE(ReferenceUtf8("\xe2\x82"));  // cut short
}

TEST(FuzzSupportDeathTest, PropertyFailureNamesTheProperty) {
  EXPECT_DEATH(PARLEY_FUZZ_CHECK(1 + 1 == 3, "arithmetic holds", "1 + 1"),
               "property violated: arithmetic holds");
}

// The variable is read once per process, so each case runs in a fresh process ("threadsafe"
// death tests re-execute the test binary).
TEST(FuzzSupportDeathTest, OraclesAreOnUnlessTheEnvironmentListsThem) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const auto exit_with = [](const char* off, const char* name) {
    if (off != nullptr)
      setenv("PARLEY_FUZZ_ORACLES_OFF", off, 1);
    else
      unsetenv("PARLEY_FUZZ_ORACLES_OFF");
    std::exit(OracleEnabled(name) ? 7 : 8);
  };
  EXPECT_EXIT(exit_with(nullptr, "echo"), testing::ExitedWithCode(7), "");
  EXPECT_EXIT(exit_with("echo", "echo"), testing::ExitedWithCode(8), "");
  EXPECT_EXIT(exit_with("grammar,echo", "echo"), testing::ExitedWithCode(8), "");
  EXPECT_EXIT(exit_with("grammar,echoes", "echo"), testing::ExitedWithCode(7), "");
  EXPECT_EXIT(exit_with("", "echo"), testing::ExitedWithCode(7), "");
}

}  // namespace
}  // namespace parley::fuzz
