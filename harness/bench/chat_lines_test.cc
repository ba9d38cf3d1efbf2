#include "harness/bench/chat_lines.h"

#include <gtest/gtest.h>

#include <string>

namespace parley::bench {
namespace {

constexpr std::size_t kPayload = 24;

// What chat-server sends a receiver: every line with its sender's prefix.
std::string RelayedLines(std::uint32_t first, std::uint32_t count) {
  std::string out;
  for (std::uint32_t i = first; i < first + count; ++i)
    out += "<guest1> " + PayloadLine(i, kPayload);
  return out;
}

TEST(BenchChatLines, PayloadLineFormat) {
  EXPECT_EQ(PayloadLine(0, 16), "m00000000 abcdef\n");
  EXPECT_EQ(PayloadLine(27, 12), "m00000027 bc\n");
  EXPECT_EQ(PayloadLine(12345678, kMinPayloadSize).size(), kMinPayloadSize + 1);
}

TEST(BenchChatLines, IntactStreamWholeAndInEveryPiece) {
  const std::string stream = RelayedLines(0, 5);
  for (std::size_t piece = 1; piece <= stream.size(); ++piece) {
    LineChecker checker(5, kPayload);
    for (std::size_t at = 0; at < stream.size(); at += piece)
      checker.Feed(std::string_view(stream).substr(at, piece));
    EXPECT_TRUE(checker.done()) << piece;
    EXPECT_EQ(checker.intact(), 5u) << piece;
    EXPECT_EQ(checker.damaged(), 0u) << piece;
    EXPECT_EQ(checker.unprefixed(), 0u) << piece;
    EXPECT_EQ(checker.payload_bytes(), 5 * (kPayload + 1)) << piece;
  }
}

TEST(BenchChatLines, NotDoneUntilTheLastByte) {
  const std::string stream = RelayedLines(0, 3);
  LineChecker checker(3, kPayload);
  checker.Feed(std::string_view(stream).substr(0, stream.size() - 1));
  EXPECT_FALSE(checker.done());
  EXPECT_EQ(checker.intact(), 2u);
  checker.Feed("\n");
  EXPECT_TRUE(checker.done());
  EXPECT_EQ(checker.intact(), 3u);
}

// ncat --chat prefixes every chunk it forwards, so a line split between two reads carries a
// second prefix inside it: damaged, yet its payload bytes all arrived.
TEST(BenchChatLines, PrefixInsideALineIsDamagedButCounted) {
  const std::string line0 = PayloadLine(0, kPayload);
  const std::string line1 = PayloadLine(1, kPayload);
  const std::string stream =
      "<user4> " + line0 + "<user4> " + line1.substr(0, 7) + "<user4> " + line1.substr(7);
  LineChecker checker(2, kPayload);
  checker.Feed(stream);
  EXPECT_TRUE(checker.done());
  EXPECT_EQ(checker.intact(), 1u);
  EXPECT_EQ(checker.damaged(), 1u);
}

TEST(BenchChatLines, LostAlteredAndReorderedLinesAreNotIntact) {
  // A gap: the lines around it are intact; the missing one shows only in the counts.
  LineChecker lost(3, kPayload);
  lost.Feed(RelayedLines(0, 1) + RelayedLines(2, 1));
  EXPECT_FALSE(lost.done());
  EXPECT_EQ(lost.intact(), 2u);
  EXPECT_EQ(lost.damaged(), 0u);

  std::string altered = RelayedLines(0, 2);
  altered[altered.size() - 3] ^= 1;
  LineChecker changed(2, kPayload);
  changed.Feed(altered);
  EXPECT_EQ(changed.intact(), 1u);
  EXPECT_EQ(changed.damaged(), 1u);

  // Line 1 before line 0: line 0 comes too late.
  LineChecker reordered(2, kPayload);
  reordered.Feed(RelayedLines(1, 1) + RelayedLines(0, 1));
  EXPECT_TRUE(reordered.done());
  EXPECT_EQ(reordered.intact(), 1u);
  EXPECT_EQ(reordered.damaged(), 1u);

  LineChecker doubled(1, kPayload);
  doubled.Feed("<a> <b> " + PayloadLine(0, kPayload));
  EXPECT_EQ(doubled.intact(), 0u);
  EXPECT_EQ(doubled.damaged(), 1u);
}

// ncat --chat prefixes only the first line of each chunk.
TEST(BenchChatLines, LinesWithoutAPrefixAreIntactAndCounted) {
  LineChecker checker(3, kPayload);
  checker.Feed("<user4> " + PayloadLine(0, kPayload) + PayloadLine(1, kPayload) + "<user4> " +
               PayloadLine(2, kPayload));
  EXPECT_TRUE(checker.done());
  EXPECT_EQ(checker.intact(), 3u);
  EXPECT_EQ(checker.unprefixed(), 1u);
  EXPECT_EQ(checker.damaged(), 0u);
}

TEST(BenchChatLines, ResetForgetsTheJoinChatter) {
  LineChecker checker(1, kPayload);
  checker.Feed("* welcome guest2\n* online: guest1 guest2\n* gue");
  checker.Reset();
  checker.Feed(RelayedLines(0, 1));
  EXPECT_TRUE(checker.done());
  EXPECT_EQ(checker.intact(), 1u);
  EXPECT_EQ(checker.damaged(), 0u);
}

}  // namespace
}  // namespace parley::bench
