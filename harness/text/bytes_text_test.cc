#include "harness/text/bytes_text.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <random>
#include <string>
#include <string_view>
#include <utility>

#include "harness/testing/guarded_buffer.h"

namespace parley::harness {
namespace {

using namespace std::string_literals;

using test::GuardedBuffer;

std::string_view Guarded(std::string_view bytes) {
  static GuardedBuffer buffer;
  return buffer.Assign(bytes);
}

std::string Escape(std::string_view bytes) {
  return EscapeBytes(Guarded(bytes));
}

std::string Lines(std::initializer_list<std::string_view> lines) {
  std::string out;
  for (std::string_view line : lines) {
    if (!out.empty()) out += '\n';
    out += line;
  }
  return out;
}

// A second, independent reading of RFC 3629: decode by the lead byte's bit pattern, then
// demand the shortest encoding and a Unicode scalar value.
bool IsValidUtf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const auto lead = static_cast<unsigned char>(text[i]);
    std::size_t size = 1;
    char32_t value = lead;
    if (lead >= 0xF0 && lead < 0xF8) {
      size = 4;
      value = lead & 0x07;
    } else if (lead >= 0xE0 && lead < 0xF0) {
      size = 3;
      value = lead & 0x0F;
    } else if (lead >= 0xC0 && lead < 0xE0) {
      size = 2;
      value = lead & 0x1F;
    } else if (lead >= 0x80) {
      return false;
    }
    if (text.size() - i < size) return false;
    for (std::size_t k = 1; k < size; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if (next < 0x80 || next > 0xBF) return false;
      value = (value << 6) | (next & 0x3F);
    }
    const std::size_t shortest = value < 0x80 ? 1 : value < 0x800 ? 2 : value < 0x10000 ? 3 : 4;
    if (shortest != size || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) {
      return false;
    }
    i += size;
  }
  return true;
}

// No byte that a terminal would act on: C0 controls, DEL, or C1 controls encoded in UTF-8.
bool HasNoControls(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x20 || byte == 0x7F) return false;
    if (byte == 0xC2 && i + 1 < text.size()) {
      const auto next = static_cast<unsigned char>(text[i + 1]);
      if (next >= 0x80 && next <= 0x9F) return false;
    }
  }
  return true;
}

// Escapes, checks the escaped form, and reads it back.
void ExpectRoundTrip(std::string_view bytes) {
  const std::string escaped = Escape(bytes);
  ASSERT_TRUE(IsValidUtf8(escaped)) << escaped;
  ASSERT_TRUE(HasNoControls(escaped)) << escaped;
  std::string back;
  std::string error;
  ASSERT_TRUE(UnescapeText(Guarded(escaped), &back, &error)) << escaped << ": " << error;
  ASSERT_EQ(back, bytes) << escaped;
}

struct EscapeCase {
  std::string_view name;
  std::string bytes;
  std::string shown;
};

const EscapeCase kEscapeCases[] = {
    {"empty", "", ""},
    {"printable ASCII", "GET / HTTP/1.1 ~!@#$%^&*()\"'", "GET / HTTP/1.1 ~!@#$%^&*()\"'"},
    {"backslash", "a\\b", "a\\\\b"},
    {"named escapes", "\r\n\t"s + '\0', "\\r\\n\\t\\0"},
    {"NUL before a digit stays \\0",
     "\0"s
     "1",
     "\\01"},
    {"other C0 controls", "\x01\x1B\x1F", "\\x01\\x1B\\x1F"},
    {"DEL", "\x7F", "\\x7F"},
    {"two-byte character", "caf\xC3\xA9", "caf\xC3\xA9"},
    {"lowest two-byte character after the C1 block", "\xC2\xA0", "\xC2\xA0"},
    {"highest two-byte character", "\xDF\xBF", "\xDF\xBF"},
    {"C1 controls are escaped byte by byte", "\xC2\x80\xC2\x9F", "\\xC2\\x80\\xC2\\x9F"},
    {"overlong NUL", "\xC0\x80", "\\xC0\\x80"},
    {"overlong slash", "\xC1\xAF", "\\xC1\\xAF"},
    {"lowest three-byte character", "\xE0\xA0\x80", "\xE0\xA0\x80"},
    {"overlong three-byte", "\xE0\x80\xAF", "\\xE0\\x80\\xAF"},
    {"overlong three-byte at the boundary", "\xE0\x9F\xBF", "\\xE0\\x9F\\xBF"},
    {"last character before the surrogates", "\xED\x9F\xBF", "\xED\x9F\xBF"},
    {"high surrogate", "\xED\xA0\x80", "\\xED\\xA0\\x80"},
    {"low surrogate", "\xED\xBF\xBF", "\\xED\\xBF\\xBF"},
    {"first character after the surrogates", "\xEE\x80\x80", "\xEE\x80\x80"},
    {"noncharacter U+FFFF is valid", "\xEF\xBF\xBF", "\xEF\xBF\xBF"},
    {"euro sign", "\xE2\x82\xAC", "\xE2\x82\xAC"},
    {"four-byte emoji", "\xF0\x9F\x98\x80", "\xF0\x9F\x98\x80"},
    {"lowest four-byte character", "\xF0\x90\x80\x80", "\xF0\x90\x80\x80"},
    {"overlong four-byte", "\xF0\x8F\xBF\xBF", "\\xF0\\x8F\\xBF\\xBF"},
    {"highest code point", "\xF4\x8F\xBF\xBF", "\xF4\x8F\xBF\xBF"},
    {"above U+10FFFF", "\xF4\x90\x80\x80", "\\xF4\\x90\\x80\\x80"},
    {"F5 lead", "\xF5\x80\x80\x80", "\\xF5\\x80\\x80\\x80"},
    {"FE and FF", "\xFE\xFF", "\\xFE\\xFF"},
    {"lone continuation byte",
     "a\x80"
     "b",
     "a\\x80b"},
    {"truncated two-byte at the end", "a\xC3", "a\\xC3"},
    {"truncated three-byte at the end", "\xE2\x82", "\\xE2\\x82"},
    {"truncated four-byte at the end", "\xF0\x9F\x98", "\\xF0\\x9F\\x98"},
    {"truncated sequence before ASCII",
     "\xE2\x82"
     "A",
     "\\xE2\\x82A"},
    {"lead byte followed by a lead byte", "\xC3\xC3\xA9", "\\xC3\xC3\xA9"},
    {"mixed", "ok \xC3\xA9\xFF\r\n", "ok \xC3\xA9\\xFF\\r\\n"},
};

TEST(EscapeBytes, Table) {
  for (const EscapeCase& c : kEscapeCases) {
    EXPECT_EQ(Escape(c.bytes), c.shown) << c.name;
  }
}

TEST(EscapeKeepingBackslashes, EscapesControlsAndBadUtf8ButNotBackslashes) {
  EXPECT_EQ(EscapeKeepingBackslashes("^\\* (guest\\d+)$"), "^\\* (guest\\d+)$");
  EXPECT_EQ(EscapeKeepingBackslashes("\"CRASH\\n\"\r\xff\\"), "\"CRASH\\n\"\\r\\xFF\\");
  EXPECT_EQ(EscapeKeepingBackslashes("caf\xc3\xa9\\\x1b"), "caf\xc3\xa9\\\\x1B");
  EXPECT_EQ(EscapeKeepingBackslashes(""), "");
}

TEST(EscapeBytes, TableRoundTrips) {
  for (const EscapeCase& c : kEscapeCases) {
    SCOPED_TRACE(c.name);
    ExpectRoundTrip(c.bytes);
  }
}

TEST(EscapeBytes, EveryOneAndTwoByteInputRoundTrips) {
  for (int a = 0; a < 256; ++a) {
    ExpectRoundTrip(std::string(1, static_cast<char>(a)));
    for (int b = 0; b < 256; ++b) {
      ExpectRoundTrip(std::string{static_cast<char>(a), static_cast<char>(b)});
      if (testing::Test::HasFatalFailure()) return;
    }
  }
}

// Every lead byte with the continuation bytes at the edges of the ranges that matter.
TEST(EscapeBytes, ThreeAndFourByteEdgesRoundTrip) {
  const unsigned char edges[] = {0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xFF};
  for (int lead = 0xC0; lead < 0x100; ++lead) {
    for (unsigned char b : edges) {
      for (unsigned char c : edges) {
        const std::string three{static_cast<char>(lead), static_cast<char>(b),
                                static_cast<char>(c)};
        ExpectRoundTrip(three);
        for (unsigned char d : edges)
          ExpectRoundTrip(three + static_cast<char>(d));
        if (testing::Test::HasFatalFailure()) return;
      }
    }
  }
}

TEST(EscapeBytes, RandomInputsRoundTrip) {
  std::mt19937 random(20240611);
  for (int i = 0; i < 3000; ++i) {
    std::string bytes(random() % 64, '\0');
    for (char& byte : bytes)
      byte = static_cast<char>(random());
    ExpectRoundTrip(bytes);
    if (testing::Test::HasFatalFailure()) return;
  }
}

TEST(EscapeBytes, ValidUtf8IsKeptAsIs) {
  const std::string text =
      "Hola \xC3\xB1"
      "and\xC3\xBA \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x8C\x8D";
  EXPECT_EQ(Escape(text), text);
}

struct UnescapeCase {
  std::string_view name;
  std::string text;
  std::string bytes;
};

TEST(UnescapeText, Table) {
  const UnescapeCase cases[] = {
      {"empty", "", ""},
      {"plain", "GET / HTTP/1.1", "GET / HTTP/1.1"},
      {"CRLF", "a\\r\\n", "a\r\n"},
      {"tab", "\\t", "\t"},
      {"NUL", "\\0", "\0"s},
      {"NUL then digits is not octal", "\\012",
       "\0"s
       "12"},
      {"escape", "\\e[0m", "\x1B[0m"},
      {"backslash", "\\\\", "\\"},
      {"quote", "\\\"", "\""},
      {"plain quote", "say \"hi\"", "say \"hi\""},
      {"hex lower case", "\\xff\\x00", "\xFF\0"s},
      {"hex upper case", "\\xAB", "\xAB"},
      {"hex then more hex digits", "\\x414", "A4"},
      {"UTF-8 passes through", "\xC3\xA9\\n", "\xC3\xA9\n"},
      {"invalid UTF-8 passes through", "\xFF", "\xFF"},
  };
  for (const UnescapeCase& c : cases) {
    std::string out = "stale";
    std::string error;
    EXPECT_TRUE(UnescapeText(Guarded(c.text), &out, &error)) << c.name << ": " << error;
    EXPECT_EQ(out, c.bytes) << c.name;
  }
}

TEST(UnescapeText, ErrorsNameTheOffset) {
  const std::string_view known = " (the escapes are \\r \\n \\t \\0 \\e \\\\ \\\" and \\xHH)";
  const UnescapeCase cases[] = {
      {"lone backslash", "abc\\",
       "byte 3: the text ends with a lone backslash (write \\\\ for a backslash)"},
      {"unknown letter", "a\\qb", "byte 1: unknown escape \"\\q\"" + std::string(known)},
      {"unicode escape", "\\u0041", "byte 0: unknown escape \"\\u\"" + std::string(known)},
      {"octal-looking", "\\1", "byte 0: unknown escape \"\\1\"" + std::string(known)},
      {"backslash and newline", "x\\\n", "byte 1: unknown escape \"\\\\n\"" + std::string(known)},
      {"backslash and UTF-8", "ok\\\xC3\xA9",
       "byte 2: unknown escape \"\\\xC3\xA9\"" + std::string(known)},
      {"backslash and invalid byte", "\\\xFF",
       "byte 0: unknown escape \"\\\\xFF\"" + std::string(known)},
      {"\\x at the end", "ab\\x", "byte 2: \\x must be followed by two hex digits"},
      {"\\x with one digit at the end", "\\x4", "byte 0: \\x must be followed by two hex digits"},
      {"\\x with one digit", "\\x4g", "byte 0: \\x must be followed by two hex digits"},
      {"\\x with no digit", "\\xg0", "byte 0: \\x must be followed by two hex digits"},
      {"second escape is wrong", "\\r\\n\\z",
       "byte 4: unknown escape \"\\z\"" + std::string(known)},
  };
  for (const UnescapeCase& c : cases) {
    std::string out;
    std::string error;
    EXPECT_FALSE(UnescapeText(Guarded(c.text), &out, &error)) << c.name;
    EXPECT_EQ(error, c.bytes) << c.name;
  }
}

TEST(FirstDifference, Table) {
  constexpr std::size_t npos = std::string_view::npos;
  const struct {
    std::string a, b;
    std::size_t at;
  } cases[] = {
      {"", "", npos},
      {"abc", "abc", npos},
      {"", "a", 0},
      {"a", "", 0},
      {"abc", "abd", 2},
      {"abc", "xbc", 0},
      {"abc", "ab", 2},
      {"ab", "abc", 2},
      {"a\0b"s, "a\0c"s, 2},
      {"a\0"s, "a"s, 1},
      {"\xC3\xA9", "\xC3\xA8", 1},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(FirstDifference(c.a, c.b), c.at) << EscapeBytes(c.a) << " vs " << EscapeBytes(c.b);
  }
}

TEST(RenderDiff, MarksTheFirstDifference) {
  EXPECT_EQ(
      RenderDiff("HTTP/1.1 200 OK\r\n", "HTTP/1.1 404 Not Found\r\n"),
      Lines({R"(expected: "HTTP/1.1 200 OK\r\n")", R"(  actual: "HTTP/1.1 404 Not Found\r\n")",
             R"(                    ^ byte 9)"}));
}

TEST(RenderDiff, CaretCountsEscapesInTheColumn) {
  EXPECT_EQ(RenderDiff("a\r\n\0b"s, "a\r\n\0c"s),
            Lines({R"(expected: "a\r\n\0b")",  //
                   R"(  actual: "a\r\n\0c")",  //
                   R"(                  ^ byte 4)"}));
}

TEST(RenderDiff, QuotesAreEscapedInsideTheQuotes) {
  EXPECT_EQ(RenderDiff("say \"hi\"", "say \"ho\""),
            Lines({R"(expected: "say \"hi\"")",  //
                   R"(  actual: "say \"ho\"")",  //
                   R"(                  ^ byte 6)"}));
}

// The ends of longer inputs: marked as cut, the caret naming the byte in the whole.
TEST(RenderDiff, EndsOfLongerInputsCountFromTheirOffset) {
  EXPECT_EQ(RenderDiff("abcdef", "abcxef", 40, 1000),
            Lines({R"(expected: ..."abcdef")",  //
                   R"(  actual: ..."abcxef")",  //
                   R"(                 ^ byte 1003)"}));
}

TEST(RenderDiff, ActualLonger) {
  EXPECT_EQ(RenderDiff("abc", "abcdef"), Lines({R"(expected: "abc")",     //
                                                R"(  actual: "abcdef")",  //
                                                R"(              ^ byte 3 (end of expected))"}));
}

TEST(RenderDiff, ActualShorter) {
  EXPECT_EQ(RenderDiff("hello\n", "hel"), Lines({R"(expected: "hello\n")",  //
                                                 R"(  actual: "hel")",      //
                                                 R"(              ^ byte 3 (end of actual))"}));
}

TEST(RenderDiff, EmptyExpected) {
  EXPECT_EQ(RenderDiff("", "x"), Lines({R"(expected: "")",   //
                                        R"(  actual: "x")",  //
                                        R"(           ^ byte 0 (end of expected))"}));
}

TEST(RenderDiff, EqualInputs) {
  EXPECT_EQ(RenderDiff("same", "same"), Lines({R"(expected: "same")",  //
                                               R"(  actual: "same")",  //
                                               R"(          (no difference))"}));
}

TEST(RenderDiff, LongInputsAreCutAroundThePoint) {
  const std::string a = std::string(100, 'a');
  const std::string b = std::string(100, 'b');
  EXPECT_EQ(RenderDiff(a + "X" + b, a + "Y" + b, 10),
            Lines({R"(expected: ..."aaaaaaaaaaXbbbbbbbbb"...)",  //
                   R"(  actual: ..."aaaaaaaaaaYbbbbbbbbb"...)",  //
                   R"(                        ^ byte 100)"}));
}

TEST(RenderDiff, EachLineIsCutOnItsOwnAfterThePoint) {
  EXPECT_EQ(RenderDiff("a" + std::string(10, 'x'), "b", 5),
            Lines({R"(expected: "axxxx"...)",  //
                   R"(  actual: "b")",         //
                   R"(           ^ byte 0)"}));
}

TEST(RenderDiff, ZeroContextShowsTheDifferingCharacter) {
  EXPECT_EQ(RenderDiff("abcdef", "abXdef", 0), Lines({R"(expected: ..."c"...)",  //
                                                      R"(  actual: ..."X"...)",  //
                                                      R"(              ^ byte 2)"}));
}

TEST(RenderDiff, CutsNeverSplitACharacterOrAnEscape) {
  // Ten bytes of context before byte 10 would start inside the first "é" and inside "\r".
  EXPECT_EQ(RenderDiff("\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9X",
                       "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9Y", 3),
            Lines({"expected: ...\"\xC3\xA9X\"",  //
                   "  actual: ...\"\xC3\xA9Y\"",  //
                   "               ^ byte 10"}));
  EXPECT_EQ(RenderDiff("ab\r\ncd", "ab\r\nce", 3), Lines({R"(expected: ..."\r\ncd")",  //
                                                          R"(  actual: ..."\r\nce")",  //
                                                          R"(                   ^ byte 5)"}));
}

TEST(RenderDiff, DifferenceInsideACharacterMarksTheWholeCharacter) {
  EXPECT_EQ(RenderDiff("caf\xC3\xA9!", "caf\xC3\xA8!"), Lines({"expected: \"caf\xC3\xA9!\"",  //
                                                               "  actual: \"caf\xC3\xA8!\"",  //
                                                               "              ^ byte 4"}));
}

TEST(RenderDiff, ValidAgainstInvalidUtf8) {
  EXPECT_EQ(RenderDiff("\xC3\xA9", "\xC3("), Lines({"expected: \"\xC3\xA9\"",  //
                                                    R"(  actual: "\xC3(")",    //
                                                    R"(           ^ byte 1)"}));
}

TEST(RenderDiff, WideAndCombiningCharactersTakeTheirColumns) {
  // Three wide characters are six columns; "e" with a combining acute accent is one.
  EXPECT_EQ(RenderDiff("\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E"
                       "A",
                       "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E"
                       "B"),
            Lines({"expected: \"\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E"
                   "A\"",
                   "  actual: \"\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E"
                   "B\"",
                   "                 ^ byte 9"}));
  EXPECT_EQ(RenderDiff("e\xCC\x81x", "e\xCC\x81y"), Lines({"expected: \"e\xCC\x81x\"",  //
                                                           "  actual: \"e\xCC\x81y\"",  //
                                                           "            ^ byte 3"}));
}

TEST(RenderDiff, InvalidBytesAreEscapedAndCounted) {
  EXPECT_EQ(RenderDiff("\xFF\x01"
                       "a",
                       "\xFF\x01"
                       "b"),
            Lines({R"(expected: "\xFF\x01a")",  //
                   R"(  actual: "\xFF\x01b")",  //
                   R"(                   ^ byte 2)"}));
}

// Whatever the input, the caret names the first differing byte and sits on the shown unit
// (character or escape of at most four columns) where the two lines part.
TEST(RenderDiff, CaretSitsWhereTheLinesPart) {
  std::mt19937 random(7);
  const char alphabet[] = {'a', 'b', '\r', '\n', '\\', '"', '\0', '\x7F', '\xC3', '\xA9'};
  // Columns of line[0, bytes): the alphabet shows only ASCII and "é", one column each.
  const auto columns = [](std::string_view line, std::size_t bytes) {
    std::size_t n = 0;
    for (std::size_t k = 0; k < bytes; ++k)
      n += (static_cast<unsigned char>(line[k]) & 0xC0) != 0x80;
    return n;
  };
  for (int i = 0; i < 3000; ++i) {
    std::string a(random() % 12, 'a');
    for (char& c : a)
      c = alphabet[random() % sizeof alphabet];
    std::string b = a;
    b.insert(random() % (b.size() + 1), 1, alphabet[random() % sizeof alphabet]);
    if (random() % 2) std::swap(a, b);
    const std::string diff = RenderDiff(a, b, 100);
    const std::size_t end_a = diff.find('\n');
    const std::size_t end_b = diff.find('\n', end_a + 1);
    ASSERT_NE(end_b, std::string::npos) << diff;
    const std::string_view text = diff;
    const std::string_view shown_a = text.substr(10, end_a - 10);
    const std::string_view shown_b = text.substr(end_a + 1 + 10, end_b - end_a - 1 - 10);
    const std::string_view caret = text.substr(end_b + 1);
    const std::size_t column = caret.find('^');
    ASSERT_EQ(caret.substr(0, column), std::string(column, ' ')) << diff;
    ASSERT_TRUE(caret.substr(column).starts_with("^ byte " + std::to_string(FirstDifference(a, b))))
        << diff;
    const std::size_t parted = 10 + columns(shown_a, FirstDifference(shown_a, shown_b));
    ASSERT_LE(column, parted) << diff;
    ASSERT_LE(parted, column + 3) << diff;
  }
}

}  // namespace
}  // namespace parley::harness
