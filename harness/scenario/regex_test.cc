#include "harness/scenario/regex.h"

#include <gtest/gtest.h>

namespace parley::harness {
namespace {

TEST(Regex, SearchesAndCaptures) {
  std::string error;
  auto re = Regex::Compile(R"(^\* welcome (guest\d+)$)", &error);
  ASSERT_TRUE(re) << error;
  EXPECT_EQ(re->groups(), 1);
  std::vector<std::string> groups;
  EXPECT_TRUE(re->Search("* welcome guest12", &groups));
  EXPECT_EQ(groups, std::vector<std::string>{"guest12"});
  EXPECT_FALSE(re->Search("* welcome guest12 extra", &groups));
  EXPECT_TRUE(re->Search("x", nullptr) == false);
}

TEST(Regex, NamedGroupsAndOptionalGroups) {
  std::string error;
  auto re = Regex::Compile(R"(^listening on (?P<host>[^:]+):(?P<port>\d+)(x)?$)", &error);
  ASSERT_TRUE(re) << error;
  EXPECT_EQ(re->GroupIndex("host"), 1);
  EXPECT_EQ(re->GroupIndex("port"), 2);
  EXPECT_EQ(re->GroupIndex("nope"), -1);
  std::vector<std::string> groups;
  ASSERT_TRUE(re->Search("listening on 127.0.0.1:8080", &groups));
  EXPECT_EQ(groups, (std::vector<std::string>{"127.0.0.1", "8080", ""}));
}

TEST(Regex, BadPatternsAreErrors) {
  for (const char* pattern : {"(", "a{2,1}", "(?<=a)b", "\\", "[z-a]"}) {
    std::string error;
    EXPECT_FALSE(Regex::Compile(pattern, &error)) << pattern;
    EXPECT_FALSE(error.empty()) << pattern;
  }
  std::string error;
  EXPECT_FALSE(Regex::Compile(std::string(5000, 'a'), &error));
}

TEST(Regex, PathologicalPatternsStayLinear) {
  std::string error;
  auto re = Regex::Compile("^(a+)+$", &error);
  ASSERT_TRUE(re) << error;
  std::string subject(100000, 'a');
  subject += 'b';
  EXPECT_FALSE(re->Search(subject));
  auto big = Regex::Compile("((a{100}){100}){100}", &error);
  EXPECT_FALSE(big);  // over RE2's memory budget: an error, not an exhausted machine
}

TEST(Regex, QuoteMatchesLiterally) {
  std::string error;
  auto re = Regex::Compile("^" + QuoteRegex("a.b*(c)") + "$", &error);
  ASSERT_TRUE(re) << error;
  EXPECT_TRUE(re->Search("a.b*(c)"));
  EXPECT_FALSE(re->Search("axbb(c)"));
}

}  // namespace
}  // namespace parley::harness
