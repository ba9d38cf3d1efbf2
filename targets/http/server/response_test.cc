#include "targets/http/server/response.h"

#include <gtest/gtest.h>

namespace parley::http {
namespace {

constexpr std::string_view kDate = "Sun, 06 Nov 1994 08:49:37 GMT";

TEST(HttpServerResponse, WritesStatusLineAndRequiredHeaders) {
  std::string out;
  ResponseHead head;
  head.content_type = "text/html; charset=utf-8";
  head.content_length = 20;
  AppendResponseHead(head, kDate, out);
  EXPECT_EQ(out,
            "HTTP/1.1 200 OK\r\n"
            "Server: parley/" PARLEY_VERSION
            "\r\n"
            "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
            "Content-Type: text/html; charset=utf-8\r\n"
            "Content-Length: 20\r\n"
            "\r\n");
}

TEST(HttpServerResponse, WritesOptionalHeaders) {
  std::string out = "previous";
  ResponseHead head;
  head.status = 405;
  head.content_length = 0;
  head.allow = "GET, HEAD";
  head.last_modified = kDate;
  head.connection = ConnectionHeader::kClose;
  AppendResponseHead(head, kDate, out);
  EXPECT_EQ(out,
            "previousHTTP/1.1 405 Method Not Allowed\r\n"
            "Server: parley/" PARLEY_VERSION
            "\r\n"
            "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
            "Content-Length: 0\r\n"
            "Last-Modified: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
            "Allow: GET, HEAD\r\n"
            "Connection: close\r\n"
            "\r\n");
}

TEST(HttpServerResponse, KeepAliveForHttp10) {
  std::string out;
  ResponseHead head;
  head.connection = ConnectionHeader::kKeepAlive;
  AppendResponseHead(head, kDate, out);
  EXPECT_NE(out.find("\r\nConnection: keep-alive\r\n"), std::string::npos);
}

TEST(HttpServerResponse, ReasonPhrases) {
  for (int status :
       {100, 200, 304, 400, 403, 404, 405, 408, 413, 414, 417, 431, 500, 501, 503, 505}) {
    EXPECT_NE(ReasonPhrase(status), "Unknown") << status;
  }
  EXPECT_EQ(ReasonPhrase(418), "Unknown");
  EXPECT_EQ(ReasonPhrase(431), "Request Header Fields Too Large");
}

TEST(HttpServerResponse, ContinueAndErrorBodies) {
  std::string out;
  AppendContinue(out);
  EXPECT_EQ(out, "HTTP/1.1 100 Continue\r\n\r\n");
  out.clear();
  AppendErrorBody("not-found", out);
  EXPECT_EQ(out, "error: not-found\n");
  EXPECT_EQ(ErrorBodySize("not-found"), out.size());
}

}  // namespace
}  // namespace parley::http
