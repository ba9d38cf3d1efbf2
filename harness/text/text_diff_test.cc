#include "harness/text/text_diff.h"

#include <gtest/gtest.h>

#include <random>

#include "harness/text/bytes_text.h"

namespace parley::harness {
namespace {

std::string Numbered(int from, int to) {
  std::string text;
  for (int i = from; i <= to; ++i)
    text += "line " + std::to_string(i) + "\n";
  return text;
}

TEST(RenderFullDiff, EqualTextsHaveNoDifference) {
  EXPECT_EQ(RenderFullDiff("a\nb\n", "a\nb\n"), "(no difference)");
}

TEST(RenderFullDiff, OneChangedLineIsAHunkWithThreeLinesOfContext) {
  std::string expected = Numbered(1, 20);
  std::string actual = expected;
  actual.replace(actual.find("line 10\n"), 8, "line ten\n");
  EXPECT_EQ(RenderFullDiff(expected, actual),
            "--- expected\n"
            "+++ actual\n"
            "@@ -7,7 +7,7 @@\n"
            " line 7\\n\n"
            " line 8\\n\n"
            " line 9\\n\n"
            "-line 10\\n\n"
            "+line ten\\n\n"
            " line 11\\n\n"
            " line 12\\n\n"
            " line 13\\n");
}

TEST(RenderFullDiff, EveryChangeIsShownAndFarApartOnesGetHunksOfTheirOwn) {
  std::string expected = Numbered(1, 30);
  std::string actual = expected;
  actual.replace(actual.find("line 2\n"), 7, "line two\n");
  actual.replace(actual.find("line 28\n"), 8, "");
  const std::string diff = RenderFullDiff(expected, actual);
  EXPECT_NE(diff.find("@@ -1,5 +1,5 @@\n line 1\\n\n-line 2\\n\n+line two\\n\n line 3\\n"),
            std::string::npos)
      << diff;
  EXPECT_NE(diff.find("@@ -25,6 +25,5 @@\n line 25\\n\n line 26\\n\n line 27\\n\n-line 28\\n\n"
                      " line 29\\n\n line 30\\n"),
            std::string::npos)
      << diff;
  // Changes closer than twice the context share one hunk.
  actual = expected;
  actual.replace(actual.find("line 10\n"), 8, "x\n");
  actual.replace(actual.find("line 15\n"), 8, "y\n");
  const std::string joined = RenderFullDiff(expected, actual);
  EXPECT_NE(joined.find("@@ -7,12 +7,12 @@"), std::string::npos) << joined;
  EXPECT_EQ(joined.find("@@", joined.find("@@ -7") + 2), joined.find("@@ -7") + 15) << joined;
}

TEST(RenderFullDiff, LineEndsAndControlBytesAreVisible) {
  EXPECT_EQ(RenderFullDiff("HTTP/1.1 200 OK\r\nA: b\r\n", "HTTP/1.1 200 OK\nA: b\r\n"),
            "--- expected\n+++ actual\n@@ -1,2 +1,2 @@\n"
            "-HTTP/1.1 200 OK\\r\\n\n"
            "+HTTP/1.1 200 OK\\n\n"
            " A: b\\r\\n");
  EXPECT_NE(RenderFullDiff("a\nb\n", "a\n\x01\xff\n").find("+\\x01\\xFF\\n"), std::string::npos);
}

TEST(RenderFullDiff, MissingAndExtraLinesCountRightInTheHeader) {
  EXPECT_EQ(RenderFullDiff("a\nb\n", "a\nb\nc\n"),
            "--- expected\n+++ actual\n@@ -1,2 +1,3 @@\n a\\n\n b\\n\n+c\\n");
  EXPECT_EQ(RenderFullDiff("a\nb\n", ""),
            "--- expected\n+++ actual\n@@ -1,2 +0,0 @@\n-a\\n\n-b\\n");
}

TEST(RenderFullDiff, OneLineWithOneDifferenceIsTheClassicWindow) {
  EXPECT_EQ(RenderFullDiff("HTTP/1.1 200 OK", "HTTP/1.1 404 OK"),
            RenderDiff("HTTP/1.1 200 OK", "HTTP/1.1 404 OK"));
}

TEST(RenderFullDiff, ALongLineShowsAWindowAroundEachDifference) {
  std::string expected(2000, 'a');
  std::string actual = expected;
  actual[100] = 'X';
  actual[1500] = 'Y';
  const std::string diff = RenderFullDiff(expected, actual);
  EXPECT_EQ(diff.rfind("2 differences:", 0), 0u) << diff;
  EXPECT_NE(diff.find("^ byte 100"), std::string::npos) << diff;
  EXPECT_NE(diff.find("^ byte 1500"), std::string::npos) << diff;
  EXPECT_LT(diff.size(), 600u) << diff;
  // Too many to show: the first ten, then a count (the Y at 1500 is overwritten).
  for (int i = 0; i < 15; ++i)
    actual[200 + 100 * i] = 'Z';
  const std::string many = RenderFullDiff(expected, actual);
  EXPECT_NE(many.find("16 differences:"), std::string::npos) << many;
  EXPECT_NE(many.find("... and 6 more differences"), std::string::npos) << many;
}

TEST(RenderFullDiff, TooDifferentInputsFallBackToTheFirstDifference) {
  std::string expected, actual;
  for (int i = 0; i < 3000; ++i) {
    expected += "e" + std::to_string(i) + "\n";
    actual += "a" + std::to_string(i) + "\n";
  }
  const std::string diff = RenderFullDiff(expected, actual);
  EXPECT_NE(diff.find("(too many differing lines: only the first difference is shown)"),
            std::string::npos)
      << diff.substr(0, 300);
}

// The script turns a into b and is as short as the longest common subsequence allows.
TEST(ShortestEdit, IsAValidScriptOfMinimalLength) {
  std::mt19937 random(7);
  const std::vector<std::string_view> alphabet = {"a", "b", "c"};
  for (int round = 0; round < 500; ++round) {
    std::vector<std::string_view> a(random() % 12), b(random() % 12);
    for (auto& x : a)
      x = alphabet[random() % 3];
    for (auto& x : b)
      x = alphabet[random() % 3];
    bool too_different = true;
    std::vector<DiffOp> ops = ShortestEdit(a, b, 100, &too_different);
    ASSERT_FALSE(too_different);
    std::vector<std::string_view> made;
    std::size_t i = 0, j = 0, edits = 0;
    for (const DiffOp& op : ops) {
      for (std::size_t n = 0; n < op.count; ++n) {
        if (op.kind == DiffOp::Kind::kKeep) {
          ASSERT_EQ(a[i], b[j]);
          made.push_back(a[i++]);
          ++j;
        } else if (op.kind == DiffOp::Kind::kDelete) {
          ++i;
          ++edits;
        } else {
          made.push_back(b[j++]);
          ++edits;
        }
      }
    }
    EXPECT_EQ(i, a.size());
    EXPECT_EQ(made, b);
    std::vector<std::vector<std::size_t>> lcs(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
    for (std::size_t x = 1; x <= a.size(); ++x)
      for (std::size_t y = 1; y <= b.size(); ++y)
        lcs[x][y] =
            a[x - 1] == b[y - 1] ? lcs[x - 1][y - 1] + 1 : std::max(lcs[x - 1][y], lcs[x][y - 1]);
    EXPECT_EQ(edits, a.size() + b.size() - 2 * lcs[a.size()][b.size()]);
  }
}

TEST(ShortestEdit, GivesUpPastTheBound) {
  bool too_different = false;
  ShortestEdit({"a", "b", "c"}, {"x", "y", "z"}, 5, &too_different);
  EXPECT_TRUE(too_different);
  ShortestEdit({"a", "b", "c"}, {"x", "y", "z"}, 6, &too_different);
  EXPECT_FALSE(too_different);
}

}  // namespace
}  // namespace parley::harness
