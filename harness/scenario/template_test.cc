#include "harness/scenario/template.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <optional>
#include <string>

namespace parley::harness {
namespace {

Template MustParse(std::string_view text, bool unescape = true) {
  Template::ParseError error;
  auto t = Template::Parse(text, unescape, &error);
  EXPECT_TRUE(t.has_value()) << error.message;
  return t.value_or(Template());
}

TEST(Template, SplitsLiteralsAndVariables) {
  Template t = MustParse("<${nick}> hola ${target.port}!");
  ASSERT_EQ(t.parts().size(), 5u);
  EXPECT_FALSE(t.parts()[0].is_variable);
  EXPECT_EQ(t.parts()[0].text, "<");
  EXPECT_TRUE(t.parts()[1].is_variable);
  EXPECT_EQ(t.parts()[1].text, "nick");
  EXPECT_EQ(t.parts()[3].text, "target.port");
  EXPECT_TRUE(t.has_variables());
}

TEST(Template, RendersValuesWithoutUnescapingThem) {
  Variables vars;
  vars.Set("nick", "a\\nb");
  vars.Set("target.port", "8080");
  std::string error;
  EXPECT_EQ(MustParse("<${nick}>\\r\\n:${target.port}").Render(vars, &error),
            std::string("<a\\nb>\r\n:8080"));
}

TEST(Template, AppliesEscapesOnlyWhenAsked) {
  Variables vars;
  std::string error;
  EXPECT_EQ(MustParse("a\\x00b").Render(vars, &error), std::string("a\0b", 3));
  EXPECT_EQ(MustParse("a\\x00b", false).Render(vars, &error), "a\\x00b");
}

TEST(Template, DollarDollarBraceIsALiteral) {
  Variables vars;
  std::string error;
  Template t = MustParse("cost $5 and $${x} and $");
  EXPECT_FALSE(t.has_variables());
  EXPECT_EQ(t.Render(vars, &error), "cost $5 and ${x} and $");
}

TEST(Template, UndefinedVariableIsNamed) {
  Variables vars;
  std::string error;
  EXPECT_FALSE(MustParse("x${missing}").Render(vars, &error));
  EXPECT_EQ(error, "variable ${missing} is not defined");
}

TEST(Template, EnvironmentVariablesResolveLazily) {
  ::setenv("PARLEY_TEMPLATE_TEST", "from-env", 1);
  ::unsetenv("PARLEY_TEMPLATE_TEST_UNSET");
  Variables vars;
  std::string error;
  EXPECT_EQ(MustParse("${env.PARLEY_TEMPLATE_TEST}").Render(vars, &error), "from-env");
  EXPECT_FALSE(MustParse("${env.PARLEY_TEMPLATE_TEST_UNSET}").Render(vars, &error));
  EXPECT_EQ(error,
            "environment variable PARLEY_TEMPLATE_TEST_UNSET is not set (used as "
            "${env.PARLEY_TEMPLATE_TEST_UNSET})");
}

TEST(Template, ValuesSetWinOverTheSourceWhichIsAskedOncePerName) {
  ::setenv("PARLEY_TEMPLATE_TEST", "from-env", 1);
  int asked = 0;
  Variables vars([&asked](const std::string& name) -> std::optional<std::string> {
    ++asked;
    if (name == "computed" || name == "both") return "from-source:" + name;
    return std::nullopt;
  });
  vars.Set("both", "set");
  std::string error;
  EXPECT_EQ(MustParse("${computed} ${computed} ${both}").Render(vars, &error),
            "from-source:computed from-source:computed set");
  EXPECT_EQ(asked, 1);
  EXPECT_EQ(MustParse("${env.PARLEY_TEMPLATE_TEST}").Render(vars, &error), "from-env");
  EXPECT_FALSE(MustParse("${missing}").Render(vars, &error));
  EXPECT_EQ(error, "variable ${missing} is not defined");
  vars.Set("computed", "set later");
  EXPECT_EQ(MustParse("${computed}").Render(vars, &error), "set later");
}

TEST(Template, QuoteAppliesToValuesOnly) {
  Variables vars;
  vars.Set("v", "a.b");
  std::string error;
  auto out = MustParse("^${v}$", false).Render(vars, &error, [](std::string_view s) {
    return "[" + std::string(s) + "]";
  });
  EXPECT_EQ(out, "^[a.b]$");
}

TEST(Template, ParseErrorsNameTheOffset) {
  struct Case {
    const char* text;
    std::size_t offset;
  };
  for (Case c : {Case{"abc ${oops", 4}, Case{"ab${}", 2}, Case{"${1x}", 0}, Case{"${a..b}", 0},
                 Case{"${a b}", 0}, Case{"x\\q", 1}, Case{"ok ${v} \\x4", 8}}) {
    Template::ParseError error;
    EXPECT_FALSE(Template::Parse(c.text, true, &error)) << c.text;
    EXPECT_EQ(error.offset, c.offset) << c.text << ": " << error.message;
    EXPECT_FALSE(error.message.empty());
  }
}

TEST(Template, VariableNames) {
  EXPECT_TRUE(IsValidVariableName("nick"));
  EXPECT_TRUE(IsValidVariableName("targets.http-2.port"));
  EXPECT_TRUE(IsValidVariableName("_x"));
  EXPECT_FALSE(IsValidVariableName(""));
  EXPECT_FALSE(IsValidVariableName("1x"));
  EXPECT_FALSE(IsValidVariableName("a."));
  EXPECT_FALSE(IsValidVariableName(".a"));
  EXPECT_FALSE(IsValidVariableName("a b"));
}

TEST(Template, RenderWithPlaceholders) {
  Template t = MustParse("a${x}b${y}");
  EXPECT_EQ(t.RenderWith([](const std::string& name) { return "<" + name + ">"; }), "a<x>b<y>");
}

}  // namespace
}  // namespace parley::harness
