#include "targets/http/server/echo_report.h"

#include <gtest/gtest.h>

namespace parley::http {
namespace {

TEST(HttpServerEchoReport, ReportsEveryPartInOrder) {
  const Field fields[] = {{"Host", "example.com"}, {"X-Empty", ""}, {"x-dup", "1"}, {"X-Dup", "2"}};
  RequestHead head;
  head.method = "POST";
  head.target = "/echo?x=1";
  head.version_minor = 0;
  head.fields = fields;
  head.framing = BodyFraming::kChunked;
  std::string out;
  AppendEchoHead(head, out);
  AppendEchoBody("hello\nworld", out);
  EXPECT_EQ(out,
            "method: POST\n"
            "target: /echo?x=1\n"
            "version: HTTP/1.0\n"
            "header: Host: example.com\n"
            "header: X-Empty: \n"
            "header: x-dup: 1\n"
            "header: X-Dup: 2\n"
            "framing: chunked\n"
            "body-length: 11\n"
            "hello\nworld");
}

TEST(HttpServerEchoReport, BodySizeMatchesWhatIsAppended) {
  for (std::string body :
       {std::string(), std::string(9, 'a'), std::string(10, 'b'), std::string(12345, 'c')}) {
    std::string out;
    AppendEchoBody(body, out);
    EXPECT_EQ(EchoBodySize(body), out.size());
  }
}

}  // namespace
}  // namespace parley::http
