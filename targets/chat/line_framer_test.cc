#include "targets/chat/line_framer.h"

#include <gtest/gtest.h>

#include <initializer_list>
#include <random>
#include <string>
#include <vector>

#include "harness/testing/guarded_buffer.h"

namespace parley::chat {
namespace {

using test::GuardedBuffer;

using Frames = std::vector<std::string>;

std::string Describe(const Frame& frame) {
  if (frame.error != FrameError::kNone) return "! " + std::string(ErrorText(frame.error));
  return std::string(frame.line);
}

void Drain(LineFramer& framer, std::string_view input, Frames& out) {
  while (std::optional<Frame> frame = framer.Next(input))
    out.push_back(Describe(*frame));
  EXPECT_TRUE(input.empty());
  EXPECT_LT(framer.buffered(), kMaxLineBytes);
}

// Feeds `chunks` one after another (each from the end of a guarded page), then finishes.
Frames Feed(const std::vector<std::string>& chunks, bool finish = true) {
  LineFramer framer;
  Frames out;
  for (const std::string& chunk : chunks) {
    GuardedBuffer guarded(chunk);
    Drain(framer, guarded.view(), out);
  }
  if (finish) {
    if (std::optional<Frame> frame = framer.Finish()) out.push_back(Describe(*frame));
  }
  return out;
}

Frames Whole(const std::string& input, bool finish = true) {
  return Feed({input}, finish);
}

// Feeds views of one buffer without copies (for the many-split tests).
Frames FeedViews(std::initializer_list<std::string_view> chunks) {
  LineFramer framer;
  Frames out;
  for (std::string_view chunk : chunks)
    Drain(framer, chunk, out);
  if (std::optional<Frame> frame = framer.Finish()) out.push_back(Describe(*frame));
  return out;
}

const std::string kTooLong = "! line-too-long";
const std::string kBadUtf8 = "! invalid-utf8";

TEST(ChatLineFramer, SplitsLinesOnLf) {
  EXPECT_EQ(Whole("hello\n"), Frames{"hello"});
  EXPECT_EQ(Whole("one\ntwo\nthree\n"), (Frames{"one", "two", "three"}));
}

TEST(ChatLineFramer, DropsOneCrBeforeLf) {
  EXPECT_EQ(Whole("hello\r\n"), Frames{"hello"});
  EXPECT_EQ(Whole("a\r\r\n"), Frames{"a\r"});
  EXPECT_EQ(Whole("a\rb\n"), Frames{"a\rb"});
  EXPECT_EQ(Whole("\rx\n"), Frames{"\rx"});
}

TEST(ChatLineFramer, IgnoresEmptyLines) {
  EXPECT_EQ(Whole("\n\r\n\n"), Frames{});
  EXPECT_EQ(Whole("\nx\n\r\ny\n"), (Frames{"x", "y"}));
}

TEST(ChatLineFramer, KeepsAPartialLineAcrossCalls) {
  LineFramer framer;
  Frames out;
  Drain(framer, "hel", out);
  EXPECT_EQ(framer.buffered(), 3U);
  Drain(framer, "lo\nwor", out);
  EXPECT_EQ(out, Frames{"hello"});
  EXPECT_EQ(framer.buffered(), 3U);
  Drain(framer, "ld\n", out);
  EXPECT_EQ(out, (Frames{"hello", "world"}));
  EXPECT_EQ(framer.buffered(), 0U);
}

TEST(ChatLineFramer, ViewsCompleteLinesInPlace) {
  LineFramer framer;
  std::string_view input = "abc\ndef\n";
  const char* begin = input.data();
  std::optional<Frame> frame = framer.Next(input);
  ASSERT_TRUE(frame);
  EXPECT_EQ(frame->line.data(), begin);
  EXPECT_EQ(input, "def\n");
}

TEST(ChatLineFramer, FinishEndsTheLastLine) {
  EXPECT_EQ(Whole("a\nno newline"), (Frames{"a", "no newline"}));
  EXPECT_EQ(Whole("a\nb\r"), (Frames{"a", "b"}));
  EXPECT_EQ(Whole("a\n\r"), Frames{"a"});
  EXPECT_EQ(Whole("a\nb", false), Frames{"a"});
  EXPECT_EQ(Whole("bad \xC3", true), Frames{kBadUtf8});
}

TEST(ChatLineFramer, FinishResetsForANewInput) {
  LineFramer framer;
  Frames out;
  Drain(framer, "first", out);
  ASSERT_TRUE(framer.Finish());
  EXPECT_FALSE(framer.Finish());
  Drain(framer, "second\n", out);
  EXPECT_EQ(out, Frames{"second"});
}

TEST(ChatLineFramer, AcceptsLinesUpToTheLimit) {
  const std::string longest(kMaxLineBytes - 1, 'a');
  EXPECT_EQ(Whole(longest + "\n"), Frames{longest});
  const std::string longest_crlf(kMaxLineBytes - 2, 'b');
  EXPECT_EQ(Whole(longest_crlf + "\r\n"), Frames{longest_crlf});
  EXPECT_EQ(Whole(longest), Frames{longest});  // ended by Finish
}

TEST(ChatLineFramer, RejectsLinesOverTheLimitAndStaysUsable) {
  EXPECT_EQ(Whole(std::string(kMaxLineBytes, 'a') + "\nok\n"), (Frames{kTooLong, "ok"}));
  EXPECT_EQ(Whole(std::string(kMaxLineBytes - 1, 'a') + "\r\nok\n"), (Frames{kTooLong, "ok"}));
  EXPECT_EQ(Whole(std::string(100000, 'a') + "\nok\n"), (Frames{kTooLong, "ok"}));
  EXPECT_EQ(Whole("x\n" + std::string(5000, 'a') + "\n" + std::string(5000, 'b') + "\ny\n"),
            (Frames{"x", kTooLong, kTooLong, "y"}));
}

TEST(ChatLineFramer, ReportsTooLongBeforeTheLineEnds) {
  LineFramer framer;
  Frames out;
  Drain(framer, std::string(kMaxLineBytes - 1, 'a'), out);
  EXPECT_EQ(out, Frames{});
  Drain(framer, "a", out);
  EXPECT_EQ(out, Frames{kTooLong});
  EXPECT_EQ(framer.buffered(), 0U);
  Drain(framer, std::string(50000, 'a'), out);
  EXPECT_EQ(framer.buffered(), 0U);
  EXPECT_FALSE(framer.Finish());  // already reported
  Drain(framer, "fresh\n", out);
  EXPECT_EQ(out, (Frames{kTooLong, "fresh"}));
}

TEST(ChatLineFramer, TooLongWinsOverInvalidUtf8) {
  EXPECT_EQ(Whole(std::string(kMaxLineBytes + 10, '\xFF') + "\n"), Frames{kTooLong});
}

TEST(ChatLineFramer, RejectsInvalidUtf8AndGoesOn) {
  EXPECT_EQ(Whole("bad \xC0\xAF\nok\n"), (Frames{kBadUtf8, "ok"}));
  EXPECT_EQ(Whole("\xED\xA0\x80\n"), Frames{kBadUtf8});
  EXPECT_EQ(Whole("cut \xE2\x82\n"), Frames{kBadUtf8});
  EXPECT_EQ(Whole("caf\xC3\xA9\n"), Frames{"caf\xC3\xA9"});
}

TEST(ChatLineFramer, AcceptsCharactersSplitAcrossReads) {
  EXPECT_EQ(Feed({"smile \xF0\x9F", "\x98", "\x80!\n"}), Frames{"smile \xF0\x9F\x98\x80!"});
}

TEST(ChatLineFramer, CrAndLfSplitAcrossReads) {
  EXPECT_EQ(Feed({"a\r", "\nb\n"}), (Frames{"a", "b"}));
  EXPECT_EQ(Feed({"a", "\r", "\n"}), Frames{"a"});
}

// Every rule above in one stream, to split every which way.
std::string Mixed() {
  std::string s = "hello\r\n\nsecond line\n\xC3\xA9t\xC3\xA9\n";
  s += std::string(kMaxLineBytes - 1, 'L') + "\n";
  s += std::string(kMaxLineBytes - 2, 'C') + "\r\n";
  s += std::string(kMaxLineBytes, 'X') + "\r\n";
  s += "bad\xED\xA0\x80\n/nick bob\r\n\r\n";
  s += std::string(kMaxLineBytes + 100, 'Y') + "\n";
  s += "\xF0\x9F\x98\x80\nlast";
  return s;
}

TEST(ChatLineFramer, SplittingAtAnyByteGivesTheSameFrames) {
  const std::string input = Mixed();
  const Frames whole = Whole(input);
  ASSERT_EQ(whole.size(), 11U);
  const std::string_view view = input;
  for (std::size_t at = 0; at <= input.size(); ++at) {
    ASSERT_EQ(FeedViews({view.substr(0, at), view.substr(at)}), whole) << "split at " << at;
  }
}

TEST(ChatLineFramer, ByteByByteGivesTheSameFrames) {
  const std::string input = Mixed();
  LineFramer framer;
  Frames out;
  for (char c : input)
    Drain(framer, std::string_view(&c, 1), out);
  if (std::optional<Frame> frame = framer.Finish()) out.push_back(Describe(*frame));
  EXPECT_EQ(out, Whole(input));
}

TEST(ChatLineFramer, RandomChunksGiveTheSameFrames) {
  const std::string input = Mixed();
  const Frames whole = Whole(input);
  std::mt19937 random(12345);
  for (int round = 0; round < 200; ++round) {
    std::vector<std::string> chunks;
    for (std::size_t at = 0; at < input.size();) {
      const std::size_t size = std::uniform_int_distribution<std::size_t>(1, 9000)(random);
      chunks.push_back(input.substr(at, size));
      at += size;
    }
    ASSERT_EQ(Feed(chunks), whole) << "round " << round;
  }
}

TEST(ChatLineFramer, RetainsAtMostOnePartialLine) {
  LineFramer framer;
  Frames out;
  for (int i = 0; i < 1000; ++i) {
    Drain(framer, std::string(777, 'z'), out);
    ASSERT_LT(framer.buffered(), kMaxLineBytes);
  }
  EXPECT_EQ(out, Frames{kTooLong});
}

TEST(ChatLineFramer, ResetForgetsEverything) {
  LineFramer framer;
  Frames out;
  Drain(framer, "partial", out);
  framer.Reset();
  EXPECT_EQ(framer.buffered(), 0U);
  Drain(framer, "new\n", out);
  EXPECT_EQ(out, Frames{"new"});
}

TEST(ChatLineFramer, ErrorTextsAreStable) {
  EXPECT_EQ(ErrorText(FrameError::kLineTooLong), "line-too-long");
  EXPECT_EQ(ErrorText(FrameError::kInvalidUtf8), "invalid-utf8");
}

}  // namespace
}  // namespace parley::chat
