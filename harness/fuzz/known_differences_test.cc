#include "harness/fuzz/known_differences.h"

#include <gtest/gtest.h>

#include <string>

namespace parley::fuzz {
namespace {

struct Reading {
  FirstRequest ours;
  BeastReading beast;
};

Reading Read(std::string_view bytes) {
  return {FirstOf(ReadRequests({bytes}, http::Limits())), ReadWithBeast(bytes, 1 << 16, 1 << 20)};
}

std::optional<std::string_view> Known(std::string_view bytes) {
  const Reading r = Read(bytes);
  return KnownDifference(bytes, r.ours, r.beast, http::Limits());
}

TEST(KnownDifferences, BothReadAPlainRequestAlike) {
  constexpr std::string_view kRequest =
      "POST /a?b HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nX: y\r\nx: z\r\n\r\nabc";
  const Reading r = Read(kRequest);
  ASSERT_EQ(r.ours.outcome, FirstRequest::Outcome::kComplete);
  ASSERT_EQ(r.beast.outcome, BeastReading::Outcome::kComplete);
  EXPECT_EQ(CompareAccepted(r.ours.request, r.beast), "");
  EXPECT_EQ(r.beast.size, kRequest.size());
}

TEST(KnownDifferences, BothReadAChunkedBodyAlike) {
  constexpr std::string_view kRequest =
      "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3;x=\"y\"\r\nabc\r\n0\r\nT: 1\r\n\r\nGET / HTTP/1.1\r\n";
  const Reading r = Read(kRequest);
  ASSERT_EQ(r.ours.outcome, FirstRequest::Outcome::kComplete);
  EXPECT_EQ(CompareAccepted(r.ours.request, r.beast), "");
  EXPECT_EQ(r.ours.request.body, "abc");
}

TEST(KnownDifferences, ComparisonNamesTheFirstDifference) {
  const Reading r = Read("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
  BeastReading beast = r.beast;
  beast.size += 1;
  EXPECT_EQ(CompareAccepted(r.ours.request, beast), "request size: parley 27 bytes, Beast 28");
  beast = r.beast;
  beast.fields[0].second = "other";
  EXPECT_EQ(CompareAccepted(r.ours.request, beast), "field: parley [Host: h], Beast [Host: other]");
}

TEST(KnownDifferences, ExplainsEachIntendedDifference) {
  EXPECT_EQ(Known("GET / HTTP/1.1\r\n\r\n"), "host-required");
  EXPECT_EQ(Known("GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n"), "host-required");
  EXPECT_EQ(Known("GET / HTTP/1.1\r\nHost: a b\r\n\r\n"), "host-required");
  EXPECT_EQ(Known("GET /a#b HTTP/1.1\r\nHost: a\r\n\r\n"), "target-grammar");
  EXPECT_EQ(Known("CONNECT / HTTP/1.1\r\nHost: a\r\n\r\n"), "target-grammar");
  EXPECT_EQ(Known("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n"),
            "transfer-coding-list");
  // Found by a campaign: Beast reads an empty Transfer-Encoding line as no coding at all.
  EXPECT_EQ(Known("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\r\n"
                  "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
            "transfer-coding-list");
  EXPECT_EQ(Known("GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n"), "obs-fold-rejected");
  EXPECT_EQ(Known("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
            "no-transfer-encoding-in-http10");
  EXPECT_EQ(Known("\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"), "leading-empty-line");
  EXPECT_EQ(Known("GET / HTTP/1.2\r\nHost: a\r\n\r\n"), "http-1x-versions");
  EXPECT_EQ(Known("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                  "0\r\nContent-Length: x\r\n\r\n"),
            "trailer-fields");
  EXPECT_EQ(Known("GET / HTTP/1.0\r\nConnection: a b\r\n\r\n"), "connection-options");
  EXPECT_EQ(Known("GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n"),
            "close-wins-in-http10");
  // Found by a campaign: Beast lets a Connection trailer field decide keep-alive.
  EXPECT_EQ(Known("GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                  "0\r\nConnection: CLOSE\r\n\r\n"),
            "connection-in-trailer");
  EXPECT_EQ(Known("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                  "1;a=\"\x01\"\r\nz\r\n0\r\n\r\n"),
            "chunk-extension-grammar");
  EXPECT_EQ(Known(std::string(33, 'M') + " / HTTP/1.1\r\nHost: a\r\n\r\n"), "limits");
}

TEST(KnownDifferences, LeavesOtherDisagreementsUnexplained) {
  // A valid Host that parley rejected would be a parley bug: the classifier must not excuse it.
  Reading r = Read("GET / HTTP/1.1\r\nHost: example.com:80\r\n\r\n");
  r.ours.outcome = FirstRequest::Outcome::kError;
  r.ours.error = http::ParseError::kInvalidHost;
  EXPECT_EQ(KnownDifference("GET / HTTP/1.1\r\nHost: example.com:80\r\n\r\n", r.ours, r.beast,
                            http::Limits()),
            std::nullopt);
  // Likewise a plain origin-form target.
  r = Read("GET /a/b?c=%41 HTTP/1.1\r\nHost: a\r\n\r\n");
  r.ours.outcome = FirstRequest::Outcome::kError;
  r.ours.error = http::ParseError::kInvalidTarget;
  EXPECT_EQ(KnownDifference("GET /a/b?c=%41 HTTP/1.1\r\nHost: a\r\n\r\n", r.ours, r.beast,
                            http::Limits()),
            std::nullopt);
  // Likewise a method within the limit.
  const std::string method = std::string(32, 'M') + " / HTTP/1.1\r\nHost: a\r\n\r\n";
  r = Read(method);
  r.ours.outcome = FirstRequest::Outcome::kError;
  r.ours.error = http::ParseError::kMethodTooLong;
  EXPECT_EQ(KnownDifference(method, r.ours, r.beast, http::Limits()), std::nullopt);
}

}  // namespace
}  // namespace parley::fuzz
