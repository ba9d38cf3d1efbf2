#include "targets/http/server/date_cache.h"

#include <gtest/gtest.h>

namespace parley::http {
namespace {

std::string Format(std::time_t t) {
  char text[kHttpDateSize];
  FormatHttpDate(t, text);
  return std::string(text, kHttpDateSize);
}

TEST(HttpServerDateCache, FormatsImfFixdate) {
  EXPECT_EQ(Format(784111777), "Sun, 06 Nov 1994 08:49:37 GMT");  // RFC 9110's example
  EXPECT_EQ(Format(0), "Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(Format(951782400), "Tue, 29 Feb 2000 00:00:00 GMT");
  EXPECT_EQ(Format(4102444799), "Thu, 31 Dec 2099 23:59:59 GMT");
}

TEST(HttpServerDateCache, ReformatsOnlyWhenTheSecondChanges) {
  DateCache cache;
  EXPECT_EQ(cache.At(784111777), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(cache.At(784111777), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(cache.formats(), 1u);
  EXPECT_EQ(cache.At(784111778), "Sun, 06 Nov 1994 08:49:38 GMT");
  EXPECT_EQ(cache.formats(), 2u);
}

TEST(HttpServerDateCache, NowIsWellFormed) {
  DateCache cache;
  const std::string_view now = cache.Now();
  ASSERT_EQ(now.size(), kHttpDateSize);
  EXPECT_EQ(now.substr(3, 2), ", ");
  EXPECT_EQ(now.substr(26), "GMT");
}

}  // namespace
}  // namespace parley::http
