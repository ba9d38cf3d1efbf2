#include "targets/chat/utf8.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "harness/testing/guarded_buffer.h"

namespace parley::chat {
namespace {

using test::GuardedBuffer;

// An independent statement of RFC 3629: decode by bit patterns, then reject overlongs,
// surrogates and code points past U+10FFFF by value.
bool ReferenceIsValid(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto lead = static_cast<unsigned char>(s[i]);
    std::size_t length;
    std::uint32_t cp;
    if (lead < 0x80) {
      length = 1;
      cp = lead;
    } else if ((lead >> 5) == 0x6) {
      length = 2;
      cp = lead & 0x1F;
    } else if ((lead >> 4) == 0xE) {
      length = 3;
      cp = lead & 0x0F;
    } else if ((lead >> 3) == 0x1E) {
      length = 4;
      cp = lead & 0x07;
    } else {
      return false;
    }
    if (i + length > s.size()) return false;
    for (std::size_t k = 1; k < length; ++k) {
      const auto byte = static_cast<unsigned char>(s[i + k]);
      if ((byte >> 6) != 0x2) return false;
      cp = (cp << 6) | (byte & 0x3F);
    }
    static constexpr std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[length]) return false;
    if (cp >= 0xD800 && cp <= 0xDFFF) return false;
    if (cp > 0x10FFFF) return false;
    i += length;
  }
  return true;
}

bool Valid(std::string_view s) {
  GuardedBuffer guarded(s);
  return IsValidUtf8(guarded.view());
}

TEST(ChatUtf8, AcceptsAsciiAndEmpty) {
  EXPECT_TRUE(Valid(""));
  EXPECT_TRUE(Valid("hello, world"));
  EXPECT_TRUE(Valid(std::string("nul\0inside", 10)));
  EXPECT_TRUE(Valid(std::string(1000, 'x')));
}

TEST(ChatUtf8, AcceptsEveryLengthAtItsBoundaries) {
  EXPECT_TRUE(Valid("\x7F"));              // U+007F
  EXPECT_TRUE(Valid("\xC2\x80"));          // U+0080
  EXPECT_TRUE(Valid("\xDF\xBF"));          // U+07FF
  EXPECT_TRUE(Valid("\xE0\xA0\x80"));      // U+0800
  EXPECT_TRUE(Valid("\xED\x9F\xBF"));      // U+D7FF, just below the surrogates
  EXPECT_TRUE(Valid("\xEE\x80\x80"));      // U+E000, just above them
  EXPECT_TRUE(Valid("\xEF\xBF\xBF"));      // U+FFFF
  EXPECT_TRUE(Valid("\xF0\x90\x80\x80"));  // U+10000
  EXPECT_TRUE(Valid("\xF4\x8F\xBF\xBF"));  // U+10FFFF
  EXPECT_TRUE(Valid("h\xC3\xA9llo w\xC3\xB6rld \xE2\x82\xAC \xF0\x9F\x98\x80"));
}

TEST(ChatUtf8, RejectsOverlongForms) {
  EXPECT_FALSE(Valid("\xC0\x80"));              // U+0000 in two bytes
  EXPECT_FALSE(Valid("\xC0\xAF"));              // '/' in two bytes
  EXPECT_FALSE(Valid("\xC1\xBF"));              // U+007F in two bytes
  EXPECT_FALSE(Valid("\xE0\x80\x80"));          // U+0000 in three bytes
  EXPECT_FALSE(Valid("\xE0\x9F\xBF"));          // U+07FF in three bytes
  EXPECT_FALSE(Valid("\xF0\x80\x80\x80"));      // U+0000 in four bytes
  EXPECT_FALSE(Valid("\xF0\x8F\xBF\xBF"));      // U+FFFF in four bytes
  EXPECT_FALSE(Valid("\xF8\x88\x80\x80\x80"));  // five-byte form
  EXPECT_FALSE(Valid("\xFC\x84\x80\x80\x80\x80"));
}

TEST(ChatUtf8, RejectsSurrogates) {
  EXPECT_FALSE(Valid("\xED\xA0\x80"));              // U+D800
  EXPECT_FALSE(Valid("\xED\xAD\xBF"));              // U+DB7F
  EXPECT_FALSE(Valid("\xED\xB0\x80"));              // U+DC00
  EXPECT_FALSE(Valid("\xED\xBF\xBF"));              // U+DFFF
  EXPECT_FALSE(Valid("\xED\xA0\xBD\xED\xB8\x80"));  // a CESU-8 surrogate pair
}

TEST(ChatUtf8, RejectsCodePointsAboveTheMaximum) {
  EXPECT_FALSE(Valid("\xF4\x90\x80\x80"));  // U+110000
  EXPECT_FALSE(Valid("\xF5\x80\x80\x80"));
  EXPECT_FALSE(Valid("\xF7\xBF\xBF\xBF"));
  EXPECT_FALSE(Valid("\xFE"));
  EXPECT_FALSE(Valid("\xFF"));
}

TEST(ChatUtf8, RejectsTruncatedSequences) {
  EXPECT_FALSE(Valid("\xC3"));
  EXPECT_FALSE(Valid("caf\xC3"));
  EXPECT_FALSE(Valid("\xE2\x82"));
  EXPECT_FALSE(Valid("\xE2\x82x"));
  EXPECT_FALSE(Valid("\xF0\x9F\x98"));
  EXPECT_FALSE(Valid("\xF0\x9F\x98 next"));
  EXPECT_FALSE(Valid("\xF0\x9F"));
  EXPECT_FALSE(Valid("\xF0"));
}

TEST(ChatUtf8, RejectsStrayContinuationBytes) {
  EXPECT_FALSE(Valid("\x80"));
  EXPECT_FALSE(Valid("\xBF"));
  EXPECT_FALSE(Valid("ok\x80"));
  EXPECT_FALSE(Valid("\xC3\xA9\xA9"));  // one continuation too many
  EXPECT_FALSE(Valid("\xF0\x9F\x98\x80\x80"));
  EXPECT_FALSE(Valid("12345678\x80"));  // right after the eight-byte fast path
  EXPECT_FALSE(Valid("1234567\x80"));
}

TEST(ChatUtf8, FindsErrorsAtEveryOffsetOfALongLine) {
  for (std::size_t at = 0; at < 40; ++at) {
    std::string s(40, 'a');
    s[at] = '\xC3';
    EXPECT_FALSE(Valid(s)) << "lead byte at " << at;
    s.insert(at + 1, 1, '\xA9');
    EXPECT_TRUE(Valid(s)) << "pair at " << at;
  }
}

TEST(ChatUtf8, AgreesWithTheReferenceOnEveryOneAndTwoByteString) {
  for (int a = 0; a < 256; ++a) {
    const std::string one(1, static_cast<char>(a));
    ASSERT_EQ(IsValidUtf8(one), ReferenceIsValid(one)) << a;
    for (int b = 0; b < 256; ++b) {
      const std::string two{static_cast<char>(a), static_cast<char>(b)};
      ASSERT_EQ(IsValidUtf8(two), ReferenceIsValid(two)) << a << " " << b;
    }
  }
}

TEST(ChatUtf8, AgreesWithTheReferenceOnEveryThreeByteSequence) {
  for (int a = 0xE0; a <= 0xEF; ++a) {
    for (int b = 0; b < 256; ++b) {
      for (int c = 0; c < 256; ++c) {
        const std::string s{static_cast<char>(a), static_cast<char>(b), static_cast<char>(c)};
        ASSERT_EQ(IsValidUtf8(s), ReferenceIsValid(s)) << a << " " << b << " " << c;
      }
    }
  }
}

TEST(ChatUtf8, AgreesWithTheReferenceOnFourByteSequences) {
  const int tails[] = {0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0xBF, 0xC0, 0xFF};
  for (int a = 0xF0; a <= 0xFF; ++a) {
    for (int b = 0; b < 256; ++b) {
      for (int c : tails) {
        for (int d : tails) {
          const std::string s{static_cast<char>(a), static_cast<char>(b), static_cast<char>(c),
                              static_cast<char>(d)};
          ASSERT_EQ(IsValidUtf8(s), ReferenceIsValid(s)) << a << " " << b << " " << c << " " << d;
        }
      }
    }
  }
}

}  // namespace
}  // namespace parley::chat
