#include "harness/record/yaml_text.h"

#include <gtest/gtest.h>

#include <string>
#include <variant>

#include "harness/scenario/loader.h"
#include "harness/scenario/payload.h"
#include "harness/scenario/regex.h"

namespace parley::harness {
namespace {

// What parley reads back from `quoted` written as a send's text.
std::string ReadBack(const std::string& quoted) {
  std::string yaml =
      "name: t\nsteps:\n  - connect: {name: c, address: '127.0.0.1:1'}\n"
      "  - send: {on: c, text: " +
      quoted + "}\n";
  LoadResult loaded = LoadScenarios(yaml, "t.yaml");
  if (!loaded.ok()) return "load error: " + loaded.error->ToString();
  const auto& send = std::get<SendStep>(loaded.scenarios[0].steps[1].action);
  std::string bytes;
  std::string error;
  if (!RenderPayload(send.payload, Variables(), &bytes, &error)) return "render error: " + error;
  return bytes;
}

TEST(YamlText, TextReadsBackAsTheSameBytes) {
  const std::string cases[] = {
      "plain",
      "GET / HTTP/1.1\r\nHost: x\r\n\r\n",
      "it's \"quoted\"",
      "back\\slash \\n not a newline",
      "${not_a_variable} and $${ too",
      std::string("nul \0 and \x01\x7f", 12),
      "caf\xc3\xa9 \xe2\x82\xac",
      "latin1 caf\xe9 and \x80\xff",
      "line\xe2\x80\xa8separator \xef\xbb\xbf bom",
      "tab\there # not a comment: {no: flow}",
      " leading and trailing spaces ",
      "",
  };
  for (const std::string& bytes : cases) {
    EXPECT_EQ(ReadBack(SingleQuoted(TemplateText(bytes))), bytes) << TemplateText(bytes);
  }
}

TEST(YamlText, EveryByteReadsBack) {
  std::string all;
  for (int i = 0; i < 256; ++i)
    all += static_cast<char>(i);
  EXPECT_EQ(ReadBack(SingleQuoted(TemplateText(all))), all);
}

TEST(YamlText, RegexLiteralMatchesItselfExactly) {
  const std::string cases[] = {"* welcome guest1", "a.b*c+d?(e)[f]{g}|h^i$j\\k",
                               "cost: $5 ${x}",    "crlf\r\n tab\t",
                               "caf\xc3\xa9",      "ctrl \x01 \x1b"};
  for (const std::string& text : cases) {
    std::string error;
    std::optional<Regex> re = Regex::Compile("^" + RegexLiteral(text) + "$", &error);
    ASSERT_TRUE(re) << error;
    EXPECT_TRUE(re->Search(text)) << RegexLiteral(text);
    EXPECT_FALSE(re->Search(text + "x"));
    EXPECT_EQ(RegexLiteral(text).find("${"), std::string::npos);
  }
}

TEST(YamlText, Utf8AndBinary) {
  EXPECT_TRUE(IsUtf8("abc caf\xc3\xa9"));
  EXPECT_FALSE(IsUtf8("caf\xe9"));
  EXPECT_FALSE(IsUtf8("\xc0\xaf"));          // overlong
  EXPECT_FALSE(IsUtf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(IsUtf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(LooksBinary("hello\r\n"));
  EXPECT_TRUE(LooksBinary(std::string("\x16\x03\x01\x00\xa5\x01\x00", 7)));
  EXPECT_EQ(HexText(std::string("\x00\xff\r\n", 4)), "00 ff 0d 0a");
}

}  // namespace
}  // namespace parley::harness
