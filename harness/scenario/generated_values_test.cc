#include "harness/scenario/generated_values.h"

#include <gtest/gtest.h>

#include <set>

namespace parley::harness {
namespace {

TEST(GeneratedValues, UniqueValuesDifferAndFitAnIrcNick) {
  std::set<std::string> seen;
  for (int i = 0; i < 100000; ++i) {
    std::string value = *GenerateValue("unique", 0);
    ASSERT_EQ(value.size(), 8u) << value;
    ASSERT_EQ(value[0], 'u');
    ASSERT_EQ(value.find_first_not_of("0123456789abcdef", 1), std::string::npos) << value;
    ASSERT_TRUE(seen.insert(value).second) << "repeated after " << i << ": " << value;
  }
}

TEST(GeneratedValues, RepeatCountsFromOne) {
  EXPECT_EQ(GenerateValue("repeat", 0), "1");
  EXPECT_EQ(GenerateValue("repeat", 41), "42");
}

TEST(GeneratedValues, RandomHexHasTheDigitsAsked) {
  std::string a = *GenerateValue("random.hex8", 0);
  std::string b = *GenerateValue("random.hex8", 0);
  EXPECT_EQ(a.size(), 8u);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(a, b);  // 2^-32 chance of a false failure
  EXPECT_EQ(GenerateValue("random.hex64", 0)->size(), 64u);
  EXPECT_EQ(GenerateValue("random.hex1", 0)->size(), 1u);
}

TEST(GeneratedValues, OtherNamesAreNotGenerated) {
  std::string error;
  EXPECT_FALSE(GenerateValue("nick", 0));
  EXPECT_FALSE(IsGeneratedName("nick", &error));
  EXPECT_TRUE(error.empty());
  for (const char* bad : {"random.hex0", "random.hex65", "random.hex08", "random.int", "random."}) {
    error.clear();
    EXPECT_FALSE(IsGeneratedName(bad, &error)) << bad;
    EXPECT_NE(error.find("${random.hexN}"), std::string::npos) << bad << ": " << error;
    EXPECT_FALSE(GenerateValue(bad, 0)) << bad;
  }
  EXPECT_TRUE(IsGeneratedName("random.hex8", &error));
  EXPECT_TRUE(IsGeneratedName("unique", &error));
  EXPECT_TRUE(IsGeneratedName("repeat", &error));
}

}  // namespace
}  // namespace parley::harness
