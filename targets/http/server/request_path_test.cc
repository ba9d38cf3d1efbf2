#include "targets/http/server/request_path.h"

#include <gtest/gtest.h>

namespace parley::http {
namespace {

struct Case {
  std::string_view target;
  TargetForm form;
  PathError error;
  std::string_view path;  // when error == kNone
};

TEST(HttpServerRequestPath, DecodesAndRejects) {
  using enum PathError;
  const Case cases[] = {
      {"/", TargetForm::kOrigin, kNone, "/"},
      {"/echo?x=1", TargetForm::kOrigin, kNone, "/echo"},
      {"/a/b.html", TargetForm::kOrigin, kNone, "/a/b.html"},
      {"/%65cho", TargetForm::kOrigin, kNone, "/echo"},
      {"/a%20b", TargetForm::kOrigin, kNone, "/a b"},
      {"/a%2Fb", TargetForm::kOrigin, kNone, "/a/b"},
      {"/a//b/", TargetForm::kOrigin, kNone, "/a//b/"},
      {"/.hidden", TargetForm::kOrigin, kNone, "/.hidden"},
      {"/a..b/...", TargetForm::kOrigin, kNone, "/a..b/..."},
      {"/q?../../etc", TargetForm::kOrigin, kNone, "/q"},
      {"http://example.com/a?b", TargetForm::kAbsolute, kNone, "/a"},
      {"http://example.com", TargetForm::kAbsolute, kNone, "/"},
      {"http://example.com?x", TargetForm::kAbsolute, kNone, "/"},
      {"/..", TargetForm::kOrigin, kDotSegment, ""},
      {"/../etc/passwd", TargetForm::kOrigin, kDotSegment, ""},
      {"/a/./b", TargetForm::kOrigin, kDotSegment, ""},
      {"/a/.", TargetForm::kOrigin, kDotSegment, ""},
      {"/%2e%2e/etc/passwd", TargetForm::kOrigin, kDotSegment, ""},
      {"/%2E%2E", TargetForm::kOrigin, kDotSegment, ""},
      {"/.%2e/x", TargetForm::kOrigin, kDotSegment, ""},
      {"/a%2f..%2fb", TargetForm::kOrigin, kDotSegment, ""},
      {"http://h/../x", TargetForm::kAbsolute, kDotSegment, ""},
      {"/a%00b", TargetForm::kOrigin, kNulInPath, ""},
      {"/a%5cb", TargetForm::kOrigin, kBackslashInPath, ""},
      {"/a\\b", TargetForm::kOrigin, kBackslashInPath, ""},
      {"/%", TargetForm::kOrigin, kBadPercentEncoding, ""},
      {"/%4", TargetForm::kOrigin, kBadPercentEncoding, ""},
      {"/%zz", TargetForm::kOrigin, kBadPercentEncoding, ""},
      {"*", TargetForm::kAsterisk, kNotAPath, ""},
      {"example.com:443", TargetForm::kAuthority, kNotAPath, ""},
  };
  std::string path = "stale";
  for (const Case& c : cases) {
    EXPECT_EQ(DecodeRequestPath(c.target, c.form, path), c.error) << c.target;
    if (c.error == kNone) {
      EXPECT_EQ(path, c.path) << c.target;
    }
  }
}

TEST(HttpServerRequestPath, ErrorTexts) {
  EXPECT_EQ(PathErrorText(PathError::kDotSegment), "dot-segment");
  EXPECT_EQ(PathErrorText(PathError::kNulInPath), "nul-in-path");
  EXPECT_EQ(PathErrorText(PathError::kBackslashInPath), "backslash-in-path");
  EXPECT_EQ(PathErrorText(PathError::kBadPercentEncoding), "bad-percent-encoding");
}

}  // namespace
}  // namespace parley::http
