#include "targets/http/parse_error.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace parley::http {
namespace {

constexpr auto kLast = ParseError::kTrailerSectionTooLarge;

TEST(HttpParseError, TextsAreDistinctKebabCase) {
  std::set<std::string_view> texts;
  for (int i = 0; i <= static_cast<int>(kLast); ++i) {
    const std::string_view text = ErrorText(static_cast<ParseError>(i));
    SCOPED_TRACE(i);
    ASSERT_FALSE(text.empty());
    EXPECT_TRUE(texts.insert(text).second) << text << " is used twice";
    EXPECT_NE(text.front(), '-');
    EXPECT_NE(text.back(), '-');
    for (char c : text) {
      EXPECT_TRUE((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-') << text;
    }
  }
}

TEST(HttpParseError, StatusesAreTheDocumentedOnes) {
  const std::set<int> allowed = {400, 413, 414, 431, 501, 505};
  for (int i = 1; i <= static_cast<int>(kLast); ++i) {
    EXPECT_TRUE(allowed.contains(ErrorStatus(static_cast<ParseError>(i)))) << i;
  }
  EXPECT_EQ(ErrorStatus(ParseError::kRequestLineTooLong), 414);
  EXPECT_EQ(ErrorStatus(ParseError::kHeaderSectionTooLarge), 431);
  EXPECT_EQ(ErrorStatus(ParseError::kTooManyFields), 431);
  EXPECT_EQ(ErrorStatus(ParseError::kTrailerSectionTooLarge), 431);
  EXPECT_EQ(ErrorStatus(ParseError::kBodyTooLarge), 413);
  EXPECT_EQ(ErrorStatus(ParseError::kUnsupportedTransferCoding), 501);
  EXPECT_EQ(ErrorStatus(ParseError::kUnsupportedVersion), 505);
  EXPECT_EQ(ErrorStatus(ParseError::kDuplicateHost), 400);
  EXPECT_EQ(ErrorText(ParseError::kDuplicateHost), "duplicate-host");
  EXPECT_EQ(ErrorText(ParseError::kNone), "none");
}

TEST(HttpParseError, UnknownValuesStillHaveATextAndStatus) {
  const auto unknown = static_cast<ParseError>(static_cast<int>(kLast) + 1);
  EXPECT_EQ(ErrorText(unknown), "unknown-error");
  EXPECT_EQ(ErrorStatus(unknown), 400);
}

}  // namespace
}  // namespace parley::http
