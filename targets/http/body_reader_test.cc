#include "targets/http/body_reader.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <ostream>
#include <string>
#include <vector>

#include "harness/testing/guarded_buffer.h"
#include "targets/http/request_parser.h"

namespace parley::http {
namespace {

struct Body {
  BodyStatus status = BodyStatus::kIncomplete;
  ParseError error = ParseError::kNone;
  std::string data;
  std::size_t consumed = 0;
  std::uint64_t decoded = 0;

  bool operator==(const Body&) const = default;
};

std::ostream& operator<<(std::ostream& out, const Body& b) {
  return out << "status=" << int(b.status) << " error=" << ErrorText(b.error) << " data=\""
             << b.data << "\" consumed=" << b.consumed << " decoded=" << b.decoded;
}

struct Framing {
  BodyFraming framing;
  std::uint64_t content_length;
};

// Offers `bytes` in pieces ending at `ends` (ascending), each piece at the end of a page
// followed by an unreadable page, calling Read until each piece is used up or the body ends.
Body Feed(std::string_view bytes, const std::vector<std::size_t>& ends, Framing framing,
          const Limits& limits) {
  BodyReader reader(limits);
  reader.Reset(framing.framing, framing.content_length);
  test::GuardedBuffer buffer;
  Body result;
  std::size_t begin = 0;
  for (std::size_t end : ends) {
    std::string_view piece = buffer.Assign(bytes.substr(begin, end - begin));
    begin = end;
    while (true) {
      const BodyStep step = reader.Read(piece);
      result.data.append(step.data);
      result.consumed += step.consumed;
      result.status = step.status;
      result.error = step.error;
      result.decoded = reader.decoded();
      if (step.status != BodyStatus::kIncomplete) return result;
      if (step.consumed == piece.size()) break;
      if (step.consumed == 0) {
        ADD_FAILURE() << "Read made no progress";
        return result;
      }
      piece.remove_prefix(step.consumed);
    }
  }
  return result;
}

// Reads whole, split in two at every point, and byte by byte; all must agree.
Body ReadEveryWay(std::string_view bytes, Framing framing, const Limits& limits = Limits()) {
  const Body whole = Feed(bytes, {bytes.size()}, framing, limits);
  for (std::size_t at = 1; at < bytes.size(); ++at) {
    const Body split = Feed(bytes, {at, bytes.size()}, framing, limits);
    EXPECT_EQ(split, whole) << "split at " << at;
    if (split != whole) break;
  }
  std::vector<std::size_t> bytewise;
  for (std::size_t end = 1; end <= bytes.size(); ++end)
    bytewise.push_back(end);
  EXPECT_EQ(Feed(bytes, bytewise, framing, limits), whole) << "byte by byte";
  return whole;
}

const std::string kNext = "GET /next HTTP/1.1\r\nHost: a\r\n\r\n";

TEST(HttpBodyReader, NoBody) {
  const Body b = ReadEveryWay(kNext, {BodyFraming::kNone, 0});
  EXPECT_EQ(b.status, BodyStatus::kDone);
  EXPECT_EQ(b.consumed, 0u);
  EXPECT_EQ(b.data, "");
  BodyReader reader;
  reader.Reset(BodyFraming::kNone, 0);
  EXPECT_EQ(reader.Read("").status, BodyStatus::kDone);
}

TEST(HttpBodyReader, ContentLength) {
  const std::vector<std::string> bodies = {"", "x", "hello", "\r\n0\r\n\r\n",
                                           std::string(3000, 'b')};
  for (const std::string& body : bodies) {
    SCOPED_TRACE(body.size());
    const Body b = ReadEveryWay(body + kNext, {BodyFraming::kContentLength, body.size()});
    EXPECT_EQ(b.status, BodyStatus::kDone);
    EXPECT_EQ(b.data, body);
    EXPECT_EQ(b.consumed, body.size());
    EXPECT_EQ(b.decoded, body.size());
  }
  const Body partial = ReadEveryWay("hel", {BodyFraming::kContentLength, 5});
  EXPECT_EQ(partial.status, BodyStatus::kIncomplete);
  EXPECT_EQ(partial.data, "hel");
  EXPECT_EQ(partial.decoded, 3u);
}

TEST(HttpBodyReader, ContentLengthLimit) {
  Limits limits;
  limits.max_body = 5;
  EXPECT_EQ(ReadEveryWay("hello", {BodyFraming::kContentLength, 5}, limits).status,
            BodyStatus::kDone);
  BodyReader reader(limits);
  reader.Reset(BodyFraming::kContentLength, 6);
  for (int i = 0; i < 2; ++i) {
    const BodyStep step = reader.Read("hello!");
    EXPECT_EQ(step.status, BodyStatus::kError);
    EXPECT_EQ(step.error, ParseError::kBodyTooLarge);
    EXPECT_EQ(ErrorStatus(step.error), 413);
    EXPECT_EQ(step.consumed, 0u);
  }
  EXPECT_EQ(reader.Read("").error, ParseError::kBodyTooLarge);

  BodyReader defaults;
  defaults.Reset(BodyFraming::kContentLength, 1024 * 1024 + 1);
  EXPECT_EQ(defaults.Read("").error, ParseError::kBodyTooLarge);
  defaults.Reset(BodyFraming::kContentLength, 18446744073709551615u);
  EXPECT_EQ(defaults.Read("x").error, ParseError::kBodyTooLarge);
  defaults.Reset(BodyFraming::kContentLength, 1024 * 1024);
  EXPECT_EQ(defaults.Read("x").status, BodyStatus::kIncomplete);
}

TEST(HttpBodyReader, Chunked) {
  const std::string body = "5;ext=1\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\nT: v\r\n\r\n";
  const Body b = ReadEveryWay(body + kNext, {BodyFraming::kChunked, 0});
  EXPECT_EQ(b.status, BodyStatus::kDone);
  EXPECT_EQ(b.data, "hello world");
  EXPECT_EQ(b.consumed, body.size());
  EXPECT_EQ(b.decoded, 11u);

  const Body bad = ReadEveryWay("5\r\nhello\r\nzz\r\n", {BodyFraming::kChunked, 0});
  EXPECT_EQ(bad.status, BodyStatus::kError);
  EXPECT_EQ(bad.error, ParseError::kInvalidChunkSize);
  EXPECT_EQ(bad.data, "hello");
}

TEST(HttpBodyReader, ChunkedLimit) {
  Limits limits;
  limits.max_body = 8;
  const Body b =
      ReadEveryWay("5\r\nhello\r\n4\r\nworl\r\n0\r\n\r\n", {BodyFraming::kChunked, 0}, limits);
  EXPECT_EQ(b.status, BodyStatus::kError);
  EXPECT_EQ(b.error, ParseError::kBodyTooLarge);
  EXPECT_EQ(b.data, "hello");
}

TEST(HttpBodyReader, ErrorsAreFinalUntilReset) {
  BodyReader reader;
  reader.Reset(BodyFraming::kChunked, 0);
  EXPECT_EQ(reader.Read("x\r\n").error, ParseError::kInvalidChunkSize);
  const BodyStep again = reader.Read("0\r\n\r\n");
  EXPECT_EQ(again.status, BodyStatus::kError);
  EXPECT_EQ(again.error, ParseError::kInvalidChunkSize);
  reader.Reset(BodyFraming::kChunked, 0);
  const BodyStep fresh = reader.Read("0\r\n\r\n");
  EXPECT_EQ(fresh.status, BodyStatus::kDone);
  EXPECT_EQ(fresh.consumed, 5u);
  reader.Reset(BodyFraming::kContentLength, 2);
  EXPECT_EQ(reader.Read("ab").data, "ab");
  EXPECT_EQ(reader.decoded(), 2u);
}

std::string ReadTestdata(const std::string& name) {
  std::ifstream in(std::string(PARLEY_HTTP_TESTDATA_DIR) + "/" + name, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

TEST(HttpBodyReader, ChunkedPostReferenceRequest) {
  const std::string request = ReadTestdata("request-chunked-post-520.http");
  ASSERT_EQ(request.size(), 520u);
  RequestParser parser;
  ASSERT_EQ(parser.Parse(request), ParseStatus::kComplete);
  ASSERT_EQ(parser.head().framing, BodyFraming::kChunked);
  const std::string_view rest = std::string_view(request).substr(parser.head_size());
  const Body b = ReadEveryWay(std::string(rest) + kNext, {BodyFraming::kChunked, 0});
  EXPECT_EQ(b.status, BodyStatus::kDone);
  EXPECT_EQ(b.data, "hello world");
  EXPECT_EQ(b.consumed, rest.size());
}

TEST(HttpBodyReader, PipelinedRequestsWithBodies) {
  const std::string bytes =
      "POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc"
      "POST /b HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nde\r\n0\r\n\r\n"
      "GET /c HTTP/1.1\r\nHost: h\r\n\r\n";
  RequestParser parser;
  BodyReader reader;
  std::string_view rest = bytes;
  std::vector<std::string> seen;
  while (!rest.empty()) {
    parser.Reset();
    ASSERT_EQ(parser.Parse(rest), ParseStatus::kComplete);
    std::string entry(parser.head().target);
    reader.Reset(parser.head().framing, parser.head().content_length);
    rest.remove_prefix(parser.head_size());
    BodyStep step;
    do {
      step = reader.Read(rest);
      entry.append(step.data);
      rest.remove_prefix(step.consumed);
    } while (step.status == BodyStatus::kIncomplete && !rest.empty());
    ASSERT_EQ(step.status, BodyStatus::kDone);
    seen.push_back(entry);
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"/aabc", "/bde", "/c"}));
}

}  // namespace
}  // namespace parley::http
