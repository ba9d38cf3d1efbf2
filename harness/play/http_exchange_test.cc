#include "harness/play/http_exchange.h"

#include <gtest/gtest.h>

#include <vector>

#include "harness/play/expectation.h"
#include "harness/play/test_steps.h"

namespace parley::harness {
namespace {

Variables Vars() {
  Variables v;
  v.Set("nick", "bob");
  return v;
}

HttpResponse Response(int status, std::string reason,
                      std::vector<std::pair<std::string, std::string>> headers, std::string body) {
  HttpResponse r;
  r.status = status;
  r.reason = std::move(reason);
  r.headers = std::move(headers);
  r.body = std::move(body);
  r.body_size = r.body.size();
  r.head = "HTTP/1.1 " + std::to_string(status) + " " + r.reason + "\r\n\r\n";
  return r;
}

TEST(BoundHttpCheck, PassesAndCaptures) {
  ExpectStep e = LoadExpectStep(
      "http: {status: [200, 204], reason: OK, headers: {content-type: {regex: '^text/(\\w+)'}, "
      "X-Gone: {absent: true}}, body: {contains: Hola, length: 19}, responses: 2}, capture: kind");
  std::string error;
  auto check = BoundHttpCheck::Bind(e.http, Vars(), &error);
  ASSERT_TRUE(check) << error;
  EXPECT_TRUE(check->needs_body());
  HttpResponse r =
      Response(200, "OK", {{"Content-Type", "text/html; charset=utf-8"}}, "<h1>Hola Mundo</h1>");
  Verdict v = check->Check(r, 2, 0);
  ASSERT_EQ(v.kind, Verdict::Kind::kPass) << v.message;
  EXPECT_EQ(v.captures, std::vector<std::string>{"html"});
}

TEST(BoundHttpCheck, ListsEveryMismatch) {
  ExpectStep e = LoadExpectStep(
      "http: {status: 200, reason: OK, headers: {Server: {present: true}, Connection: close, X: "
      "{absent: true}}, body: 'ok', responses: 1}");
  std::string error;
  auto check = BoundHttpCheck::Bind(e.http, Vars(), &error);
  ASSERT_TRUE(check) << error;
  HttpResponse r = Response(404, "Not Found", {{"Connection", "keep-alive"}, {"X", "1"}}, "nope");
  Verdict v = check->Check(r, 2, 0);
  ASSERT_EQ(v.kind, Verdict::Kind::kFail);
  EXPECT_EQ(v.message,
            "the response does not match:\n"
            "  - status is 404 (expected 200)\n"
            "  - reason is \"Not Found\" (expected exactly \"OK\")\n"
            "  - header Server is missing\n"
            "  - header Connection is \"keep-alive\" (expected exactly \"close\")\n"
            "  - header X is present (\"1\") but should be absent\n"
            "  - body differs:\n"
            "    expected: \"ok\"\n"
            "      actual: \"nope\"\n"
            "               ^ byte 0\n"
            "  - this is response 2 on the connection (expected response 1)\n"
            "response head: \"HTTP/1.1 404 Not Found\\r\\n\\r\\n\"");
}

// A body of several lines that differs in several places shows a unified diff of them all.
TEST(BoundHttpCheck, AMultiLineBodyShowsEveryDifference) {
  ExpectStep e = LoadExpectStep(
      "http: {status: 200, body: \"<ul>\\n<li>a</li>\\n<li>b</li>\\n<li>c</li>\\n</ul>\\n\"}");
  std::string error;
  auto check = BoundHttpCheck::Bind(e.http, Vars(), &error);
  ASSERT_TRUE(check) << error;
  HttpResponse r =
      Response(200, "OK", {}, "<ul>\n<li>A</li>\n<li>b</li>\n<li>c</li>\r\n<li>d</li>\n</ul>\n");
  Verdict v = check->Check(r, 1, 0);
  ASSERT_EQ(v.kind, Verdict::Kind::kFail);
  EXPECT_EQ(v.message,
            "the response does not match:\n"
            "  - body differs:\n"
            "    --- expected\n"
            "    +++ actual\n"
            "    @@ -1,5 +1,6 @@\n"
            "     <ul>\\n\n"
            "    -<li>a</li>\\n\n"
            "    +<li>A</li>\\n\n"
            "     <li>b</li>\\n\n"
            "    -<li>c</li>\\n\n"
            "    +<li>c</li>\\r\\n\n"
            "    +<li>d</li>\\n\n"
            "     </ul>\\n\n"
            "response head: \"HTTP/1.1 200 OK\\r\\n\\r\\n\"");
}

TEST(BoundHttpCheck, ALengthAloneDoesNotNeedTheBody) {
  ExpectStep e = LoadExpectStep("http: {status: 200, body: {length: 5}}");
  std::string error;
  auto check = BoundHttpCheck::Bind(e.http, Vars(), &error);
  ASSERT_TRUE(check) << error;
  EXPECT_FALSE(check->needs_body());
  HttpResponse r = Response(200, "OK", {}, "");
  r.body_size = 5;  // measured, not kept
  EXPECT_EQ(check->Check(r, 1, 0).kind, Verdict::Kind::kPass);
  r.body_size = 6;
  EXPECT_NE(check->Check(r, 1, 0).message.find("body is 6 bytes (expected 5)"), std::string::npos);
}

// One connection's exchange, judged through expectations as the player does.
class Exchange {
 public:
  void Sent(std::string_view bytes) { http_.Sent(bytes); }
  void Arrive(std::string_view bytes) { inbox_.Append(bytes); }
  void Close() { inbox_.Finish(Inbox::End::kClosed); }

  // Binds `spec` and judges it once against what has arrived.
  Verdict Judge(const std::string& spec) {
    Bind(spec);
    return expectation_->Judge(inbox_, http_);
  }
  // Judges the expectation bound last again.
  Verdict Again() { return expectation_->Judge(inbox_, http_); }
  std::string Timeout(Duration waited) const {
    return expectation_->DescribeTimeout(inbox_, http_, waited);
  }
  const HttpExchange& http() const { return http_; }
  const Inbox& inbox() const { return inbox_; }

 private:
  void Bind(const std::string& spec) {
    steps_.push_back(std::make_unique<ExpectStep>(LoadExpectStep(spec)));
    std::string error;
    expectation_ = BindExpectation(*steps_.back(), Vars(), &error);
    ASSERT_TRUE(expectation_) << error;
  }

  std::vector<std::unique_ptr<ExpectStep>> steps_;
  std::unique_ptr<Expectation> expectation_;
  Inbox inbox_;
  HttpExchange http_;
};

constexpr std::string_view kOk = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
constexpr std::string_view kNotFound = "HTTP/1.1 404 Not Found\r\nContent-Length: 4\r\n\r\nnope";

TEST(HttpExchange, TakesPipelinedResponsesInOrder) {
  Exchange x;
  x.Sent("GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\nGET /c HTTP/1.1\r\n\r\n");
  x.Arrive(std::string(kOk) + std::string(kOk) + std::string(kNotFound).substr(0, 20));
  EXPECT_EQ(x.Judge("http: {status: 200, count: 2, responses: 1}").kind, Verdict::Kind::kPass);
  EXPECT_EQ(x.http().responses_taken(), 2u);
  EXPECT_TRUE(x.http().ResponsePending());  // the third has started
  EXPECT_EQ(x.Judge("http: {status: 404, body: nope, responses: 3}").kind, Verdict::Kind::kWait);
  x.Arrive(std::string(kNotFound).substr(20));
  EXPECT_EQ(x.Again().kind, Verdict::Kind::kPass);
  EXPECT_FALSE(x.http().ResponsePending());
  EXPECT_TRUE(x.inbox().empty());
}

// A failed expectation takes nothing: the same response is judged again by the next.
TEST(HttpExchange, AFailureTakesNothing) {
  Exchange x;
  x.Arrive(kNotFound);
  Verdict v = x.Judge("http: {status: 200, body: nope}");
  ASSERT_EQ(v.kind, Verdict::Kind::kFail);
  EXPECT_TRUE(v.message.starts_with(
      "the response does not match:\n  - status is 404 (expected 200)\nresponse head:"))
      << v.message;
  EXPECT_EQ(x.http().responses_taken(), 0u);
  EXPECT_EQ(x.Judge("http: {status: 404, body: nope}").kind, Verdict::Kind::kPass);
}

TEST(HttpExchange, CountsResponsesAndSaysWhichOneFailed) {
  Exchange x;
  x.Arrive(std::string(kOk) + std::string(kNotFound));
  Verdict v = x.Judge("http: {status: 200, count: 2}");
  ASSERT_EQ(v.kind, Verdict::Kind::kFail);
  EXPECT_TRUE(v.message.starts_with(
      "response 2 of 2 (response 2 on the connection) does not match:\n  - status is 404"))
      << v.message;
}

// The response to a request sniffed as HEAD has no body, although it has a Content-Length.
TEST(HttpExchange, ReadsTheResponseToAHeadWithoutABody) {
  Exchange x;
  x.Sent("HEAD / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n");
  x.Arrive("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n");
  x.Arrive(kOk);
  EXPECT_EQ(x.Judge("http: {status: 200, body: {length: 0}}").kind, Verdict::Kind::kPass);
  EXPECT_EQ(x.Judge("http: {status: 200, body: ok}").kind, Verdict::Kind::kPass);
}

TEST(HttpExchange, MalformedAndCutShortResponsesFail) {
  Exchange bad;
  bad.Arrive("HTTP/1.1 2x0 OK\r\n\r\n");
  EXPECT_EQ(bad.Judge("http: {status: 200}").message,
            "the response is malformed: byte 10: the status code is not three digits, got 'x'"
            "\nunread bytes: \"x0 OK\\r\\n\\r\\n\"");
  Exchange cut;
  cut.Arrive("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab");
  EXPECT_EQ(cut.Judge("http: {status: 200}").kind, Verdict::Kind::kWait);
  cut.Close();
  EXPECT_EQ(cut.Again().message,
            "the response is malformed: byte 40: the connection closed after 2 of 5 body bytes");
  Exchange none;
  none.Close();
  EXPECT_EQ(none.Judge("http: {status: 200, count: 2}").message,
            "the peer closed the connection before a response arrived (after 0 of the 2 expected "
            "responses)");
}

TEST(HttpExchange, TimeoutsSayHowFarTheResponsesGot) {
  Exchange x;
  EXPECT_EQ(x.Judge("http: {status: 200}").kind, Verdict::Kind::kWait);
  EXPECT_EQ(x.Timeout(Duration(1000)), "no response arrived within 1s");
  x.Arrive(std::string(kOk) + "HTTP/1.1 2");
  EXPECT_EQ(x.Judge("http: {status: 200, count: 3}").kind, Verdict::Kind::kWait);
  EXPECT_EQ(x.Timeout(Duration(1000)),
            "only 1 of 3 expected responses arrived; the next started but did not finish within "
            "1s");
}

// Silence and the end of the connection fail while a response nobody took is there.
TEST(HttpExchange, AnUntakenResponseStandsBeforeSilenceAndTheEnd) {
  Exchange x;
  x.Arrive(std::string(kOk) + std::string(kOk));
  EXPECT_EQ(x.Judge("http: {status: 200}").kind, Verdict::Kind::kPass);
  EXPECT_EQ(x.Judge("silence: 100ms").message,
            "another HTTP response arrived first (response 2 on the connection)");
  EXPECT_EQ(x.Judge("closed: true").message,
            "another HTTP response arrived first (response 2 on the connection)");
}

// However the responses are split, the verdicts are those of the whole.
TEST(HttpExchange, EverySplitGivesTheVerdictsOfTheWhole) {
  const std::string bytes = std::string(kOk) +
                            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                            "2\r\nok\r\n0\r\n\r\n" +
                            std::string(kNotFound);
  for (std::size_t split = 0; split <= bytes.size(); ++split) {
    Exchange x;
    x.Arrive(std::string_view(bytes).substr(0, split));
    Verdict first = x.Judge("http: {status: 200, body: ok, count: 2}");
    x.Arrive(std::string_view(bytes).substr(split));
    if (first.kind == Verdict::Kind::kWait) first = x.Again();
    ASSERT_EQ(first.kind, Verdict::Kind::kPass) << "split at " << split << ": " << first.message;
    ASSERT_EQ(x.Judge("http: {status: 404, body: {length: 4}}").kind, Verdict::Kind::kPass)
        << "split at " << split;
    ASSERT_TRUE(x.inbox().empty());
  }
}

}  // namespace
}  // namespace parley::harness
