#include "harness/netfuzz/dictionary.h"

#include <gtest/gtest.h>

namespace parley::harness {
namespace {

TEST(Dictionary, ReadsNamedAndBareTokensWithEscapes) {
  std::vector<std::string> tokens;
  std::string error;
  ASSERT_TRUE(
      ParseDictionary("# a comment\n\nget=\"GET\"\n\"\\x00\\xff\"\n"
                      "  quote = \"a\\\"b\\\\c\" \n",
                      &tokens, &error))
      << error;
  ASSERT_EQ(tokens.size(), 3u);
  EXPECT_EQ(tokens[0], "GET");
  EXPECT_EQ(tokens[1], std::string("\0\xff", 2));
  EXPECT_EQ(tokens[2], "a\"b\\c");
}

TEST(Dictionary, NamesTheLineAndColumnOfAMistake) {
  std::vector<std::string> tokens;
  std::string error;
  EXPECT_FALSE(ParseDictionary("\"ok\"\nnot quoted\n", &tokens, &error));
  EXPECT_EQ(error, "2:1: expected a quoted token, e.g. \"GET\" or name=\"GET\"");
  EXPECT_FALSE(ParseDictionary("a=\"open\n", &tokens, &error));
  EXPECT_EQ(error, "1:8: the token has no closing '\"'");
  EXPECT_FALSE(ParseDictionary("\"x\" trailing\n", &tokens, &error));
  EXPECT_EQ(error, "1:5: unexpected text after the token");
  EXPECT_FALSE(ParseDictionary("\"\\q\"\n", &tokens, &error));
  EXPECT_EQ(error, "1:2: unknown escape '\\q' (known: \\\\ \\\" \\xNN)");
  EXPECT_FALSE(ParseDictionary("name \"x\"\n", &tokens, &error));
  EXPECT_EQ(error, "1:6: expected '=' before the quoted token");
}

TEST(Dictionary, PayloadTokensAreWordsFieldNamesAndLineEnds) {
  std::vector<std::string> tokens;
  AddPayloadTokens("GET /index.html HTTP/1.1\r\nHost: a\r\n\r\n", &tokens);
  TidyTokens(&tokens, 100);
  std::vector<std::string> expected = {"\r\n", "\r\n\r\n", "/index.html",
                                       "GET",  "HTTP/1.1", "Host:"};
  EXPECT_EQ(tokens, expected);
}

TEST(Dictionary, TidyKeepsTheShortestWhenThereAreTooMany) {
  std::vector<std::string> tokens = {"ccc", "a", "bb", "a", "", "dddd"};
  TidyTokens(&tokens, 2);
  EXPECT_EQ(tokens, (std::vector<std::string>{"a", "bb"}));
}

}  // namespace
}  // namespace parley::harness
