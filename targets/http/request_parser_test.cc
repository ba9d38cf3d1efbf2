#include "targets/http/request_parser.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <ostream>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "harness/testing/allocation_counter.h"
#include "harness/testing/guarded_buffer.h"

namespace parley::http {
namespace {

using namespace std::string_literals;

// Everything a parse produced, copied out of the parser so results can be compared.
struct Outcome {
  ParseStatus status = ParseStatus::kIncomplete;
  ParseError error = ParseError::kNone;
  std::string method;
  std::string target;
  TargetForm form = TargetForm::kOrigin;
  int minor = 0;
  std::vector<std::pair<std::string, std::string>> fields;
  std::string host;
  BodyFraming framing = BodyFraming::kNone;
  std::uint64_t content_length = 0;
  bool keep_alive = false;
  Expectation expect = Expectation::kNone;
  std::size_t head_size = 0;

  bool operator==(const Outcome&) const = default;
};

std::ostream& operator<<(std::ostream& out, const Outcome& o) {
  out << "status=" << int(o.status) << " error=" << ErrorText(o.error);
  if (o.status != ParseStatus::kComplete) return out;
  out << " method=" << o.method << " target=" << o.target << " form=" << int(o.form)
      << " minor=" << o.minor << " host=" << o.host << " framing=" << int(o.framing)
      << " content_length=" << o.content_length << " keep_alive=" << o.keep_alive
      << " expect=" << int(o.expect) << " head_size=" << o.head_size << " fields=";
  for (const auto& [name, value] : o.fields)
    out << "[" << name << ": " << value << "]";
  return out;
}

Outcome Capture(ParseStatus status, const RequestParser& parser) {
  Outcome o;
  o.status = status;
  o.error = parser.error();
  if (status != ParseStatus::kComplete) return o;
  const RequestHead& head = parser.head();
  o.method = head.method;
  o.target = head.target;
  o.form = head.target_form;
  o.minor = head.version_minor;
  for (const Field& field : head.fields)
    o.fields.emplace_back(field.name, field.value);
  o.host = head.host;
  o.framing = head.framing;
  o.content_length = head.content_length;
  o.keep_alive = head.keep_alive;
  o.expect = head.expect;
  o.head_size = parser.head_size();
  return o;
}

// Feeds `request` so the parser sees the prefixes ending at `ends` (ascending), each copied to
// the end of a page followed by an unreadable page. Stops at the first final status.
Outcome FeedWith(internal::FieldScanIsa isa, std::string_view request,
                 const std::vector<std::size_t>& ends, const Limits& limits) {
  RequestParser parser(limits, isa);
  test::GuardedBuffer buffer;
  ParseStatus status = ParseStatus::kIncomplete;
  for (std::size_t end : ends) {
    status = parser.Parse(buffer.Assign(request.substr(0, end)));
    if (status != ParseStatus::kIncomplete) break;
  }
  return Capture(status, parser);
}

// FeedWith the widest field scan this CPU runs; every narrower one must give the same outcome.
Outcome Feed(std::string_view request, const std::vector<std::size_t>& ends, const Limits& limits) {
  const internal::FieldScanIsa best = internal::BestFieldScanIsa();
  const Outcome outcome = FeedWith(best, request, ends, limits);
  for (internal::FieldScanIsa isa :
       {internal::FieldScanIsa::kPortable, internal::FieldScanIsa::kSse2,
        internal::FieldScanIsa::kSsse3}) {
    if (isa == best || internal::FieldScanFor(isa) == nullptr) continue;
    EXPECT_EQ(FeedWith(isa, request, ends, limits), outcome)
        << internal::FieldScanIsaName(isa) << " and " << internal::FieldScanIsaName(best)
        << " differ";
  }
  return outcome;
}

// Parses `request` whole, in two pieces split at every point, and one byte at a time; every
// way must give the same outcome. Returns it. Requests longer than a few KiB, which only the
// limit tests use, are split at every point near their start and end and every 61st between.
Outcome ParseEveryWay(std::string_view request, const Limits& limits = Limits()) {
  const Outcome whole = Feed(request, {request.size()}, limits);
  constexpr std::size_t kEverySplit = 4096;
  for (std::size_t at = 1; at < request.size(); ++at) {
    if (request.size() > kEverySplit && at > 256 && at + 256 < request.size() && at % 61 != 0) {
      continue;
    }
    const Outcome split = Feed(request, {at, request.size()}, limits);
    EXPECT_EQ(split, whole) << "split at " << at;
    if (split != whole) break;
  }
  std::vector<std::size_t> bytewise;
  for (std::size_t end = 1; end <= request.size(); ++end)
    bytewise.push_back(end);
  EXPECT_EQ(Feed(request, bytewise, limits), whole) << "byte by byte";
  return whole;
}

std::string Printable(std::string_view bytes) {
  std::string out;
  for (unsigned char c : bytes) {
    if (c == '\r') {
      out += "\\r";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c < 0x20 || c >= 0x7f) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += char(c);
    }
  }
  return out;
}

struct Rejected {
  std::string request;
  ParseError error;
  int status;
};

void ExpectRejected(const std::vector<Rejected>& cases, const Limits& limits = Limits()) {
  for (const Rejected& c : cases) {
    SCOPED_TRACE(Printable(c.request));
    const Outcome outcome = ParseEveryWay(c.request, limits);
    EXPECT_EQ(outcome.status, ParseStatus::kError);
    EXPECT_EQ(ErrorText(outcome.error), ErrorText(c.error));
    EXPECT_EQ(ErrorStatus(outcome.error), c.status);
  }
}

Outcome ExpectComplete(std::string_view request, const Limits& limits = Limits()) {
  SCOPED_TRACE(Printable(request));
  const Outcome outcome = ParseEveryWay(request, limits);
  EXPECT_EQ(outcome.status, ParseStatus::kComplete) << ErrorText(outcome.error);
  return outcome;
}

const std::string kHost = "Host: a\r\n";
const std::string kEnd = "\r\n";

// --- request line --------------------------------------------------------------------------

TEST(HttpRequestParser, RequestLineForms) {
  struct Case {
    std::string line;
    std::string method;
    std::string target;
    TargetForm form;
    int minor;
  };
  const std::vector<Case> cases = {
      {"GET / HTTP/1.1", "GET", "/", TargetForm::kOrigin, 1},
      {"GET /a/b?c=d&e=%20f HTTP/1.1", "GET", "/a/b?c=d&e=%20f", TargetForm::kOrigin, 1},
      {"GET /p;x=1/:@!$&'()*+,=-._~ HTTP/1.1", "GET", "/p;x=1/:@!$&'()*+,=-._~",
       TargetForm::kOrigin, 1},
      {"GET /?q=/?:@ HTTP/1.1", "GET", "/?q=/?:@", TargetForm::kOrigin, 1},
      {"GET //two HTTP/1.1", "GET", "//two", TargetForm::kOrigin, 1},
      {"OPTIONS * HTTP/1.1", "OPTIONS", "*", TargetForm::kAsterisk, 1},
      {"OPTIONS /x HTTP/1.1", "OPTIONS", "/x", TargetForm::kOrigin, 1},
      {"GET http://example.com/x?y HTTP/1.1", "GET", "http://example.com/x?y",
       TargetForm::kAbsolute, 1},
      {"GET HTTPS://Example.com:8443 HTTP/1.1", "GET", "HTTPS://Example.com:8443",
       TargetForm::kAbsolute, 1},
      {"GET http://[::1]:80/ HTTP/1.1", "GET", "http://[::1]:80/", TargetForm::kAbsolute, 1},
      {"GET http://example.com?x HTTP/1.1", "GET", "http://example.com?x", TargetForm::kAbsolute,
       1},
      {"CONNECT example.com:443 HTTP/1.1", "CONNECT", "example.com:443", TargetForm::kAuthority, 1},
      {"CONNECT [2001:db8::1]:443 HTTP/1.1", "CONNECT", "[2001:db8::1]:443", TargetForm::kAuthority,
       1},
      {"CONNECT 127.0.0.1:8080 HTTP/1.1", "CONNECT", "127.0.0.1:8080", TargetForm::kAuthority, 1},
      {"M-SEARCH /x HTTP/1.1", "M-SEARCH", "/x", TargetForm::kOrigin, 1},
      {"get / HTTP/1.1", "get", "/", TargetForm::kOrigin, 1},
      {"GET / HTTP/1.0", "GET", "/", TargetForm::kOrigin, 0},
      {"GET / HTTP/1.9", "GET", "/", TargetForm::kOrigin, 9},
  };
  for (const Case& c : cases) {
    const Outcome o = ExpectComplete(c.line + "\r\n" + kHost + kEnd);
    EXPECT_EQ(o.method, c.method);
    EXPECT_EQ(o.target, c.target);
    EXPECT_EQ(o.form, c.form);
    EXPECT_EQ(o.minor, c.minor);
  }
}

TEST(HttpRequestParser, IgnoresOneLeadingEmptyLine) {
  const std::string request = "\r\nGET /x HTTP/1.1\r\n" + kHost + kEnd;
  const Outcome o = ExpectComplete(request);
  EXPECT_EQ(o.method, "GET");
  EXPECT_EQ(o.target, "/x");
  EXPECT_EQ(o.head_size, request.size());
  ExpectRejected({
      {"\r\n\r\nGET / HTTP/1.1\r\n" + kHost + kEnd, ParseError::kMalformedRequestLine, 400},
      {"\n" + ("GET / HTTP/1.1\r\n" + kHost + kEnd), ParseError::kBareLf, 400},
  });
}

TEST(HttpRequestParser, RejectsBadRequestLines) {
  std::vector<Rejected> cases = {
      {"GET  / HTTP/1.1", ParseError::kMalformedRequestLine, 400},
      {"GET /  HTTP/1.1", ParseError::kMalformedRequestLine, 400},
      {"GET / HTTP/1.1 ", ParseError::kMalformedRequestLine, 400},
      {"GET / ", ParseError::kMalformedRequestLine, 400},
      {"GET /", ParseError::kMalformedRequestLine, 400},
      {"GET", ParseError::kMalformedRequestLine, 400},
      {"GET /a b HTTP/1.1", ParseError::kMalformedRequestLine, 400},
      {" GET / HTTP/1.1", ParseError::kInvalidMethod, 400},
      {"GET\t/ HTTP/1.1", ParseError::kInvalidMethod, 400},
      {"G(T / HTTP/1.1", ParseError::kInvalidMethod, 400},
      {"G\x00T / HTTP/1.1"s, ParseError::kInvalidMethod, 400},
      {"GET / http/1.1", ParseError::kInvalidVersion, 400},
      {"GET / HTTP/1", ParseError::kInvalidVersion, 400},
      {"GET / HTTP/1.1.1", ParseError::kInvalidVersion, 400},
      {"GET / HTTP/11.1", ParseError::kInvalidVersion, 400},
      {"GET / HTTPS/1.1", ParseError::kInvalidVersion, 400},
      {"GET / HTTP/2", ParseError::kInvalidVersion, 400},
      {"GET / HTTP/1.x", ParseError::kInvalidVersion, 400},
      {"GET / HTTP/2.0", ParseError::kUnsupportedVersion, 505},
      {"GET / HTTP/3.0", ParseError::kUnsupportedVersion, 505},
      {"GET / HTTP/0.9", ParseError::kUnsupportedVersion, 505},
      {"GET /a#frag HTTP/1.1", ParseError::kInvalidTarget, 400},
      {"GET /\x01 HTTP/1.1", ParseError::kInvalidTarget, 400},
      {"GET /\x7f HTTP/1.1", ParseError::kInvalidTarget, 400},
      {"GET /\xc3\xa9 HTTP/1.1", ParseError::kInvalidTarget, 400},
      {"GET /a\tb HTTP/1.1", ParseError::kInvalidTarget, 400},
      {"GET /%zz HTTP/1.1", ParseError::kInvalidTarget, 400},
      {"GET /%4 HTTP/1.1", ParseError::kInvalidTarget, 400},
      {"GET /% HTTP/1.1", ParseError::kInvalidTarget, 400},
      {"GET /[x] HTTP/1.1", ParseError::kInvalidTarget, 400},
      {"GET http:// HTTP/1.1", ParseError::kInvalidTarget, 400},
      {"GET http:///x HTTP/1.1", ParseError::kInvalidTarget, 400},
      {"GET http://user@host/ HTTP/1.1", ParseError::kInvalidTarget, 400},
      {"GET http://host:99999/ HTTP/1.1", ParseError::kInvalidTarget, 400},
      {"GET http://host:/ HTTP/1.1", ParseError::kInvalidTarget, 400},
      {"GET http://[::1/ HTTP/1.1", ParseError::kInvalidTarget, 400},
      {"GET http://h/[x] HTTP/1.1", ParseError::kInvalidTarget, 400},
      {"GET http://[zz]/ HTTP/1.1", ParseError::kInvalidTarget, 400},
      {"CONNECT [zz]:1 HTTP/1.1", ParseError::kInvalidTarget, 400},
      {"GET http://h/%g0 HTTP/1.1", ParseError::kInvalidTarget, 400},
      {"CONNECT example.com HTTP/1.1", ParseError::kInvalidTarget, 400},
      {"CONNECT example.com: HTTP/1.1", ParseError::kInvalidTarget, 400},
      {"CONNECT :443 HTTP/1.1", ParseError::kInvalidTarget, 400},
      {"CONNECT a@b:443 HTTP/1.1", ParseError::kInvalidTarget, 400},
      {"GET * HTTP/1.1", ParseError::kInvalidTargetForm, 400},
      {"OPTIONS *x HTTP/1.1", ParseError::kInvalidTargetForm, 400},
      {"GET example.com:80 HTTP/1.1", ParseError::kInvalidTargetForm, 400},
      {"GET example.com HTTP/1.1", ParseError::kInvalidTargetForm, 400},
      {"GET ftp://x/ HTTP/1.1", ParseError::kInvalidTargetForm, 400},
      {"CONNECT / HTTP/1.1", ParseError::kInvalidTargetForm, 400},
      {"CONNECT * HTTP/1.1", ParseError::kInvalidTargetForm, 400},
      {"CONNECT http://x:80/ HTTP/1.1", ParseError::kInvalidTargetForm, 400},
      {"GET /\r HTTP/1.1", ParseError::kBareCr, 400},
      {"GET / HTTP/1.1\r", ParseError::kBareCr, 400},
      {"GE\rT / HTTP/1.1", ParseError::kBareCr, 400},
  };
  for (const char c : std::string_view("\"<>\\^`{|}")) {
    cases.push_back({"GET /"s + c + " HTTP/1.1", ParseError::kInvalidTarget, 400});
  }
  for (Rejected& c : cases)
    c.request += "\r\n" + kHost + kEnd;
  cases.push_back({"GET / HTTP/1.1\n" + kHost + kEnd, ParseError::kBareLf, 400});
  ExpectRejected(cases);
}

// --- fields --------------------------------------------------------------------------------

TEST(HttpRequestParser, FieldLines) {
  using Fields = std::vector<std::pair<std::string, std::string>>;
  const std::vector<std::pair<std::string, Fields>> cases = {
      {"Host: a\r\nX: y\r\n", {{"Host", "a"}, {"X", "y"}}},
      {"Host:a\r\n", {{"Host", "a"}}},
      {"Host: \t a \t \r\n", {{"Host", "a"}}},
      {"Host: a\r\nX-Empty:\r\nY:   \r\n", {{"Host", "a"}, {"X-Empty", ""}, {"Y", ""}}},
      {"Host: a\r\nX: a  b\tc\r\n", {{"Host", "a"}, {"X", "a  b\tc"}}},
      {"Host: a\r\nX: \x80\xff obs-text\r\n", {{"Host", "a"}, {"X", "\x80\xff obs-text"}}},
      {"Host: a\r\n!#$%&'*+-.^_`|~09aZ: v\r\n", {{"Host", "a"}, {"!#$%&'*+-.^_`|~09aZ", "v"}}},
      {"Host: a\r\nX: \"q\" (c) <>{}[]\\:;,\r\n", {{"Host", "a"}, {"X", "\"q\" (c) <>{}[]\\:;,"}}},
      {"X: 1\r\nhOsT: a\r\nX: 2\r\n", {{"X", "1"}, {"hOsT", "a"}, {"X", "2"}}},
  };
  for (const auto& [fields, expected] : cases) {
    const Outcome o = ExpectComplete("GET / HTTP/1.1\r\n" + fields + kEnd);
    EXPECT_EQ(o.fields, expected);
    EXPECT_EQ(o.host, "a");
  }
}

TEST(HttpRequestParser, RejectsBadFieldLines) {
  std::vector<Rejected> cases = {
      {" X: y\r\n" + kHost, ParseError::kObsFold, 400},
      {"\tX: y\r\n" + kHost, ParseError::kObsFold, 400},
      {kHost + "X: y\r\n folded\r\n", ParseError::kObsFold, 400},
      {kHost + "X: y\r\n\tfolded\r\n", ParseError::kObsFold, 400},
      {kHost + "X : y\r\n", ParseError::kWhitespaceBeforeColon, 400},
      {kHost + "X\t: y\r\n", ParseError::kWhitespaceBeforeColon, 400},
      {kHost + ": y\r\n", ParseError::kInvalidFieldName, 400},
      {kHost + "X(: y\r\n", ParseError::kInvalidFieldName, 400},
      {kHost + "X\x01: y\r\n", ParseError::kInvalidFieldName, 400},
      {kHost + "\xc3\xa9: y\r\n", ParseError::kInvalidFieldName, 400},
      {kHost + "X\"y\": z\r\n", ParseError::kInvalidFieldName, 400},
      {kHost + "Xy\r\n", ParseError::kMissingColon, 400},
      {kHost + "X: a\x00b\r\n"s, ParseError::kInvalidFieldValue, 400},
      {kHost + "X: a\x0b b\r\n", ParseError::kInvalidFieldValue, 400},
      {kHost + "X: a\x0c b\r\n", ParseError::kInvalidFieldValue, 400},
      {kHost + "X: a\x7f b\r\n", ParseError::kInvalidFieldValue, 400},
      {kHost + "X: a\x1b b\r\n", ParseError::kInvalidFieldValue, 400},
      {kHost + "X: \x00\r\n"s, ParseError::kInvalidFieldValue, 400},
      {kHost + "X: a\rb\r\n", ParseError::kBareCr, 400},
      {kHost + "X: a\r\r\n", ParseError::kBareCr, 400},
      {kHost + "X\r: a\r\n", ParseError::kBareCr, 400},
      {kHost + "\r\r\n", ParseError::kBareCr, 400},
      {kHost + "X: a\n", ParseError::kBareLf, 400},
      {kHost + "X: a\r\n\n", ParseError::kBareLf, 400},
  };
  for (Rejected& c : cases)
    c.request = "GET / HTTP/1.1\r\n" + c.request + kEnd;
  ExpectRejected(cases);
}

TEST(HttpRequestParser, Host) {
  const std::vector<std::string> valid = {
      "example.com", "example.com:8080", "[::1]:80", "[v1.x]", "127.0.0.1", "a%20b",
      "xn--bcher-kva.example", "a,b", "x:65535", "A.EXAMPLE.",
      // IP literals (RFC 3986 section 3.2.2): every form of IPv6address, and IPvFuture.
      "[1:2:3:4:5:6:7:8]", "[::]", "[::1]", "[1::]", "[1:2:3:4:5:6:7::]", "[::2:3:4:5:6:7:8]",
      "[fe80::1:2]:443", "[::ffff:192.0.2.1]", "[1:2:3:4:5:6:1.2.3.4]", "[ABCD::ef01]",
      "[V1F.a:b!$]"};
  for (const std::string& host : valid) {
    const Outcome o = ExpectComplete("GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
    EXPECT_EQ(o.host, host);
  }
  std::vector<Rejected> cases = {
      {"GET / HTTP/1.1\r\nX: y\r\n\r\n", ParseError::kMissingHost, 400},
      {"GET / HTTP/1.1\r\n\r\n", ParseError::kMissingHost, 400},
      {"GET / HTTP/1.1\r\nHost: a\r\nhost: a\r\n\r\n", ParseError::kDuplicateHost, 400},
      {"GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", ParseError::kDuplicateHost, 400},
  };
  for (const std::string host :
       {"", "a b", "a@b", "a:b", "a:99999", "a:", ":80", "a/b", "[::1", "[]", "[::1]x", "a%2",
        "a:80:80", "a?b", "a#b",
        // Brackets hold an IPv6address or IPvFuture, nothing else.
        "[zz]", "[:]", "[1:2:3:4:5:6:7:8:9]", "[1:2:3:4:5:6:7]", "[::1.2.3.256]", "[::1.2.3]",
        "[::01.2.3.4]", "[1::2::3]", "[:::]", "[12345::]", "[1.2.3.4::]", "[::1.2.3.4:5]",
        "[1:2:3:4:5:6:7:8::]", "[v1]", "[v.x]", "[vz.x]", "[v1.]", "[a:b]"}) {
    cases.push_back(
        {"GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n", ParseError::kInvalidHost, 400});
  }
  ExpectRejected(cases);
  const Outcome http10 = ExpectComplete("GET / HTTP/1.0\r\n\r\n");
  EXPECT_EQ(http10.host, "");
  EXPECT_TRUE(http10.fields.empty());
}

// --- framing -------------------------------------------------------------------------------

// Host names long enough for the vector searches: every byte at every position of a block,
// judged alike by every field scan (Feed compares them).
TEST(HttpRequestParser, LongHosts) {
  for (const std::string host :
       {"www.kittyhell.com", "a-very-long-host-name.example.com:8080", "long%41name.example.org",
        "sub_domain~with!sub$delims&'()*+,;=.example"}) {
    EXPECT_EQ(ExpectComplete("GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n").host, host);
  }
  for (const std::string host : {"long-host-name.example%4z", "long-host-name.example x",
                                 "long-host-name.example:99999", "long-host-name.example%"}) {
    ExpectRejected(
        {{"GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n", ParseError::kInvalidHost, 400}});
  }
  for (int byte = 0x21; byte < 0x100; ++byte) {
    for (std::size_t at : {0u, 5u, 15u, 16u, 17u, 31u, 32u, 40u}) {
      std::string host = std::string(at, 'h') + static_cast<char>(byte) + "41.example";
      const std::string request = "GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n";
      Feed(request, {request.size()}, Limits());
    }
  }
}

TEST(HttpRequestParser, Framing) {
  struct Case {
    std::string fields;
    BodyFraming framing;
    std::uint64_t content_length;
  };
  const std::vector<Case> cases = {
      {"", BodyFraming::kNone, 0},
      {"Content-Length: 5\r\n", BodyFraming::kContentLength, 5},
      {"Content-Length: 0\r\n", BodyFraming::kContentLength, 0},
      {"content-length: 7\r\n", BodyFraming::kContentLength, 7},
      {"Content-Length: 010\r\n", BodyFraming::kContentLength, 10},
      {"Content-Length: 5, 5\r\n", BodyFraming::kContentLength, 5},
      {"Content-Length: 5,5 ,  5\r\n", BodyFraming::kContentLength, 5},
      {"Content-Length: 5\r\nContent-Length: 5\r\n", BodyFraming::kContentLength, 5},
      {"Content-Length: 18446744073709551615\r\n", BodyFraming::kContentLength,
       18446744073709551615u},
      {"Transfer-Encoding: chunked\r\n", BodyFraming::kChunked, 0},
      {"Transfer-Encoding: Chunked\r\n", BodyFraming::kChunked, 0},
      {"transfer-encoding: CHUNKED\r\n", BodyFraming::kChunked, 0},
      {"Transfer-Encoding: ,chunked\r\n", BodyFraming::kChunked, 0},
      {"Transfer-Encoding: chunked,\r\n", BodyFraming::kChunked, 0},
      {"Transfer-Encoding: , ,\tchunked , \r\n", BodyFraming::kChunked, 0},
  };
  for (const Case& c : cases) {
    const Outcome o = ExpectComplete("POST / HTTP/1.1\r\n" + kHost + c.fields + kEnd);
    EXPECT_EQ(o.framing, c.framing);
    EXPECT_EQ(o.content_length, c.content_length);
  }
}

TEST(HttpRequestParser, RejectsBadFraming) {
  std::vector<Rejected> cases;
  for (const std::string value :
       {"+5", "-1", "0x5", "5.0", "1e3", "5 5", "", " ", "5,", ",5", "5,,5", "five", "\"5\""}) {
    cases.push_back({"Content-Length: " + value + "\r\n", ParseError::kInvalidContentLength, 400});
  }
  for (const std::string value : {"18446744073709551616", "99999999999999999999999"}) {
    cases.push_back({"Content-Length: " + value + "\r\n", ParseError::kContentLengthOverflow, 400});
  }
  const std::vector<Rejected> more = {
      {"Content-Length: 5, 6\r\n", ParseError::kConflictingContentLength, 400},
      {"Content-Length: 5\r\nContent-Length: 6\r\n", ParseError::kConflictingContentLength, 400},
      {"Transfer-Encoding: gzip\r\n", ParseError::kChunkedNotFinal, 400},
      {"Transfer-Encoding: xchunked\r\n", ParseError::kChunkedNotFinal, 400},
      {"Transfer-Encoding: chunked, gzip\r\n", ParseError::kChunkedNotFinal, 400},
      {"Transfer-Encoding: chunked, identity\r\n", ParseError::kChunkedNotFinal, 400},
      {"Transfer-Encoding: chunked, chunked\r\n", ParseError::kChunkedNotFinal, 400},
      {"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", ParseError::kChunkedNotFinal,
       400},
      {"Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n", ParseError::kChunkedNotFinal,
       400},
      {"Transfer-Encoding: gzip, chunked\r\n", ParseError::kUnsupportedTransferCoding, 501},
      {"Transfer-Encoding: identity, chunked\r\n", ParseError::kUnsupportedTransferCoding, 501},
      {"Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n",
       ParseError::kUnsupportedTransferCoding, 501},
      {"Transfer-Encoding: \r\n", ParseError::kInvalidTransferEncoding, 400},
      {"Transfer-Encoding: ,\r\n", ParseError::kInvalidTransferEncoding, 400},
      {"Transfer-Encoding: ,\r\nTransfer-Encoding: chunked\r\n",
       ParseError::kInvalidTransferEncoding, 400},
      {"Transfer-Encoding: chunked;q=1\r\n", ParseError::kInvalidTransferEncoding, 400},
      {"Transfer-Encoding: chun ked\r\n", ParseError::kInvalidTransferEncoding, 400},
      {"Transfer-Encoding: \"chunked\"\r\n", ParseError::kInvalidTransferEncoding, 400},
      {"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
       ParseError::kContentLengthWithTransferEncoding, 400},
      {"Transfer-Encoding: chunked\r\nContent-Length: 5\r\n",
       ParseError::kContentLengthWithTransferEncoding, 400},
      {"Transfer-Encoding: gzip\r\nContent-Length: 5\r\n",
       ParseError::kContentLengthWithTransferEncoding, 400},
  };
  cases.insert(cases.end(), more.begin(), more.end());
  for (Rejected& c : cases)
    c.request = "POST / HTTP/1.1\r\n" + kHost + c.request + kEnd;
  cases.push_back({"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n",
                   ParseError::kTransferEncodingInHttp10, 400});
  cases.push_back({"POST / HTTP/1.0\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
                   ParseError::kTransferEncodingInHttp10, 400});
  ExpectRejected(cases);

  // Equal values compare by number: "5" and "05" agree.
  const Outcome o = ExpectComplete("POST / HTTP/1.1\r\n" + kHost +
                                   "Content-Length: 5\r\nContent-Length: 05\r\n" + kEnd);
  EXPECT_EQ(o.content_length, 5u);
}

// --- connection and expectations -----------------------------------------------------------

TEST(HttpRequestParser, KeepAlive) {
  const std::vector<std::pair<std::string, bool>> cases = {
      {"GET / HTTP/1.1\r\nHost: a\r\n\r\n", true},
      {"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", false},
      {"GET / HTTP/1.1\r\nHost: a\r\nConnection: Close\r\n\r\n", false},
      {"GET / HTTP/1.1\r\nHost: a\r\nConnection: upgrade, CLOSE\r\n\r\n", false},
      {"GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive\r\n\r\n", true},
      {"GET / HTTP/1.1\r\nHost: a\r\nConnection: closed\r\n\r\n", true},
      {"GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n", false},
      {"GET / HTTP/1.0\r\n\r\n", false},
      {"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", true},
      {"GET / HTTP/1.0\r\nconnection: Keep-Alive\r\n\r\n", true},
      {"GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n", false},
      {"GET / HTTP/1.0\r\nConnection: ,,keep-alive,\r\n\r\n", true},
  };
  for (const auto& [request, keep_alive] : cases) {
    EXPECT_EQ(ExpectComplete(request).keep_alive, keep_alive) << Printable(request);
  }
}

TEST(HttpRequestParser, Expect) {
  const std::vector<std::pair<std::string, Expectation>> cases = {
      {"", Expectation::kNone},
      {"Expect: 100-continue\r\n", Expectation::kContinue},
      {"expect: 100-Continue\r\n", Expectation::kContinue},
      {"Expect:\r\n", Expectation::kNone},
      {"Expect: 100-continue, 100-continue\r\n", Expectation::kContinue},
      {"Expect: foo\r\n", Expectation::kUnsupported},
      {"Expect: 100-continue, foo\r\n", Expectation::kUnsupported},
      {"Expect: foo\r\nExpect: 100-continue\r\n", Expectation::kUnsupported},
      {"Expect: 200-ok\r\n", Expectation::kUnsupported},
  };
  EXPECT_EQ(ExpectComplete("POST / HTTP/1.0\r\nExpect: 100-continue\r\n\r\n").expect,
            Expectation::kNone);
  EXPECT_EQ(ExpectComplete("POST / HTTP/1.0\r\nExpect: foo\r\n\r\n").expect,
            Expectation::kUnsupported);
  for (const auto& [fields, expect] : cases) {
    const std::string request = "POST / HTTP/1.1\r\n" + kHost + fields + kEnd;
    EXPECT_EQ(ExpectComplete(request).expect, expect) << Printable(request);
  }
}

// --- limits --------------------------------------------------------------------------------

TEST(HttpRequestParser, RequestLineLimit) {
  Limits limits;
  limits.max_request_line = 32;
  const auto line = [](std::size_t size) {
    return "GET /" + std::string(size - 16, 'a') + " HTTP/1.1\r\n";
  };
  ASSERT_EQ(line(32).size(), 32u);
  ExpectComplete(line(32) + kHost + kEnd, limits);
  ExpectRejected(
      {
          {line(33) + kHost + kEnd, ParseError::kRequestLineTooLong, 414},
          {line(33), ParseError::kRequestLineTooLong, 414},
          {"GET /" + std::string(27, 'a'), ParseError::kRequestLineTooLong, 414},
          {"GET /" + std::string(27, '\x01'), ParseError::kRequestLineTooLong, 414},
          {"GET /\x01" + std::string(40, 'a') + "\r\n", ParseError::kRequestLineTooLong, 414},
          {"\r\n" + line(33), ParseError::kRequestLineTooLong, 414},
      },
      limits);
  // One byte short of the limit without a line end is not yet too long.
  EXPECT_EQ(ParseEveryWay("GET /" + std::string(26, 'a'), limits).status, ParseStatus::kIncomplete);
  // The ignored empty line does not count.
  ExpectComplete("\r\n" + line(32) + kHost + kEnd, limits);

  const std::string longest = "GET /" + std::string(8 * 1024 - 16, 'a') + " HTTP/1.1\r\n";
  ExpectComplete(longest + kHost + kEnd);
  ExpectRejected(
      {{"GET /a" + longest.substr(5) + kHost + kEnd, ParseError::kRequestLineTooLong, 414}});
}

TEST(HttpRequestParser, MethodLimit) {
  Limits limits;
  limits.max_method = 7;
  ExpectComplete("OPTIONS * HTTP/1.1\r\n" + kHost + kEnd, limits);
  ExpectComplete("\r\nDELETE / HTTP/1.1\r\n" + kHost + kEnd, limits);
  ExpectRejected(
      {
          // Decided as soon as the eighth byte arrives, whatever follows.
          {"PROPFIND / HTTP/1.1\r\n" + kHost + kEnd, ParseError::kMethodTooLong, 501},
          {"PROPFIND", ParseError::kMethodTooLong, 501},
          {"\r\nPROPFIND", ParseError::kMethodTooLong, 501},
          {"PROPFIND\r\n", ParseError::kMethodTooLong, 501},
          {"PROPFIND\x01 / HTTP/1.1\r\n", ParseError::kMethodTooLong, 501},
          // Before the line's end is looked at: it may not have arrived.
          {"PROPFIND / HTTP/1.1\n", ParseError::kMethodTooLong, 501},
          {"PROPFIND / HTTP/1.1\r\r\n", ParseError::kMethodTooLong, 501},
          // A method that ends in time is judged with the whole line.
          {"G\x01" + std::string(20, 'A') + " / HTTP/1.1\r\n", ParseError::kInvalidMethod, 400},
          {"GET\x01" + std::string(20, 'A') + " / HTTP/1.1\r\n", ParseError::kInvalidMethod, 400},
          {"BREW " + std::string(20, 'A') + "\r\n", ParseError::kMalformedRequestLine, 400},
      },
      limits);
  EXPECT_EQ(ParseEveryWay("OPTIONS", limits).status, ParseStatus::kIncomplete);
  EXPECT_EQ(ParseEveryWay("\r\nOPTIONS", limits).status, ParseStatus::kIncomplete);

  // By default 32 bytes: a method of 9000 bytes is 501, not 414.
  ExpectComplete(std::string(32, 'M') + " / HTTP/1.1\r\n" + kHost + kEnd);
  ExpectRejected({
      {std::string(33, 'M') + " / HTTP/1.1\r\n" + kHost + kEnd, ParseError::kMethodTooLong, 501},
      {std::string(9000, 'M'), ParseError::kMethodTooLong, 501},
  });

  // A line limit nearer than the method's leaves the method's unused.
  limits.max_method = 32;
  limits.max_request_line = 16;
  ExpectRejected({{std::string(40, 'M'), ParseError::kRequestLineTooLong, 414}}, limits);
}

TEST(HttpRequestParser, HeaderSectionLimit) {
  Limits limits;
  limits.max_header_section = 32;
  // 9 + 21 + 2 = 32 bytes of field section.
  const std::string fits = kHost + "X: " + std::string(16, 'v') + "\r\n" + kEnd;
  ASSERT_EQ(fits.size(), 32u);
  ExpectComplete("GET / HTTP/1.1\r\n" + fits, limits);
  const std::string over = kHost + "X: " + std::string(17, 'v') + "\r\n" + kEnd;
  ExpectRejected(
      {
          {"GET / HTTP/1.1\r\n" + over, ParseError::kHeaderSectionTooLarge, 431},
          {"GET / HTTP/1.1\r\n" + kHost + "X: " + std::string(40, 'v'),
           ParseError::kHeaderSectionTooLarge, 431},
          {"GET / HTTP/1.1\r\n" + kHost + "X: " + std::string(40, '\x01'),
           ParseError::kHeaderSectionTooLarge, 431},
          // An error inside the limit comes first.
          {"GET / HTTP/1.1\r\nX y\r\n" + std::string(40, 'v'), ParseError::kWhitespaceBeforeColon,
           400},
      },
      limits);

  const std::string big = "X: " + std::string(16 * 1024 - 2 - 9 - 5, 'v') + "\r\n";
  ExpectComplete("GET / HTTP/1.1\r\n" + kHost + big + kEnd);
  ExpectRejected(
      {{"GET / HTTP/1.1\r\n" + kHost + "Y" + big + kEnd, ParseError::kHeaderSectionTooLarge, 431}});
}

TEST(HttpRequestParser, FieldCountLimit) {
  Limits limits;
  limits.max_fields = 3;
  ExpectComplete("GET / HTTP/1.1\r\nHost: a\r\nB: 1\r\nC: 2\r\n\r\n", limits);
  ExpectRejected({{"GET / HTTP/1.1\r\nHost: a\r\nB: 1\r\nC: 2\r\nD: 3\r\n\r\n",
                   ParseError::kTooManyFields, 431}},
                 limits);

  std::string fields = kHost;
  for (int i = 1; i < 100; ++i)
    fields += "X: " + std::to_string(i) + "\r\n";
  EXPECT_EQ(ExpectComplete("GET / HTTP/1.1\r\n" + fields + kEnd).fields.size(), 100u);
  ExpectRejected(
      {{"GET / HTTP/1.1\r\n" + fields + "Y: 100\r\n" + kEnd, ParseError::kTooManyFields, 431}});
}

// Past the 1024 field lines a parser makes room for up front, its tables grow; a second request
// on the same parser finds them grown.
TEST(HttpRequestParser, FieldTablesGrowPastTheirFirstSize) {
  Limits limits;
  limits.max_fields = 3000;
  limits.max_header_section = 64 * 1024;
  std::string fields = kHost;
  for (int i = 1; i < 2500; ++i)
    fields += "X" + std::to_string(i) + ": " + std::to_string(i) + "\r\n";
  const std::string request = "GET / HTTP/1.1\r\n" + fields + kEnd;
  // Whole and in two pieces only: every split of a request this long would take long.
  const Outcome o = Feed(request, {request.size()}, limits);
  ASSERT_EQ(o.fields.size(), 2500u);
  EXPECT_EQ(o.fields[2499], (std::pair<std::string, std::string>{"X2499", "2499"}));
  EXPECT_EQ(Feed(request, {request.size() / 2, request.size()}, limits), o);
  RequestParser parser(limits);
  for (int round = 0; round < 2; ++round) {
    ASSERT_EQ(parser.Parse(request), ParseStatus::kComplete);
    EXPECT_EQ(parser.head().fields.size(), 2500u);
    EXPECT_EQ(parser.head().fields[1234].value, "1234");
    parser.Reset();
  }
  limits.max_fields = 1500;
  EXPECT_EQ(Feed(request, {request.size()}, limits).error, ParseError::kTooManyFields);
}

// The fields that decide framing are found wherever they stand among many others.
TEST(HttpRequestParser, FramingFieldsAmongManyOthers) {
  std::string others;
  for (int i = 0; i < 30; ++i)
    others += "Xx-" + std::to_string(i) + ": v\r\n";
  const Outcome o =
      ExpectComplete("POST / HTTP/1.1\r\n" + others + "Host: b\r\n" + others +
                     "Connection: close\r\n" + others + "Content-Length: 7\r\n" + kEnd);
  EXPECT_EQ(o.host, "b");
  EXPECT_FALSE(o.keep_alive);
  EXPECT_EQ(o.framing, BodyFraming::kContentLength);
  EXPECT_EQ(o.content_length, 7u);
  ExpectRejected({
      {"GET / HTTP/1.1\r\n" + others + kHost + others + kHost + kEnd, ParseError::kDuplicateHost,
       400},
      {"GET / HTTP/1.1\r\n" + others + others + "Host: a b\r\n" + kEnd, ParseError::kInvalidHost,
       400},
      {"GET / HTTP/1.1\r\n" + kHost + others + "Content-Length: 1\r\nContent-Length: 2\r\n" + kEnd,
       ParseError::kConflictingContentLength, 400},
  });
}

TEST(HttpRequestParser, BareLf) {
  const std::string request = "GET / HTTP/1.1\nHost: a\nX: y\n\n";
  ExpectRejected({{request, ParseError::kBareLf, 400},
                  {"GET / HTTP/1.1\r\nHost: a\r\n\n", ParseError::kBareLf, 400}});
  Limits limits;
  limits.allow_bare_lf = true;
  const Outcome o = ExpectComplete(request, limits);
  EXPECT_EQ(o.host, "a");
  EXPECT_EQ(o.fields,
            (std::vector<std::pair<std::string, std::string>>{{"Host", "a"}, {"X", "y"}}));
  EXPECT_EQ(o.head_size, request.size());
  EXPECT_EQ(ExpectComplete("\nGET / HTTP/1.1\r\nHost: a\n\r\n", limits).head_size, 27u);
  ExpectRejected({{"GET / HTTP/1.1\nHost: a\r\r\n\n", ParseError::kBareCr, 400},
                  {"GET / HTTP/1.1\nHost: a\n\r\r\n", ParseError::kBareCr, 400},
                  {"\n\nGET / HTTP/1.1\nHost: a\n\n", ParseError::kMalformedRequestLine, 400}},
                 limits);
}

// --- incremental use -----------------------------------------------------------------------

TEST(HttpRequestParser, IncompleteUntilTheEmptyLine) {
  for (const std::string request :
       {"", "G", "GET / HTTP/1.1", "GET / HTTP/1.1\r", "GET / HTTP/1.1\r\nHost: a\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\n\r", "\r\n", "\r"}) {
    EXPECT_EQ(ParseEveryWay(request).status, ParseStatus::kIncomplete) << Printable(request);
  }
}

TEST(HttpRequestParser, StopsAtTheEndOfTheHead) {
  const std::string head = "POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\n";
  const Outcome o = ExpectComplete(head + "abcGET \x00 garbage\r\n\r\n"s);
  EXPECT_EQ(o.head_size, head.size());
  EXPECT_EQ(o.content_length, 3u);
}

TEST(HttpRequestParser, ViewsPointIntoTheCallersBuffer) {
  const std::string request = "GET /x HTTP/1.1\r\nHost: h\r\nA: b\r\n\r\n";
  RequestParser parser;
  ASSERT_EQ(parser.Parse(request), ParseStatus::kComplete);
  const RequestHead& head = parser.head();
  const auto inside = [&](std::string_view view) {
    return view.data() >= request.data() &&
           view.data() + view.size() <= request.data() + request.size();
  };
  EXPECT_TRUE(inside(head.method));
  EXPECT_TRUE(inside(head.target));
  EXPECT_TRUE(inside(head.host));
  for (const Field& field : head.fields) {
    EXPECT_TRUE(inside(field.name));
    EXPECT_TRUE(inside(field.value));
  }
}

TEST(HttpRequestParser, BufferMayMoveBetweenCalls) {
  const std::string request = "GET /moved HTTP/1.1\r\nHost: h\r\nA: b\r\n\r\n";
  RequestParser parser;
  std::string received;
  ParseStatus status = ParseStatus::kIncomplete;
  for (char c : request) {
    received.push_back(c);
    received.shrink_to_fit();
    status = parser.Parse(received);
  }
  ASSERT_EQ(status, ParseStatus::kComplete);
  EXPECT_EQ(parser.head().target, "/moved");
  EXPECT_EQ(parser.head().fields[1].value, "b");
  EXPECT_EQ(parser.head().host.data(), received.data() + 27);
}

TEST(HttpRequestParser, ResetParsesThePipelinedNextRequest) {
  const std::string first = "GET /1 HTTP/1.1\r\nHost: a\r\nX: 1\r\n\r\n";
  const std::string second = "GET /2 HTTP/1.0\r\n\r\n";
  const std::string bytes = first + second;
  RequestParser parser;
  ASSERT_EQ(parser.Parse(bytes), ParseStatus::kComplete);
  EXPECT_EQ(parser.head().target, "/1");
  ASSERT_EQ(parser.head_size(), first.size());
  parser.Reset();
  ASSERT_EQ(parser.Parse(std::string_view(bytes).substr(first.size())), ParseStatus::kComplete);
  EXPECT_EQ(parser.head().target, "/2");
  EXPECT_EQ(parser.head().version_minor, 0);
  EXPECT_TRUE(parser.head().fields.empty());
  EXPECT_EQ(parser.head().host, "");
  EXPECT_FALSE(parser.head().keep_alive);
}

TEST(HttpRequestParser, ErrorIsFinalUntilReset) {
  RequestParser parser;
  ASSERT_EQ(parser.Parse("GET / HTTP/2.0\r\n"), ParseStatus::kError);
  EXPECT_EQ(parser.error(), ParseError::kUnsupportedVersion);
  EXPECT_EQ(parser.Parse("GET / HTTP/2.0\r\nHost: a\r\n\r\n"), ParseStatus::kError);
  parser.Reset();
  EXPECT_EQ(parser.error(), ParseError::kNone);
  EXPECT_EQ(parser.Parse("GET / HTTP/1.1\r\nHost: a\r\n\r\n"), ParseStatus::kComplete);
}

// --- reference requests --------------------------------------------------------------------

std::string ReadTestdata(const std::string& name) {
  std::ifstream in(std::string(PARLEY_HTTP_TESTDATA_DIR) + "/" + name, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

TEST(HttpRequestParser, FirefoxReferenceRequest) {
  const std::string request = ReadTestdata("request-firefox-703.http");
  ASSERT_EQ(request.size(), 703u);
  const Outcome o = ExpectComplete(request);
  EXPECT_EQ(o.method, "GET");
  EXPECT_EQ(o.target, "/wp-content/uploads/2010/03/hello-kitty-darth-vader-pink.jpg");
  EXPECT_EQ(o.minor, 1);
  EXPECT_EQ(o.host, "www.kittyhell.com");
  ASSERT_EQ(o.fields.size(), 9u);
  EXPECT_EQ(o.fields[1].first, "User-Agent");
  EXPECT_EQ(o.fields[1].second,
            "Mozilla/5.0 (Macintosh; U; Intel Mac OS X 10.6; ja-JP-mac; rv:1.9.2.3) "
            "Gecko/20100401 Firefox/3.6.3 Pathtraq/0.9");
  EXPECT_EQ(o.fields[6], (std::pair<std::string, std::string>{"Keep-Alive", "115"}));
  EXPECT_EQ(o.fields[8].first, "Cookie");
  EXPECT_TRUE(o.fields[8].second.starts_with("wp_ozh_wsa_visits=2; "));
  EXPECT_TRUE(o.fields[8].second.ends_with("utmcmd=referral"));
  EXPECT_EQ(o.framing, BodyFraming::kNone);
  EXPECT_TRUE(o.keep_alive);
  EXPECT_EQ(o.head_size, 703u);
}

TEST(HttpRequestParser, ChunkedPostReferenceHead) {
  const std::string request = ReadTestdata("request-chunked-post-520.http");
  ASSERT_EQ(request.size(), 520u);
  const Outcome o = ExpectComplete(request);
  EXPECT_EQ(o.method, "POST");
  EXPECT_EQ(o.target, "/joyent/http-parser");
  EXPECT_EQ(o.host, "github.com");
  ASSERT_EQ(o.fields.size(), 10u);
  EXPECT_EQ(o.fields[8], (std::pair<std::string, std::string>{"Transfer-Encoding", "chunked"}));
  EXPECT_EQ(o.framing, BodyFraming::kChunked);
  EXPECT_EQ(o.head_size, 520u - std::string_view("b\r\nhello world\r\n0\r\n\r\n").size());
}

// Random edits of valid requests, mostly invalid ones, must give one outcome however the bytes
// are split: whole, byte by byte, and in random pieces, with default and tight limits.
TEST(HttpRequestParser, MutatedRequestsParseTheSameInAnyPieces) {
  const std::vector<std::string> seeds = {
      ReadTestdata("request-firefox-703.http"),
      ReadTestdata("request-chunked-post-520.http"),
      "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
      "\r\nPOST http://h:1/p?q HTTP/1.1\r\nHost: h\r\nContent-Length: 5, 5\r\n\r\nhello",
      "CONNECT [::1]:443 HTTP/1.0\r\nConnection: keep-alive\r\nExpect: 100-continue\r\n\r\n",
      "OPTIONS * HTTP/1.1\nHost: a\nTransfer-Encoding: gzip, chunked\n\n",
  };
  static constexpr char kByteArray[] =
      "\r\n \t:,;\"\\%/?#[]@\x00\x01\x0b\x7f\x80\xff"
      "aZ09-*.";
  constexpr std::string_view kBytes(kByteArray, sizeof(kByteArray) - 1);
  std::mt19937 random(20240611);
  const auto below = [&](std::size_t n) { return n == 0 ? 0 : std::size_t(random() % n); };
  for (int round = 0; round < 600; ++round) {
    std::string request = seeds[below(seeds.size())];
    for (std::size_t edits = 1 + below(4); edits > 0; --edits) {
      const std::size_t at = below(request.size() + 1);
      const char byte = kBytes[below(kBytes.size())];
      switch (below(5)) {
        case 0:
          if (at < request.size()) request[at] = byte;
          break;
        case 1:
          request.insert(request.begin() + static_cast<std::ptrdiff_t>(at), byte);
          break;
        case 2:
          if (at < request.size()) request.erase(at, 1 + below(8));
          break;
        case 3:
          request.insert(at, request.substr(below(request.size()), below(64)));
          break;
        default:
          request.resize(std::max(at, request.size() / 2));
          break;
      }
    }
    Limits limits;
    limits.allow_bare_lf = round % 2 == 1;
    if (round % 3 == 0) {
      limits.max_request_line = 40 + below(40);
      limits.max_header_section = 100 + below(200);
      limits.max_fields = 1 + below(8);
    }
    SCOPED_TRACE(Printable(request));
    const Outcome whole = Feed(request, {request.size()}, limits);
    std::vector<std::size_t> bytewise;
    for (std::size_t end = 1; end <= request.size(); ++end)
      bytewise.push_back(end);
    ASSERT_EQ(Feed(request, bytewise, limits), whole) << "byte by byte";
    for (int split = 0; split < 4; ++split) {
      std::vector<std::size_t> ends = {below(request.size() + 1), below(request.size() + 1),
                                       below(request.size() + 1), request.size()};
      std::sort(ends.begin(), ends.end());
      ASSERT_EQ(Feed(request, ends, limits), whole)
          << "pieces ending at " << ends[0] << ", " << ends[1] << ", " << ends[2];
    }
  }
}

TEST(HttpRequestParser, ParsingDoesNotAllocate) {
  const std::string request = ReadTestdata("request-firefox-703.http");
  RequestParser parser;
  const long before = test::AllocationCount();
  ASSERT_EQ(parser.Parse(request), ParseStatus::kComplete);
  parser.Reset();
  ParseStatus status = ParseStatus::kIncomplete;
  for (std::size_t end = 1; end <= request.size(); ++end) {
    status = parser.Parse(std::string_view(request).substr(0, end));
  }
  EXPECT_EQ(status, ParseStatus::kComplete);
  EXPECT_EQ(test::AllocationCount(), before);
}

}  // namespace
}  // namespace parley::http
