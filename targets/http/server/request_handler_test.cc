#include "targets/http/server/request_handler.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace parley::http {
namespace {

namespace fs = std::filesystem;
using Kind = Reply::Kind;

RequestHead Head(std::string_view method, std::string_view target,
                 TargetForm form = TargetForm::kOrigin) {
  RequestHead head;
  head.method = method;
  head.target = target;
  head.target_form = form;
  return head;
}

struct Routed {
  Kind kind;
  int status;
  std::string error;
  std::string allow;
};

Routed Route(const RequestHandler& handler, const RequestHead& head) {
  std::string path;
  Reply reply;
  handler.Route(head, path, reply);
  return {reply.kind, reply.status, std::string(reply.error), std::string(reply.allow)};
}

TEST(HttpServerRequestHandler, BuiltInRoutes) {
  const RequestHandler handler(nullptr);
  struct Case {
    RequestHead head;
    Kind kind;
    int status;
    std::string_view error;
    std::string_view allow;
  };
  const Case cases[] = {
      {Head("GET", "/"), Kind::kPage, 200, "", ""},
      {Head("HEAD", "/"), Kind::kPage, 200, "", ""},
      {Head("GET", "/?q=1"), Kind::kPage, 200, "", ""},
      {Head("GET", "http://example.com/", TargetForm::kAbsolute), Kind::kPage, 200, "", ""},
      {Head("POST", "/"), Kind::kError, 405, "method-not-allowed", "GET, HEAD"},
      {Head("DELETE", "/"), Kind::kError, 405, "method-not-allowed", "GET, HEAD"},
      {Head("OPTIONS", "/"), Kind::kError, 405, "method-not-allowed", "GET, HEAD"},
      {Head("BREW", "/"), Kind::kError, 501, "method-not-implemented", ""},
      {Head("get", "/"), Kind::kError, 501, "method-not-implemented", ""},
      {Head("CONNECT", "example.com:443", TargetForm::kAuthority), Kind::kError, 501,
       "method-not-implemented", ""},
      {Head("OPTIONS", "*", TargetForm::kAsterisk), Kind::kOptions, 200, "", "GET, HEAD"},
      {Head("POST", "/echo"), Kind::kEcho, 200, "", ""},
      {Head("BREW", "/echo?pot=1"), Kind::kEcho, 200, "", ""},
      {Head("GET", "/%65cho"), Kind::kEcho, 200, "", ""},
      {Head("GET", "/echo/"), Kind::kError, 404, "not-found", ""},
      {Head("GET", "/missing"), Kind::kError, 404, "not-found", ""},
      {Head("POST", "/missing"), Kind::kError, 404, "not-found", ""},
      {Head("GET", "/../etc/passwd"), Kind::kError, 400, "dot-segment", ""},
      {Head("GET", "/%00"), Kind::kError, 400, "nul-in-path", ""},
      {Head("GET", "/a%5c"), Kind::kError, 400, "backslash-in-path", ""},
      {Head("GET", "/%g0"), Kind::kError, 400, "bad-percent-encoding", ""},
  };
  for (const Case& c : cases) {
    const Routed routed = Route(handler, c.head);
    const std::string label = std::string(c.head.method) + " " + std::string(c.head.target);
    EXPECT_EQ(routed.kind, c.kind) << label;
    EXPECT_EQ(routed.status, c.status) << label;
    EXPECT_EQ(routed.error, c.error) << label;
    EXPECT_EQ(routed.allow, c.allow) << label;
  }
}

TEST(HttpServerRequestHandler, StaticFiles) {
  std::string pattern = (fs::temp_directory_path() / "parley-handler-XXXXXX").string();
  ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
  const fs::path root = pattern;
  std::ofstream(root / "page.html") << "<p>page</p>";
  std::ofstream(root / "index.html") << "<p>index</p>";
  std::string error;
  auto files = StaticFiles::Open(root.string(), &error);
  ASSERT_TRUE(files) << error;
  const RequestHandler handler(&*files);

  std::string path;
  Reply reply;
  handler.Route(Head("GET", "/page.html"), path, reply);
  EXPECT_EQ(reply.kind, Kind::kFile);
  EXPECT_TRUE(reply.file.file.is_open());
  EXPECT_EQ(reply.file.size, 11u);

  handler.Route(Head("PUT", "/page.html"), path, reply);
  EXPECT_EQ(reply.status, 405);
  EXPECT_EQ(reply.allow, "GET, HEAD");
  EXPECT_FALSE(reply.file.file.is_open());

  // The built-in page wins over the root's index.html; /echo wins over a file named echo.
  std::ofstream(root / "echo") << "file";
  EXPECT_EQ(Route(handler, Head("GET", "/")).kind, Kind::kPage);
  EXPECT_EQ(Route(handler, Head("GET", "/echo")).kind, Kind::kEcho);
  EXPECT_EQ(Route(handler, Head("GET", "/nope.html")).status, 404);
  fs::remove_all(root);
}

TEST(HttpServerRequestHandler, ClosingErrorResponseIsWholeAndCloses) {
  const std::string r = ClosingErrorResponse(503, "too-many-connections");
  EXPECT_TRUE(r.starts_with("HTTP/1.1 503 Service Unavailable\r\n")) << r;
  EXPECT_NE(r.find("\r\nContent-Length: 28\r\n"), std::string::npos) << r;
  EXPECT_NE(r.find("\r\nConnection: close\r\n"), std::string::npos) << r;
  EXPECT_NE(r.find("\r\nDate: "), std::string::npos) << r;
  EXPECT_TRUE(r.ends_with("\r\n\r\nerror: too-many-connections\n")) << r;
}

}  // namespace
}  // namespace parley::http
