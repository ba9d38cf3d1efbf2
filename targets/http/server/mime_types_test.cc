#include "targets/http/server/mime_types.h"

#include <gtest/gtest.h>

namespace parley::http {
namespace {

TEST(HttpServerMimeTypes, ByExtension) {
  EXPECT_EQ(ContentTypeFor("/site/index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(ContentTypeFor("INDEX.HTM"), "text/html; charset=utf-8");
  EXPECT_EQ(ContentTypeFor("a/style.css"), "text/css; charset=utf-8");
  EXPECT_EQ(ContentTypeFor("app.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(ContentTypeFor("logo.PNG"), "image/png");
  EXPECT_EQ(ContentTypeFor("photo.jpeg"), "image/jpeg");
  EXPECT_EQ(ContentTypeFor("data.json"), "application/json");
  EXPECT_EQ(ContentTypeFor("notes.txt"), "text/plain; charset=utf-8");
  EXPECT_EQ(ContentTypeFor("icon.svg"), "image/svg+xml");
}

TEST(HttpServerMimeTypes, UnknownIsOctetStream) {
  EXPECT_EQ(ContentTypeFor("archive.xyz"), "application/octet-stream");
  EXPECT_EQ(ContentTypeFor("Makefile"), "application/octet-stream");
  EXPECT_EQ(ContentTypeFor("/dir.html/file"), "application/octet-stream");
  EXPECT_EQ(ContentTypeFor(".bashrc"), "application/octet-stream");
  EXPECT_EQ(ContentTypeFor("trailing."), "application/octet-stream");
}

}  // namespace
}  // namespace parley::http
