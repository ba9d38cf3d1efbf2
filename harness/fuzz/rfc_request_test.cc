#include "harness/fuzz/rfc_request.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace parley::fuzz::rfc {
namespace {

using http::BodyFraming;
using http::TargetForm;

Reading ReadAll(std::string_view bytes, const http::Limits& limits = http::Limits()) {
  return Read(bytes, limits, 64);
}

// The status a single request is rejected with, 0 when it is accepted whole, -1 when incomplete.
int StatusOf(std::string_view bytes, const http::Limits& limits = http::Limits()) {
  const Reading reading = ReadAll(bytes, limits);
  switch (reading.end) {
    case End::kClean:
      return reading.requests.size() == 1 ? 0 : -2;
    case End::kIncomplete:
      return -1;
    case End::kRejected:
      return reading.status;
    case End::kCapped:
      return -3;
  }
  return -4;
}

std::string WithField(std::string_view field) {
  return "GET / HTTP/1.1\r\nHost: a\r\n" + std::string(field) + "\r\n\r\n";
}

std::string WithTarget(std::string_view method, std::string_view target) {
  return std::string(method) + " " + std::string(target) + " HTTP/1.1\r\nHost: a\r\n\r\n";
}

std::string Chunked(std::string_view body) {
  return "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + std::string(body);
}

TEST(RfcRequestTest, ReadsRequestLineAndFieldsInOrderWithOwsTrimmed) {
  const Reading reading =
      ReadAll("GET /a/b?c=d HTTP/1.1\r\nHost: example.com\r\nX-A: \t one two \t\r\nx-a:\r\n\r\n");
  ASSERT_EQ(reading.end, End::kClean);
  ASSERT_EQ(reading.requests.size(), 1u);
  const Request& r = reading.requests[0];
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.target, "/a/b?c=d");
  EXPECT_EQ(r.target_form, TargetForm::kOrigin);
  EXPECT_EQ(r.version_minor, 1);
  const std::vector<std::pair<std::string, std::string>> fields = {
      {"Host", "example.com"}, {"X-A", "one two"}, {"x-a", ""}};
  EXPECT_EQ(r.fields, fields);
  EXPECT_EQ(r.framing, BodyFraming::kNone);
  EXPECT_TRUE(r.keep_alive);
  EXPECT_EQ(r.size, 68u);
}

TEST(RfcRequestTest, ReadsPipelinedRequestsAndKeepAlive) {
  const Reading reading = ReadAll(
      "GET /1 HTTP/1.1\r\nHost: a\r\n\r\n"
      "\r\n"  // one empty line before a request is ignored
      "POST /2 HTTP/1.0\r\nConnection: keep-alive\r\nContent-Length: 3\r\n\r\nabc"
      "GET /3 HTTP/1.0\r\n\r\n"
      "GET /4 HTTP/1.1\r\nHost: a\r\nConnection: x, CLOSE\r\n\r\n");
  ASSERT_EQ(reading.end, End::kClean);
  ASSERT_EQ(reading.requests.size(), 4u);
  EXPECT_TRUE(reading.requests[0].keep_alive);
  EXPECT_EQ(reading.requests[1].target, "/2");
  EXPECT_EQ(reading.requests[1].body, "abc");
  EXPECT_EQ(reading.requests[1].version_minor, 0);
  EXPECT_TRUE(reading.requests[1].keep_alive);
  EXPECT_FALSE(reading.requests[2].keep_alive);
  EXPECT_FALSE(reading.requests[3].keep_alive);
  EXPECT_EQ(reading.requests[1].size, 68u);  // with the empty line
}

TEST(RfcRequestTest, StopsAfterMaxRequests) {
  const Reading reading = Read(
      "GET / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\nGET", http::Limits(), 2);
  EXPECT_EQ(reading.end, End::kCapped);
  EXPECT_EQ(reading.requests.size(), 2u);
}

TEST(RfcRequestTest, IncompleteWhenTheBytesEndEarly) {
  EXPECT_EQ(StatusOf("GET / HTTP/1.1\r\nHost: a\r\n"), -1);
  EXPECT_EQ(StatusOf("GET / HT"), -1);
  EXPECT_EQ(StatusOf("\r\n"), -1);
  EXPECT_EQ(StatusOf("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nabc"), -1);
  EXPECT_EQ(StatusOf(Chunked("5\r\nhel")), -1);
  EXPECT_EQ(StatusOf(Chunked("5;a=\"b")), -1);
  EXPECT_EQ(StatusOf(Chunked("0\r\nT: v\r\n")), -1);
  // A bad byte in a line the parser has not seen the end of yet does not reject the head.
  EXPECT_EQ(StatusOf("GET / HTTP/1.1\r\nX: a\rb"), -1);
  const Reading after_one = ReadAll("GET / HTTP/1.1\r\nHost: a\r\n\r\nGET /2");
  EXPECT_EQ(after_one.end, End::kIncomplete);
  EXPECT_EQ(after_one.requests.size(), 1u);
}

TEST(RfcRequestTest, RequestLineSyntax) {
  EXPECT_EQ(StatusOf(WithTarget("PATCH", "/")), 0);
  EXPECT_EQ(StatusOf(WithTarget("x-Custom!", "/")), 0);
  for (std::string_view line :
       {"GET  / HTTP/1.1", "GET / HTTP/1.1 ", "GET /", " GET / HTTP/1.1", "G(T / HTTP/1.1",
        "GET\t/ HTTP/1.1", "GET / http/1.1", "GET / HTTP/1", "GET / HTTP/1.10", "GET / HTTP/a.1"}) {
    EXPECT_EQ(StatusOf(std::string(line) + "\r\nHost: a\r\n\r\n"), 400) << line;
  }
  EXPECT_EQ(StatusOf("\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"), 400);
}

TEST(RfcRequestTest, Versions) {
  EXPECT_EQ(StatusOf("GET / HTTP/2.0\r\nHost: a\r\n\r\n"), 505);
  EXPECT_EQ(StatusOf("GET / HTTP/0.9\r\n\r\n"), 505);
  const Reading reading = ReadAll("GET / HTTP/1.2\r\nHost: a\r\n\r\n");
  ASSERT_EQ(reading.requests.size(), 1u);
  EXPECT_EQ(reading.requests[0].version_minor, 2);
  // HTTP/1.0 needs no Host.
  EXPECT_EQ(StatusOf("GET / HTTP/1.0\r\n\r\n"), 0);
  // A byte no target may hold comes before the version; the target's form after it.
  EXPECT_EQ(StatusOf("GET /a#b HTTP/2.0\r\n\r\n"), 400);
  EXPECT_EQ(StatusOf("GET * HTTP/2.0\r\n\r\n"), 505);
}

TEST(RfcRequestTest, OriginAndAsteriskForms) {
  EXPECT_EQ(StatusOf(WithTarget("GET", "//a/./b;c=d/%41?x=/?:@!$&'()*+,;=")), 0);
  EXPECT_EQ(StatusOf(WithTarget("OPTIONS", "*")), 0);
  for (std::string_view target : {"/a#b", "/%zz", "/%4", "/%4z", "/a%z4", "/a b", "/a\"", "/<",
                                  "/\\", "/^", "/`", "/{", "/|", "/}", "/[", "/\x80"}) {
    EXPECT_EQ(StatusOf(WithTarget("GET", target)), 400) << target;
  }
  EXPECT_EQ(StatusOf(WithTarget("GET", "*")), 400);
  EXPECT_EQ(StatusOf(WithTarget("OPTIONS", "*x")), 400);
}

TEST(RfcRequestTest, AbsoluteForm) {
  const Reading reading = ReadAll(WithTarget("GET", "HTTPS://h.example:8080/p?q"));
  ASSERT_EQ(reading.requests.size(), 1u);
  EXPECT_EQ(reading.requests[0].target_form, TargetForm::kAbsolute);
  for (std::string_view target : {"http://h", "http://h?q", "http://[::1]/", "http://1.2.3.4:1/",
                                  "http://[v1.a:b]/", "http://h%41/", "http://h:65535/"}) {
    EXPECT_EQ(StatusOf(WithTarget("GET", target)), 0) << target;
  }
  for (std::string_view target :
       {"ftp://h/", "http:/h", "http://", "http://u@h/", "http://h:/", "http://h:65536/",
        "http://h:000001/", "http://[zz]/", "http://[::1/", "http://h[/", "http://:80/"}) {
    EXPECT_EQ(StatusOf(WithTarget("GET", target)), 400) << target;
  }
}

TEST(RfcRequestTest, AuthorityFormOnlyWithConnect) {
  const Reading reading = ReadAll(WithTarget("CONNECT", "h.example:443"));
  ASSERT_EQ(reading.requests.size(), 1u);
  EXPECT_EQ(reading.requests[0].target_form, TargetForm::kAuthority);
  EXPECT_EQ(StatusOf(WithTarget("CONNECT", "[::1]:443")), 0);
  for (std::string_view target : {"h", "h:", "/", "*", "http://h:1/", "u@h:1"}) {
    EXPECT_EQ(StatusOf(WithTarget("CONNECT", target)), 400) << target;
  }
  EXPECT_EQ(StatusOf(WithTarget("GET", "h:80")), 400);
}

TEST(RfcRequestTest, IpLiterals) {
  for (std::string_view host : {"[1:2:3:4:5:6:7:8]", "[::]", "[1::]", "[::ffff:1.2.3.4]",
                                "[1:2:3:4:5:6:1.2.3.4]", "[V7.x]"}) {
    EXPECT_EQ(StatusOf(WithTarget("GET", "http://" + std::string(host) + "/")), 0) << host;
  }
  for (std::string_view host : {"[]", "[zz]", "[1:2:3:4:5:6:7:8:9]", "[1::2::3]", "[::1.2.3.256]",
                                "[::01.2.3.4]", "[12345::]", "[v.x]", "[v1.]"}) {
    EXPECT_EQ(StatusOf(WithTarget("GET", "http://" + std::string(host) + "/")), 400) << host;
  }
}

TEST(RfcRequestTest, FieldLineSyntax) {
  EXPECT_EQ(StatusOf(WithField("X: a\x80\xff b")), 0);
  EXPECT_EQ(StatusOf(WithField("X:")), 0);
  for (std::string_view field : std::vector<std::string_view>{
           " X: y", "\tX: y", ": y", "X(: y", "\xc3\xa9: y", "X : y", "X\t: y", "X-No-Colon",
           std::string_view("X: a\0b", 6), "X: a\x0b", "X: a\x7f"}) {
    EXPECT_EQ(StatusOf(WithField(field)), 400) << field;
  }
}

TEST(RfcRequestTest, LineEnds) {
  EXPECT_EQ(StatusOf("GET / HTTP/1.1\nHost: a\n\n"), 400);
  EXPECT_EQ(StatusOf(WithField("X: a\rb")), 400);
  http::Limits bare_lf;
  bare_lf.allow_bare_lf = true;
  EXPECT_EQ(StatusOf("\nGET / HTTP/1.1\nHost: a\r\n\n", bare_lf), 0);
  EXPECT_EQ(StatusOf(WithField("X: a\rb"), bare_lf), 400);
  // Never in a chunked body.
  EXPECT_EQ(StatusOf(Chunked("1\nx\r\n0\r\n\r\n"), bare_lf), 400);
}

TEST(RfcRequestTest, Host) {
  EXPECT_EQ(StatusOf("GET / HTTP/1.1\r\n\r\n"), 400);
  EXPECT_EQ(StatusOf("GET / HTTP/1.1\r\nHost: a\r\nhost: a\r\n\r\n"), 400);
  for (std::string_view host : {"", "a b", "a@b", "a:99999", "a:", "[::1", "a/b", "a%4z", "a%"}) {
    EXPECT_EQ(StatusOf("GET / HTTP/1.1\r\nHost: " + std::string(host) + "\r\n\r\n"), 400) << host;
  }
  for (std::string_view host : {"a", "a:80", "%41.b", "1.2.3.4:0", "[::1]:8080", "a!$&'()*+,;="}) {
    EXPECT_EQ(StatusOf("GET / HTTP/1.1\r\nHost: " + std::string(host) + "\r\n\r\n"), 0) << host;
  }
}

TEST(RfcRequestTest, ContentLength) {
  const Reading reading = ReadAll(
      "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 05, 5\r\nContent-Length: 5\r\n\r\nhello");
  ASSERT_EQ(reading.requests.size(), 1u);
  EXPECT_EQ(reading.requests[0].framing, BodyFraming::kContentLength);
  EXPECT_EQ(reading.requests[0].content_length, 5u);
  EXPECT_EQ(reading.requests[0].body, "hello");
  for (std::string_view value :
       {"+5", "-1", "0x5", "5,", ",5", "", "5 5", "5, 6", "18446744073709551616"}) {
    EXPECT_EQ(StatusOf(WithField("Content-Length: " + std::string(value))), 400) << value;
  }
  EXPECT_EQ(StatusOf(WithField("Content-Length: 5\r\nContent-Length: 6")), 400);
  http::Limits limits;
  limits.max_body = 4;
  EXPECT_EQ(StatusOf(WithField("Content-Length: 5"), limits), 413);
  EXPECT_EQ(StatusOf(WithField("Content-Length: 4") + "abcd", limits), 0);
}

TEST(RfcRequestTest, TransferEncoding) {
  EXPECT_EQ(StatusOf(WithField("Transfer-Encoding: ,Chunked,") + "0\r\n\r\n"), 0);
  EXPECT_EQ(StatusOf(WithField("Transfer-Encoding: gzip, chunked")), 501);
  EXPECT_EQ(StatusOf(WithField("Transfer-Encoding: identity\r\nTransfer-Encoding: chunked")), 501);
  for (std::string_view field :
       {"Transfer-Encoding: gzip", "Transfer-Encoding: chunked, gzip",
        "Transfer-Encoding: chunked, chunked",
        "Transfer-Encoding: chunked\r\nTransfer-Encoding: "
        "chunked",
        "Transfer-Encoding: xchunked", "Transfer-Encoding: chunked;q=1", "Transfer-Encoding: ,",
        "Transfer-Encoding: chunked\r\nContent-Length: 0"}) {
    EXPECT_EQ(StatusOf(WithField(field)), 400) << field;
  }
  EXPECT_EQ(StatusOf("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"), 400);
  // A coding after chunked is judged at its line, before a later 431.
  http::Limits limits;
  limits.max_fields = 2;
  EXPECT_EQ(StatusOf(WithField("Transfer-Encoding: chunked, gzip\r\nA: b\r\nB: c"), limits), 400);
  EXPECT_EQ(StatusOf(WithField("Transfer-Encoding: gzip\r\nA: b\r\nB: c"), limits), 431);
}

TEST(RfcRequestTest, Expect) {
  auto expect = [](std::string_view head) {
    const Reading reading = ReadAll(head);
    return reading.requests.empty() ? http::Expectation::kNone : reading.requests[0].expect;
  };
  EXPECT_EQ(expect(WithField("Expect: 100-Continue")), http::Expectation::kContinue);
  EXPECT_EQ(expect(WithField("Expect: 100-continue, x")), http::Expectation::kUnsupported);
  EXPECT_EQ(expect(WithField("Expect:")), http::Expectation::kNone);
  EXPECT_EQ(expect("GET / HTTP/1.0\r\nExpect: 100-continue\r\n\r\n"), http::Expectation::kNone);
}

TEST(RfcRequestTest, ChunkedBodyWithExtensionsAndTrailers) {
  const Reading reading = ReadAll(Chunked("5;a=b ; c = \"q\\\"x\"\r\nhello\r\n"
                                          "A\r\n\r\n12345678\r\n"
                                          "0;z\r\nT: v\r\nU:\r\n\r\n") +
                                  "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
  ASSERT_EQ(reading.end, End::kClean);
  ASSERT_EQ(reading.requests.size(), 2u);
  EXPECT_EQ(reading.requests[0].framing, BodyFraming::kChunked);
  EXPECT_EQ(reading.requests[0].body, "hello\r\n12345678");
  EXPECT_EQ(reading.requests[0].fields.size(), 2u);  // trailers are discarded
  for (std::string_view body :
       {" 5\r\n", "+1\r\n", "0x10\r\n", "5 \r\n", "\r\n", "5;\r\n", "5;a=\r\n", "5;a b\r\n",
        "5;a=b \r\n", "5;a \r\n", "1;a=\"\x01\"\r\n", "5\r\nhelloX\r\n", "5\r\nhello\n",
        "0\r\n T: v\r\n\r\n", "0\r\nT : v\r\n\r\n", "0\r\nT\r\n\r\n", "0\r\nT: \x01\r\n\r\n",
        "0\r\n\n", "10000000000000000\r\n"}) {
    EXPECT_EQ(StatusOf(Chunked(body)), 400) << body;
  }
}

TEST(RfcRequestTest, ChunkedLimits) {
  http::Limits limits;
  limits.max_body = 4;
  limits.max_chunk_extensions = 4;
  limits.max_trailer_section = 8;
  EXPECT_EQ(StatusOf(Chunked("2\r\nab\r\n2\r\ncd\r\n0\r\n\r\n"), limits), 0);
  EXPECT_EQ(StatusOf(Chunked("2\r\nab\r\n3\r\n"), limits), 413);
  EXPECT_EQ(StatusOf(Chunked("1;abc\r\na\r\n0\r\n\r\n"), limits), 0);
  EXPECT_EQ(StatusOf(Chunked("1;abcd"), limits), 400);  // as soon as the fifth byte is in
  EXPECT_EQ(StatusOf(Chunked("0\r\nT: 12\r\n\r\n"), limits), 431);
  EXPECT_EQ(StatusOf(Chunked("0\r\nT: 1\r\n\r\n"), limits), 0);
  EXPECT_EQ(StatusOf(Chunked("0000000000000000001\r\nx\r\n0\r\n\r\n")), 0);
}

TEST(RfcRequestTest, ReadChunkedRejectsAtTheFirstImpossibleByte) {
  const ChunkedBody bad = ReadChunked("5;a b", http::Limits());
  EXPECT_EQ(bad.end, End::kRejected);
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(ReadChunked("5;a ", http::Limits()).end, End::kIncomplete);
  const ChunkedBody good = ReadChunked("3\r\nabc\r\n0\r\n\r\nrest", http::Limits());
  EXPECT_EQ(good.end, End::kClean);
  EXPECT_EQ(good.data, "abc");
  EXPECT_EQ(good.size, 13u);
}

TEST(RfcRequestTest, RequestLineLimits) {
  http::Limits limits;
  limits.max_request_line = 20;
  const std::string line = "GET /" + std::string(8, 'a') + " HTTP/1.1\r\n";  // 24 bytes
  EXPECT_EQ(StatusOf(line + "Host: a\r\n\r\n", limits), 414);
  EXPECT_EQ(StatusOf("GET /" + std::string(15, 'a'), limits), 414);  // 20 bytes, no CRLF yet
  EXPECT_EQ(StatusOf("GET /" + std::string(14, 'a'), limits), -1);
  EXPECT_EQ(StatusOf("GET /aa HTTP/1.1\r\nHost: a\r\n\r\n", limits), 0);  // 18 + 2
  // An ignored leading empty line does not count.
  EXPECT_EQ(StatusOf("\r\nGET /aa HTTP/1.1\r\nHost: a\r\n\r\n", limits), 0);
  limits.max_method = 7;
  EXPECT_EQ(StatusOf("PROPFIND / HTTP/1.1\r\nHost: a\r\n\r\n", limits), 501);
  EXPECT_EQ(StatusOf("PROPFIN", limits), -1);
  EXPECT_EQ(StatusOf("PROPFIND", limits), 501);
  EXPECT_EQ(StatusOf("OPTIONS / HTTP/1.1\r\nHost: a\r\n\r\n", limits), 0);
}

TEST(RfcRequestTest, HeaderSectionLimits) {
  http::Limits limits;
  limits.max_header_section = 20;
  limits.max_fields = 2;
  EXPECT_EQ(StatusOf("GET / HTTP/1.1\r\nHost: a\r\nX: 1234\r\n\r\n", limits), 0);  // 9 + 9 + 2
  EXPECT_EQ(StatusOf("GET / HTTP/1.1\r\nHost: a\r\nX: 12345\r\n\r\n", limits), 431);
  EXPECT_EQ(StatusOf("GET / HTTP/1.1\r\nHost: a\r\nX: 12345678901", limits), 431);  // proven
  EXPECT_EQ(StatusOf("GET / HTTP/1.1\r\nHost: a\r\nX: 1234", limits), -1);
  EXPECT_EQ(StatusOf("GET / HTTP/1.1\r\nHost: a\r\nA:\r\nB:\r\n\r\n", limits), 431);
  // A line end and obs-fold come before the field count; the content after it.
  EXPECT_EQ(StatusOf("GET / HTTP/1.1\r\nHost: a\r\nA:\r\n B:\r\n\r\n", limits), 400);
  EXPECT_EQ(StatusOf("GET / HTTP/1.1\r\nHost: a\r\nA:\r\nB\n\r\n", limits), 400);
  EXPECT_EQ(StatusOf("GET / HTTP/1.1\r\nHost: a\r\nA:\r\nB\r\n\r\n", limits), 431);
}

TEST(RfcRequestTest, DecodedPath) {
  const Reading reading =
      ReadAll(WithTarget("GET", "/%65ch%6F?x=%41") + WithTarget("GET", "http://h/echo?y") +
              WithTarget("OPTIONS", "*"));
  ASSERT_EQ(reading.end, End::kClean);
  EXPECT_EQ(DecodedPath(reading.requests[0]), "/echo");
  EXPECT_EQ(DecodedPath(reading.requests[1]), "/echo");
  EXPECT_EQ(DecodedPath(reading.requests[2]), "");
}

}  // namespace
}  // namespace parley::fuzz::rfc
