#include "harness/scenario/duration.h"

#include <gtest/gtest.h>

namespace parley::harness {
namespace {

TEST(ParseDuration, AcceptsEveryUnit) {
  std::string error;
  EXPECT_EQ(ParseDuration("250ms", &error), Duration(250));
  EXPECT_EQ(ParseDuration("2s", &error), Duration(2000));
  EXPECT_EQ(ParseDuration("1.5s", &error), Duration(1500));
  EXPECT_EQ(ParseDuration("1m", &error), Duration(60000));
  EXPECT_EQ(ParseDuration("0ms", &error), Duration(0));
  EXPECT_EQ(ParseDuration("0.25s", &error), Duration(250));
  EXPECT_EQ(ParseDuration(".5s", &error), Duration(500));
  EXPECT_EQ(ParseDuration("0.0004s", &error), Duration(0));
  EXPECT_EQ(ParseDuration("1.0005s", &error), Duration(1001));
}

TEST(ParseDuration, RejectsBareNumbersWithAReadableReason) {
  std::string error;
  EXPECT_FALSE(ParseDuration("2", &error));
  EXPECT_EQ(error, "duration '2' has no unit (write e.g. 2ms or 2s)");
}

TEST(ParseDuration, RejectsMalformedText) {
  for (const char* text :
       {"", "ms", "s", "-1s", "1 s", "1h", "1sec", "1.2.3s", "abc", "1e3ms", "1ms ", " 1ms", "."}) {
    std::string error;
    EXPECT_FALSE(ParseDuration(text, &error)) << text;
    EXPECT_FALSE(error.empty()) << text;
  }
  std::string error;
  ParseDuration("3h", &error);
  EXPECT_EQ(error, "duration '3h' has unknown unit 'h' (use ms, s or m)");
}

TEST(ParseDuration, CapsAtOneDay) {
  std::string error;
  EXPECT_EQ(ParseDuration("1440m", &error), Duration(86400000));
  EXPECT_FALSE(ParseDuration("1441m", &error));
  EXPECT_EQ(error, "duration '1441m' is longer than 24 hours");
  EXPECT_FALSE(ParseDuration("99999999999999999999999999s", &error));
}

TEST(FormatDuration, ReadsBack) {
  for (int ms : {0, 1, 250, 999, 1000, 1500, 2000, 60000, 61000, 90000, 1234}) {
    std::string text = FormatDuration(Duration(ms));
    std::string error;
    EXPECT_EQ(ParseDuration(text, &error), Duration(ms)) << text;
  }
  EXPECT_EQ(FormatDuration(Duration(1500)), "1.5s");
  EXPECT_EQ(FormatDuration(Duration(120000)), "2m");
  EXPECT_EQ(FormatDuration(Duration(250)), "250ms");
}

TEST(FormatElapsed, UsesMillisecondsThenSeconds) {
  EXPECT_EQ(FormatElapsed(std::chrono::microseconds(12345)), "12.3ms");
  EXPECT_EQ(FormatElapsed(std::chrono::milliseconds(1520)), "1.52s");
}

}  // namespace
}  // namespace parley::harness
