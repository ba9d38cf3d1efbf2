#include "harness/scenario/yaml_tree.h"

#include <gtest/gtest.h>

namespace parley::harness {
namespace {

std::vector<YamlNode> MustParse(std::string_view text) {
  std::vector<YamlNode> docs;
  YamlError error;
  EXPECT_TRUE(ParseYaml(text, YamlLimits(), &docs, &error)) << error.message;
  return docs;
}

YamlError MustFail(std::string_view text, const YamlLimits& limits = YamlLimits()) {
  std::vector<YamlNode> docs;
  YamlError error;
  EXPECT_FALSE(ParseYaml(text, limits, &docs, &error)) << text;
  EXPECT_TRUE(docs.empty());
  return error;
}

TEST(YamlTree, BuildsMapsListsAndScalarsWithPositions) {
  auto docs = MustParse("name: x\nsteps:\n  - send: \"a\"\n  - 2\n");
  ASSERT_EQ(docs.size(), 1u);
  const YamlNode& root = docs[0];
  ASSERT_TRUE(root.is_map());
  EXPECT_EQ(root.line, 1);
  EXPECT_EQ(root.column, 1);
  const YamlNode* steps = root.Find("steps");
  ASSERT_NE(steps, nullptr);
  ASSERT_TRUE(steps->is_sequence());
  ASSERT_EQ(steps->items.size(), 2u);
  const YamlNode& send = steps->items[0];
  EXPECT_EQ(send.line, 3);
  EXPECT_EQ(send.column, 5);
  const YamlNode* text = send.Find("send");
  ASSERT_NE(text, nullptr);
  EXPECT_TRUE(text->quoted);
  EXPECT_EQ(text->scalar, "a");
  EXPECT_EQ(text->column, 11);
  EXPECT_FALSE(steps->items[1].quoted);
  EXPECT_EQ(steps->items[1].scalar, "2");
  EXPECT_EQ(root.size, 9u);  // root, 2 keys, 2 values, 2 items, 1 key and 1 value inside
}

TEST(YamlTree, KeepsEveryDocumentAndNulls) {
  auto docs = MustParse("a: 1\n---\n---\n- x\n");
  ASSERT_EQ(docs.size(), 3u);
  EXPECT_TRUE(docs[0].is_map());
  EXPECT_TRUE(docs[1].is_null());
  EXPECT_TRUE(docs[2].is_sequence());
  auto nulls = MustParse("a:\nb: ~\n");
  EXPECT_TRUE(nulls[0].Find("a")->is_null());
}

TEST(YamlTree, ExpandsAliasesAtTheirOwnPosition) {
  auto docs = MustParse("a: &x [1, 2]\nb: *x\n");
  const YamlNode* b = docs[0].Find("b");
  ASSERT_TRUE(b->is_sequence());
  EXPECT_EQ(b->items.size(), 2u);
  EXPECT_EQ(b->line, 2);
  EXPECT_EQ(b->column, 4);
}

TEST(YamlTree, DuplicateKeysAreErrors) {
  YamlError e = MustFail("a: 1\nb: 2\na: 3\n");
  EXPECT_EQ(e.line, 3);
  EXPECT_EQ(e.column, 1);
  EXPECT_EQ(e.message, "duplicate key 'a' (first at line 1)");
}

TEST(YamlTree, SyntaxErrorsHaveAPosition) {
  YamlError e = MustFail("a: [1, 2\nb: 3\n");
  EXPECT_GT(e.line, 0);
  EXPECT_FALSE(e.message.empty());
  YamlError nested = MustFail("a: b: c\n");
  EXPECT_EQ(nested.line, 1);
  EXPECT_FALSE(nested.message.empty());
}

TEST(YamlTree, ComplexKeysAndTagsAreRejected) {
  EXPECT_EQ(MustFail("? [a]\n: 1\n").message, "a mapping key must be a plain string, not a list");
  EXPECT_EQ(MustFail("a: !!binary aGk=\n").message,
            "tags such as 'tag:yaml.org,2002:binary' are not supported");
}

TEST(YamlTree, DeepNestingIsCapped) {
  std::string deep(100000, '[');
  YamlError e = MustFail(deep);
  EXPECT_EQ(e.message, "nested deeper than 64 levels");
  EXPECT_EQ(e.line, 1);
}

TEST(YamlTree, AliasBombsAreCapped) {
  std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  char prev = 'a';
  for (char c = 'b'; c <= 'j'; ++c) {
    bomb += std::string(1, c) + ": &" + c + " [";
    for (int i = 0; i < 10; ++i)
      bomb += std::string(i ? ", *" : "*") + prev;
    bomb += "]\n";
    prev = c;
  }
  YamlError e = MustFail(bomb);
  EXPECT_EQ(e.message, "more than 200000 nodes (after expanding aliases)");
}

TEST(YamlTree, SizeAndNulBytesAreCapped) {
  YamlLimits small;
  small.max_bytes = 10;
  EXPECT_EQ(MustFail("a: 12345678901", small).message,
            "the file is 14 bytes, more than the 10 a scenario file may have");
  EXPECT_EQ(MustFail(std::string("a: \0", 4)).message,
            "the file contains a NUL byte; YAML text cannot");
}

TEST(YamlTree, FindsHighEscapesInDoubleQuotedScalarsOnly) {
  auto docs = MustParse(
      "a: \"caf\\xe9\"\n"               // YAML's escape: the character U+00E9
      "b: 'caf\\xe9'\n"                 // single quotes: the backslash stays
      "c: caf\\xe9\n"                   // plain: the backslash stays
      "d: \"\\\\xe9 \\x7f \\u00e9\"\n"  // an escaped backslash, a low escape, a \u escape
      "e: &anchor\n"
      "  \"\\x80\"\n"
      "f: [\"x\",\n    \"y\n   z \\xFf\"]\n");
  ASSERT_EQ(docs.size(), 1u);
  const YamlNode& root = docs[0];
  const YamlNode* a = root.Find("a");
  EXPECT_EQ(a->high_escape, 0xe9);
  EXPECT_EQ(a->high_escape_line, 1);
  EXPECT_EQ(a->high_escape_column, 8);
  EXPECT_EQ(root.Find("b")->high_escape, 0);
  EXPECT_EQ(root.Find("c")->high_escape, 0);
  EXPECT_EQ(root.Find("d")->high_escape, 0);
  const YamlNode* e = root.Find("e");
  EXPECT_EQ(e->high_escape, 0x80);
  EXPECT_EQ(e->high_escape_line, 6);
  EXPECT_EQ(e->high_escape_column, 4);
  const YamlNode* f = root.Find("f");
  ASSERT_EQ(f->items.size(), 2u);
  EXPECT_EQ(f->items[0].high_escape, 0);
  EXPECT_EQ(f->items[1].high_escape, 0xff);
  EXPECT_EQ(f->items[1].high_escape_line, 9);
  EXPECT_EQ(f->items[1].high_escape_column, 6);
}

TEST(YamlTree, HighEscapePositionsSurviveAByteOrderMark) {
  auto docs = MustParse(
      "\xef\xbb\xbf"
      "a: \"\\xe9\"\n");
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(docs[0].Find("a")->high_escape, 0xe9);
  EXPECT_EQ(docs[0].Find("a")->high_escape_column, 5);
}

TEST(YamlTree, DescribesKinds) {
  YamlNode n;
  EXPECT_EQ(DescribeKind(n), "nothing");
  n.kind = YamlNode::Kind::kMap;
  EXPECT_EQ(DescribeKind(n), "a mapping");
}

}  // namespace
}  // namespace parley::harness
