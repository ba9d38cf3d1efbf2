#include "harness/fuzz/http_stream.h"

#include <gtest/gtest.h>

#include <string>

#include "harness/fuzz/fuzz_support.h"

namespace parley::fuzz {
namespace {

constexpr std::string_view kPipelined =
    "GET / HTTP/1.1\r\nHost: a\r\n\r\n"
    "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
    "PUT /x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc";

TEST(HttpStream, ReadsPipelinedRequestsWithTheirBodies) {
  const ParsedStream stream = ReadRequests({kPipelined}, http::Limits());
  ASSERT_EQ(stream.requests.size(), 3u) << Describe(stream);
  EXPECT_EQ(stream.end, StreamEnd::kClean);
  EXPECT_EQ(stream.consumed, kPipelined.size());
  EXPECT_EQ(stream.requests[0].method, "GET");
  EXPECT_EQ(stream.requests[0].size, 27u);
  EXPECT_EQ(stream.requests[1].body, "hello");
  EXPECT_EQ(stream.requests[1].framing, http::BodyFraming::kChunked);
  EXPECT_EQ(stream.requests[2].body, "abc");
  EXPECT_EQ(stream.requests[2].fields.size(), 2u);
}

TEST(HttpStream, PiecesReadLikeTheWhole) {
  const ParsedStream whole = ReadRequests({kPipelined}, http::Limits());
  for (std::uint32_t hash = 0; hash < 16; ++hash) {
    const ParsedStream split =
        ReadRequests(Pieces(kPipelined, SplitPoints(kPipelined, hash)), http::Limits());
    EXPECT_EQ(split, whole) << "hash " << hash << ":\n" << Describe(split);
  }
}

TEST(HttpStream, ReportsTheErrorThatEndsTheStream) {
  const ParsedStream stream = ReadRequests(
      {"GET / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost : a\r\n\r\n"}, http::Limits());
  ASSERT_EQ(stream.requests.size(), 1u);
  EXPECT_EQ(stream.end, StreamEnd::kError);
  EXPECT_EQ(stream.error, http::ParseError::kWhitespaceBeforeColon);
  EXPECT_FALSE(stream.error_in_body);
}

TEST(HttpStream, ReportsBodyErrorsWithTheRequestMethod) {
  const ParsedStream stream = ReadRequests(
      {"HEAD / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"}, http::Limits());
  EXPECT_TRUE(stream.requests.empty());
  EXPECT_EQ(stream.error, http::ParseError::kInvalidChunkSize);
  EXPECT_TRUE(stream.error_in_body);
  EXPECT_EQ(stream.body_method, "HEAD");
}

TEST(HttpStream, TellsACutShortRequestFromACleanEnd) {
  EXPECT_EQ(ReadRequests({"GET / HTTP/1.1\r\nHo"}, http::Limits()).end, StreamEnd::kIncomplete);
  EXPECT_EQ(
      ReadRequests({"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nab"}, http::Limits())
          .end,
      StreamEnd::kIncomplete);
  EXPECT_EQ(ReadRequests({""}, http::Limits()).end, StreamEnd::kClean);
}

TEST(HttpStream, StopsAtTheRequestCap) {
  std::string many;
  for (int i = 0; i < 10; ++i)
    many += "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
  const ParsedStream stream = ReadRequests({many}, http::Limits(), 4);
  EXPECT_EQ(stream.requests.size(), 4u);
  EXPECT_EQ(stream.end, StreamEnd::kCapped);
}

}  // namespace
}  // namespace parley::fuzz
