#include "targets/http/server/session.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <vector>

#include "targets/http/parse_error.h"
#include "targets/http/server/test_support.h"

namespace parley::http {
namespace {

using namespace std::chrono_literals;
using testing::ParseResponses;
using testing::Response;
using testing::WithoutDates;
using Action = Session::Action;
using Clock = Session::Clock;

constexpr std::string_view kGet = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";

// Plays the part of a connection with a manual clock: input goes in, in pieces of at most
// `piece` bytes, until the session needs more input or closes.
class Harness {
 public:
  explicit Harness(ServerConfig config = {}, const StaticFiles* files = nullptr)
      : config_(std::move(config)),
        handler_(files),
        pool_(config_.limits, 4),
        context_{config_, handler_, pool_, dates_},
        session_(std::make_unique<Session>(context_, now)) {}

  std::string Feed(std::string_view input, std::size_t piece = std::numeric_limits<size_t>::max()) {
    std::string out;
    for (;;) {
      switch (session_->Next(now)) {
        case Action::kWrite:
          out += session_->Output();
          ++writes;
          last_output.push_back(session_->last_output());
          session_->Sent(now);
          break;
        case Action::kRead: {
          if (input.empty()) return out;
          const std::span<char> space = session_->ReadSpace();
          EXPECT_FALSE(space.empty());
          const std::size_t n = std::min({piece, space.size(), input.size()});
          std::memcpy(space.data(), input.data(), n);
          session_->Received(n, now);
          input.remove_prefix(n);
          break;
        }
        case Action::kClose:
          closed = true;
          lingers = session_->linger();
          return out;
      }
    }
  }

  std::string Eof() {
    session_->ReceivedEof();
    return Feed("");
  }

  // Moves the clock to the session's deadline and lets it expire.
  std::string ExpireAtDeadline() {
    now = session_->deadline();
    session_->Expire(now);
    return Feed("");
  }

  Session& session() { return *session_; }
  WorkspacePool& pool() { return pool_; }

  Clock::time_point now = Clock::time_point() + 1000h;
  bool closed = false;
  bool lingers = false;
  int writes = 0;
  std::vector<bool> last_output;  // Session::last_output() at each kWrite

 private:
  ServerConfig config_;
  RequestHandler handler_;
  WorkspacePool pool_;
  DateCache dates_;
  SessionContext context_;
  std::unique_ptr<Session> session_;
};

Response Only(std::string_view out, bool head = false) {
  std::string rest;
  auto responses = ParseResponses(out, {head}, &rest);
  EXPECT_EQ(responses.size(), 1u) << out;
  EXPECT_EQ(rest, "") << out;
  return responses.empty() ? Response() : responses[0];
}

void ExpectCommonHeaders(const Response& r) {
  EXPECT_EQ(r.Header("Server"), "parley/" PARLEY_VERSION);
  ASSERT_TRUE(r.Header("Date"));
  EXPECT_EQ(r.Header("Date")->size(), kHttpDateSize);
  EXPECT_TRUE(r.HasHeader("Content-Length"));
}

TEST(HttpServerSession, GetRootAnswersHolaMundo) {
  Harness h;
  const Response r = Only(h.Feed(kGet));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(r.body, "<h1>Hola Mundo</h1>\n");
  EXPECT_EQ(r.Header("Content-Length"), "20");
  EXPECT_FALSE(r.HasHeader("Connection"));
  ExpectCommonHeaders(r);
  EXPECT_FALSE(h.closed);
}

TEST(HttpServerSession, HeadHasTheHeadersOfGetButNoBody) {
  Harness h;
  const std::string out = h.Feed("HEAD / HTTP/1.1\r\nHost: x\r\n\r\n");
  const Response r = Only(out, true);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("Content-Length"), "20");
  EXPECT_TRUE(out.ends_with("\r\n\r\n"));
  EXPECT_FALSE(h.closed);
}

TEST(HttpServerSession, KeepAliveServesRequestAfterRequest) {
  Harness h;
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(Only(h.Feed(kGet)).status, 200);
  EXPECT_EQ(h.session().requests(), 3u);
  EXPECT_FALSE(h.closed);
}

TEST(HttpServerSession, PipelinedRequestsAreAnsweredInOrderInOneWrite) {
  Harness h;
  const std::string out = h.Feed(
      "GET / HTTP/1.1\r\nHost: x\r\n\r\n"
      "HEAD / HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /missing HTTP/1.1\r\nHost: x\r\n\r\n"
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi");
  EXPECT_EQ(h.writes, 1);
  const auto responses = ParseResponses(out, {false, true, false, false});
  ASSERT_EQ(responses.size(), 4u) << out;
  EXPECT_EQ(responses[0].status, 200);
  EXPECT_EQ(responses[1].status, 200);
  EXPECT_EQ(responses[1].body, "");
  EXPECT_EQ(responses[2].status, 404);
  EXPECT_EQ(responses[3].status, 200);
  EXPECT_TRUE(responses[3].body.ends_with("body-length: 2\nhi"));
}

TEST(HttpServerSession, ManyPipelinedRequestsAreBatchedUnderTheHighWaterMark) {
  Harness h;
  std::string input;
  for (int i = 0; i < 2000; ++i)
    input += kGet;
  const std::string out = h.Feed(input);
  EXPECT_EQ(ParseResponses(out).size(), 2000u);
  EXPECT_GT(h.writes, 1);
  EXPECT_LT(h.writes, 2000 / 10);
}

TEST(HttpServerSession, AnyFragmentationGivesTheSameAnswers) {
  const std::string input =
      "GET / HTTP/1.1\r\nHost: x\r\n\r\n"
      "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\nTrailer: t\r\n\r\n"
      "PUT /echo?a=b HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nxyz"
      "GET /nope HTTP/1.0\r\n\r\n";
  Harness whole;
  const std::string expected = WithoutDates(whole.Feed(input));
  ASSERT_EQ(ParseResponses(expected).size(), 4u) << expected;
  for (std::size_t piece : {1, 2, 3, 7, 64}) {
    Harness split;
    EXPECT_EQ(WithoutDates(split.Feed(input, piece)), expected) << "pieces of " << piece;
    EXPECT_TRUE(split.closed);
  }
}

TEST(HttpServerSession, ConnectionCloseIsHonoured) {
  Harness h;
  const Response r =
      Only(h.Feed("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" + std::string(kGet)));
  EXPECT_EQ(r.Header("Connection"), "close");
  EXPECT_TRUE(h.closed);
  EXPECT_TRUE(h.lingers);
  EXPECT_EQ(h.session().requests(), 1u);
}

// A file answered on a connection that closes after it (Connection: close, HTTP/1.0) arrives
// whole before the close, also when it is larger than one batch of output.
TEST(HttpServerSession, StaticFileOnAClosingConnectionArrivesWhole) {
  namespace fs = std::filesystem;
  std::string dir = (fs::temp_directory_path() / "parley-session-XXXXXX").string();
  ASSERT_NE(::mkdtemp(dir.data()), nullptr);
  const std::string small = "hello from a static file\n";
  const std::string large(3 * Session::kOutputHighWater + 123, 'x');
  std::ofstream(fs::path(dir) / "small.txt", std::ios::binary) << small;
  std::ofstream(fs::path(dir) / "large.txt", std::ios::binary) << large;
  std::string error;
  std::optional<StaticFiles> files = StaticFiles::Open(dir, &error);
  ASSERT_TRUE(files) << error;
  ServerConfig config;
  config.root = dir;

  for (const auto& [name, body] : {std::pair{"small", small}, std::pair{"large", large}}) {
    for (const std::string& request :
         {"GET /" + std::string(name) + ".txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
          "GET /" + std::string(name) + ".txt HTTP/1.0\r\n\r\n"}) {
      Harness h(config, &*files);
      const Response r = Only(h.Feed(request));
      EXPECT_EQ(r.status, 200) << request;
      EXPECT_EQ(r.body, body) << request;
      EXPECT_EQ(r.Header("Connection"), "close") << request;
      EXPECT_TRUE(h.closed) << request;
      // Only the write that ends the file is the connection's last.
      ASSERT_FALSE(h.last_output.empty());
      EXPECT_TRUE(h.last_output.back()) << request;
      EXPECT_EQ(std::count(h.last_output.begin(), h.last_output.end(), true), 1) << request;
      if (body == large) {
        EXPECT_GT(h.last_output.size(), 1u) << request;
      }
    }
  }
  fs::remove_all(dir);
}

TEST(HttpServerSession, OnlyAnOutputAfterWhichTheConnectionClosesIsTheLast) {
  Harness keep;
  keep.Feed(kGet);
  EXPECT_EQ(keep.last_output, std::vector<bool>{false});
  // The client's end of input after an answered request: nothing more is written.
  keep.Eof();
  EXPECT_TRUE(keep.closed);
  EXPECT_EQ(keep.last_output, std::vector<bool>{false});

  Harness close;
  close.Feed("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(close.last_output, std::vector<bool>{true});

  Harness old;
  old.Feed("GET / HTTP/1.0\r\n\r\n");
  EXPECT_EQ(old.last_output, std::vector<bool>{true});

  // A request refused with 400 ends the connection: its answer is the last output.
  Harness bad;
  bad.Feed("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n");
  EXPECT_EQ(bad.last_output, std::vector<bool>{true});
}

TEST(HttpServerSession, Http10ClosesUnlessItAsksForKeepAlive) {
  Harness close;
  EXPECT_EQ(Only(close.Feed("GET / HTTP/1.0\r\n\r\n")).Header("Connection"), "close");
  EXPECT_TRUE(close.closed);

  Harness keep;
  const Response r = Only(keep.Feed("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  EXPECT_EQ(r.Header("Connection"), "keep-alive");
  EXPECT_FALSE(keep.closed);
}

TEST(HttpServerSession, EchoReportsTheRequestAsParsed) {
  Harness h;
  const Response r =
      Only(h.Feed("POST /echo?x=1 HTTP/1.1\r\nHost: example.com\r\nX-Spaced:   padded value  \r\n"
                  "Content-Length: 5\r\n\r\nhello"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(r.body,
            "method: POST\n"
            "target: /echo?x=1\n"
            "version: HTTP/1.1\n"
            "header: Host: example.com\n"
            "header: X-Spaced: padded value\n"
            "header: Content-Length: 5\n"
            "framing: content-length\n"
            "body-length: 5\n"
            "hello");
}

TEST(HttpServerSession, EchoDecodesChunkedBodies) {
  Harness h;
  const Response r =
      Only(h.Feed("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                  "5\r\nhello\r\n1;name=value\r\n \r\n5\r\nworld\r\n0\r\n\r\n"));
  EXPECT_TRUE(r.body.ends_with("framing: chunked\nbody-length: 11\nhello world")) << r.body;
}

TEST(HttpServerSession, HeadEchoHasTheLengthButNoBody) {
  Harness get, head;
  const Response g = Only(get.Feed("GET /echo HTTP/1.1\r\nHost: x\r\n\r\n"));
  const Response h = Only(head.Feed("HEAD /echo HTTP/1.1\r\nHost: x\r\n\r\n"), true);
  EXPECT_EQ(h.body, "");
  EXPECT_EQ(std::stoul(*h.Header("Content-Length")), g.body.size() + 1);  // "HEAD" vs "GET"
}

TEST(HttpServerSession, ExpectContinueIsAnsweredBeforeTheBody) {
  Harness h;
  const std::string interim =
      h.Feed("POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n");
  EXPECT_EQ(interim, "HTTP/1.1 100 Continue\r\n\r\n");
  const Response r = Only(h.Feed("data"));
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.body.ends_with("body-length: 4\ndata"));
  EXPECT_FALSE(h.closed);
}

TEST(HttpServerSession, ExpectContinueOnARouteWithoutBodyUseAnswersAndCloses) {
  Harness h;
  const Response r = Only(
      h.Feed("POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n"));
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.Header("Connection"), "close");
  EXPECT_TRUE(h.closed);
}

TEST(HttpServerSession, UnsupportedExpectationGets417) {
  Harness h;
  const Response r = Only(h.Feed("GET / HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\n\r\n"));
  EXPECT_EQ(r.status, 417);
  EXPECT_EQ(r.body, "error: expectation-unsupported\n");
}

TEST(HttpServerSession, BodiesOfOtherRoutesAreDiscardedAndTheConnectionKept) {
  Harness h;
  const std::string out = h.Feed(
      "POST /missing HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello" + std::string(kGet));
  const auto responses = ParseResponses(out);
  ASSERT_EQ(responses.size(), 2u) << out;
  EXPECT_EQ(responses[0].status, 404);
  EXPECT_EQ(responses[1].status, 200);
  EXPECT_FALSE(h.closed);
}

TEST(HttpServerSession, RouteErrors) {
  struct Case {
    std::string_view request;
    int status;
    std::string_view body;
    std::string_view allow;
  };
  const Case cases[] = {
      {"GET /nope HTTP/1.1\r\nHost: x\r\n\r\n", 404, "error: not-found\n", ""},
      {"DELETE / HTTP/1.1\r\nHost: x\r\n\r\n", 405, "error: method-not-allowed\n", "GET, HEAD"},
      {"BREW / HTTP/1.1\r\nHost: x\r\n\r\n", 501, "error: method-not-implemented\n", ""},
      {"GET /%2e%2e/etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n", 400, "error: dot-segment\n", ""},
      {"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n", 200, "", "GET, HEAD"},
  };
  for (const Case& c : cases) {
    Harness h;
    const Response r = Only(h.Feed(c.request));
    EXPECT_EQ(r.status, c.status) << c.request;
    EXPECT_EQ(r.body, c.body) << c.request;
    EXPECT_EQ(r.Header("Allow").value_or(""), c.allow) << c.request;
    EXPECT_FALSE(h.closed) << c.request;  // the framing is known: keep-alive stays
    ExpectCommonHeaders(r);
  }
}

TEST(HttpServerSession, ParseErrorsAnswerTheirStatusAndClose) {
  ServerConfig small;
  small.limits.max_request_line = 64;
  small.limits.max_header_section = 128;
  small.limits.max_fields = 4;
  small.limits.max_body = 8;
  struct Case {
    std::string request;
    ParseError error;
  };
  const Case cases[] = {
      {"GET  / HTTP/1.1\r\nHost: x\r\n\r\n", ParseError::kMalformedRequestLine},
      {"GET / HTTP/1.1\r\n\r\n", ParseError::kMissingHost},
      {"GET /" + std::string(100, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n",
       ParseError::kRequestLineTooLong},
      {"GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n",
       ParseError::kTooManyFields},
      {"GET / HTTP/1.1\r\nHost: x\r\nBig: " + std::string(200, 'b') + "\r\n\r\n",
       ParseError::kHeaderSectionTooLarge},
      {"GET / HTTP/2.0\r\nHost: x\r\n\r\n", ParseError::kUnsupportedVersion},
      {"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
       ParseError::kUnsupportedTransferCoding},
      {"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 9\r\n\r\n123456789",
       ParseError::kBodyTooLarge},
      {"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n9\r\n123456789\r\n",
       ParseError::kBodyTooLarge},
      {"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
       ParseError::kInvalidChunkSize},
      {"GET / HTTP/1.1\nHost: x\n\n", ParseError::kBareLf},
  };
  for (const Case& c : cases) {
    Harness h(small);
    const std::string out = h.Feed(c.request + std::string(kGet));
    const Response r = Only(out);
    EXPECT_EQ(r.status, ErrorStatus(c.error)) << c.request;
    EXPECT_EQ(r.body, "error: " + std::string(ErrorText(c.error)) + "\n") << c.request;
    EXPECT_EQ(r.Header("Connection"), "close") << c.request;
    ExpectCommonHeaders(r);
    EXPECT_TRUE(h.closed) << c.request;
    EXPECT_TRUE(h.lingers) << c.request;
  }
}

TEST(HttpServerSession, BareLfIsAcceptedWhenAllowed) {
  ServerConfig config;
  config.limits.allow_bare_lf = true;
  Harness h(config);
  EXPECT_EQ(Only(h.Feed("GET / HTTP/1.1\nHost: x\n\n")).status, 200);
}

TEST(HttpServerSession, IdleTimeoutClosesSilently) {
  ServerConfig config;
  config.idle_timeout = 5s;
  Harness h(config);
  EXPECT_EQ(h.session().deadline(), h.now + 5s);
  EXPECT_EQ(h.ExpireAtDeadline(), "");
  EXPECT_TRUE(h.closed);
  EXPECT_FALSE(h.lingers);
}

TEST(HttpServerSession, IdleTimeoutRestartsAfterEachResponse) {
  Harness h;
  h.now += 3s;
  Only(h.Feed(kGet));
  EXPECT_EQ(h.session().deadline(), h.now + 5s);
}

TEST(HttpServerSession, HeaderTimeoutStartsAtTheFirstByteAndAnswers408) {
  ServerConfig config;
  config.header_timeout = 10s;
  Harness h(config);
  h.now += 2s;
  EXPECT_EQ(h.Feed("GET / HTTP/1.1\r\nHo"), "");
  EXPECT_EQ(h.session().deadline(), h.now + 10s);
  h.now += 4s;
  EXPECT_EQ(h.Feed("st: x\r\n"), "");  // more bytes do not extend it
  EXPECT_EQ(h.session().deadline(), h.now + 6s);
  const Response r = Only(h.ExpireAtDeadline());
  EXPECT_EQ(r.status, 408);
  EXPECT_EQ(r.body, "error: header-timeout\n");
  EXPECT_EQ(r.Header("Connection"), "close");
  EXPECT_TRUE(h.closed);
  EXPECT_TRUE(h.lingers);
}

TEST(HttpServerSession, BodyTimeoutAnswers408) {
  ServerConfig config;
  config.body_timeout = 3s;
  Harness h(config);
  EXPECT_EQ(h.Feed("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc"), "");
  EXPECT_EQ(h.session().deadline(), h.now + 3s);
  const Response r = Only(h.ExpireAtDeadline());
  EXPECT_EQ(r.status, 408);
  EXPECT_EQ(r.body, "error: body-timeout\n");
  EXPECT_TRUE(h.closed);
}

TEST(HttpServerSession, SendTimeoutDropsTheConnection) {
  ServerConfig config;
  config.send_timeout = 7s;
  Harness h(config);
  const std::span<char> space = h.session().ReadSpace();
  std::memcpy(space.data(), kGet.data(), kGet.size());
  h.session().Received(kGet.size(), h.now);
  ASSERT_EQ(h.session().Next(h.now), Action::kWrite);
  EXPECT_EQ(h.session().deadline(), h.now + 7s);
  h.session().Expire(h.now + 7s);
  EXPECT_EQ(h.session().Next(h.now), Action::kClose);
  EXPECT_FALSE(h.session().linger());
}

TEST(HttpServerSession, EofAfterCompleteRequestsAnswersThemThenCloses) {
  Harness h;
  std::string out = h.Feed(std::string(kGet) + std::string(kGet));
  out += h.Eof();
  const auto responses = ParseResponses(out);
  EXPECT_EQ(responses.size(), 2u);
  EXPECT_TRUE(h.closed);
  EXPECT_FALSE(h.lingers);
}

TEST(HttpServerSession, EofInsideARequestClosesWithoutAnswer) {
  Harness h;
  EXPECT_EQ(h.Feed("GET / HTTP/1.1\r\nHost"), "");
  EXPECT_EQ(h.Eof(), "");
  EXPECT_TRUE(h.closed);
}

TEST(HttpServerSession, DrainClosesIdleSessionsAtOnce) {
  Harness h;
  Only(h.Feed(kGet));
  h.session().Drain();
  EXPECT_EQ(h.Feed(""), "");
  EXPECT_TRUE(h.closed);
  EXPECT_FALSE(h.lingers);
}

TEST(HttpServerSession, DrainFinishesTheRequestInProgressWithClose) {
  Harness h;
  EXPECT_EQ(h.Feed("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nab"), "");
  h.session().Drain();
  const Response r = Only(h.Feed("cd" + std::string(kGet)));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("Connection"), "close");
  EXPECT_TRUE(r.body.ends_with("body-length: 4\nabcd"));
  EXPECT_TRUE(h.closed);
}

TEST(HttpServerSession, IdleSessionsReturnTheirWorkspace) {
  Harness h;
  Only(h.Feed(kGet));
  EXPECT_TRUE(h.session().holds_workspace());
  h.session().ReleaseIfIdle();
  EXPECT_FALSE(h.session().holds_workspace());
  EXPECT_EQ(h.pool().spare(), 1u);
  EXPECT_EQ(Only(h.Feed(kGet)).status, 200);  // borrows it again
  EXPECT_EQ(h.pool().spare(), 0u);
}

TEST(HttpServerSession, BusySessionsKeepTheirWorkspace) {
  Harness h;
  EXPECT_EQ(h.Feed("GET / HTTP/1.1\r\n"), "");
  h.session().ReleaseIfIdle();
  EXPECT_TRUE(h.session().holds_workspace());
  EXPECT_EQ(Only(h.Feed("Host: x\r\n\r\n")).status, 200);
}

TEST(HttpServerSession, GarbageNeverHangsOrCrashes) {
  // Every byte value, in a few shapes; each must end in an answer, a close or a wait for more.
  std::string noise;
  for (int i = 0; i < 256; ++i)
    noise.push_back(static_cast<char>(i));
  for (const std::string& input :
       {noise, std::string(40000, 'A'), "GET " + std::string(40000, '/') + " HTTP/1.1\r\n",
        "GET / HTTP/1.1\r\n" + std::string(40000, 'h'), std::string(1000, '\n'),
        std::string("\r\n\r\n\r\n"),
        std::string("POST /echo HTTP/1.1\r\nHost: x\r\n"
                    "Transfer-Encoding: chunked\r\n\r\n") +
            noise}) {
    for (std::size_t piece : {std::size_t{1}, std::size_t{4096}}) {
      Harness h;
      const std::string out = h.Feed(input, piece);
      if (!out.empty()) {
        const auto responses = ParseResponses(out);
        ASSERT_FALSE(responses.empty()) << out;
        EXPECT_GE(responses.back().status, 400);
        EXPECT_TRUE(h.closed);
      }
    }
  }
}

TEST(HttpServerSession, MutatedRequestsAlwaysEndWellFormed) {
  const std::string seeds[] = {
      "GET / HTTP/1.1\r\nHost: x\r\n\r\n",
      "POST /echo?a=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
      "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3;x=y\r\nabc\r\n0\r\nT: v\r\n\r\n",
      "PUT /missing HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nok",
      "GET http://x/echo HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
      "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n",
  };
  // Bytes that matter to the grammar, NUL included.
  static constexpr char kSpecialBytes[] = "\r\n :;,\t\0-9aZ%";
  constexpr std::string_view kSpecial(kSpecialBytes, sizeof kSpecialBytes - 1);
  std::mt19937 random(20251125);
  auto pick = [&](std::size_t n) { return static_cast<std::size_t>(random() % n); };
  for (int round = 0; round < 2000; ++round) {
    std::string input = seeds[pick(std::size(seeds))] + seeds[pick(std::size(seeds))];
    for (std::size_t m = 1 + pick(4); m > 0; --m) {
      const std::size_t at = pick(input.size());
      switch (pick(4)) {
        case 0:
          input[at] = static_cast<char>(random());
          break;
        case 1:
          input.insert(at, 1, kSpecial[pick(kSpecial.size())]);
          break;
        case 2:
          input.erase(at, 1 + pick(8));
          break;
        case 3:
          input.insert(at, input.substr(at, 1 + pick(40)));
          break;
      }
    }
    Harness h;
    std::string out = h.Feed(input, 1 + pick(64));
    if (!h.closed) out += h.Eof();
    ASSERT_TRUE(h.closed) << input;
    if (out.empty()) continue;
    const auto responses = ParseResponses(out);
    ASSERT_FALSE(responses.empty()) << "input: " << input << "\noutput: " << out;
    for (const Response& r : responses) {
      EXPECT_TRUE(r.HasHeader("Date")) << out;
      EXPECT_TRUE(r.HasHeader("Server")) << out;
      if (r.status != 100) {
        EXPECT_TRUE(r.HasHeader("Content-Length")) << out;
      }
    }
  }
}

}  // namespace
}  // namespace parley::http
