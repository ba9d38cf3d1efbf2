#include "harness/text/find_bytes.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "harness/testing/guarded_buffer.h"

namespace parley::harness {
namespace {

using test::GuardedBuffer;

// FindBytes on a copy of `haystack` that ends right before an unreadable page, so that any
// read past its end crashes.
std::size_t Guarded(std::string_view haystack, std::string_view needle) {
  static GuardedBuffer buffer;
  return FindBytes(buffer.Assign(haystack), needle);
}

TEST(FindBytes, FindsTheFirstOccurrence) {
  EXPECT_EQ(Guarded("hay needle stack needle", "needle"), 4u);
  EXPECT_EQ(Guarded("needle", "needle"), 0u);
  EXPECT_EQ(Guarded("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxneedle", "needle"), 34u);
  EXPECT_EQ(Guarded("haystack", "needle"), std::string_view::npos);
  EXPECT_EQ(Guarded("nee", "needle"), std::string_view::npos);
  EXPECT_EQ(Guarded("abc", ""), 0u);
  EXPECT_EQ(Guarded("", ""), 0u);
  EXPECT_EQ(Guarded("abc", "c"), 2u);
  EXPECT_EQ(Guarded("abc", "x"), std::string_view::npos);
  EXPECT_EQ(Guarded("ab\r\n\r\nc", "\r\n\r\n"), 2u);
  EXPECT_EQ(Guarded(std::string_view("a\0b\0c", 5), std::string_view("\0c", 2)), 3u);
}

// Every needle against every haystack of a small alphabet, and random ones at every length
// around the 16-byte steps: the same answers as std::string_view::find.
TEST(FindBytes, AgreesWithFindEverywhere) {
  std::mt19937 random(4242);
  for (int i = 0; i < 20000; ++i) {
    const int alphabet = 2 + static_cast<int>(random() % 3);
    std::string haystack(random() % 70, 'a');
    for (char& c : haystack)
      c = static_cast<char>('a' + random() % alphabet);
    std::string needle(1 + random() % 20, 'a');
    for (char& c : needle)
      c = static_cast<char>('a' + random() % alphabet);
    if (random() % 3 == 0 && haystack.size() >= needle.size()) {
      haystack.replace(random() % (haystack.size() - needle.size() + 1), needle.size(), needle);
    }
    ASSERT_EQ(Guarded(haystack, needle), std::string_view(haystack).find(needle))
        << haystack << " / " << needle;
  }
}

// Input made to fail at every candidate costs linear time: once the comparisons there cost a
// few times the bytes passed, the search hands the rest to memmem.
TEST(FindBytes, RepetitiveInputStaysLinear) {
  const std::string haystack(8 << 20, 'a');
  const std::string needle = std::string(4096, 'a') + "b" + std::string(4095, 'a');
  std::size_t compared = 0;
  EXPECT_EQ(FindBytes(haystack, needle, &compared), std::string_view::npos);
  EXPECT_LE(compared, 4 * haystack.size() + 4096 + 16 * needle.size());
  const std::string found = haystack + needle;
  EXPECT_EQ(FindBytes(found, needle, &compared), haystack.size());
  EXPECT_LE(compared, 4 * found.size() + 4096 + 16 * needle.size());
}

// On bytes that rarely hold the needle's first and last bytes together, little is compared.
TEST(FindBytes, TypicalInputComparesLittle) {
  std::mt19937 random(7);
  std::string haystack(1 << 20, '\0');
  for (char& c : haystack)
    c = static_cast<char>(random());
  std::size_t compared = 0;
  EXPECT_EQ(FindBytes(haystack + "THE END", "THE END", &compared), haystack.size());
  EXPECT_LT(compared, 1024u);
}

}  // namespace
}  // namespace parley::harness
