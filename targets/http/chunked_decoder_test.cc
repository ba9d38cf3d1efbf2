#include "targets/http/chunked_decoder.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "harness/testing/guarded_buffer.h"

namespace parley::http {
namespace {

using namespace std::string_literals;

struct Decoded {
  ChunkedStatus status = ChunkedStatus::kIncomplete;
  ParseError error = ParseError::kNone;
  std::string data;
  std::size_t consumed = 0;

  bool operator==(const Decoded&) const = default;
};

std::ostream& operator<<(std::ostream& out, const Decoded& d) {
  return out << "status=" << int(d.status) << " error=" << ErrorText(d.error) << " data=\""
             << d.data << "\" consumed=" << d.consumed;
}

// Offers `body` in pieces ending at `ends` (ascending), each piece at the end of a page followed
// by an unreadable page, calling Decode until each piece is used up or the body ends.
Decoded Feed(std::string_view body, const std::vector<std::size_t>& ends, const Limits& limits) {
  ChunkedDecoder decoder(limits);
  test::GuardedBuffer buffer;
  Decoded result;
  std::size_t begin = 0;
  for (std::size_t end : ends) {
    std::string_view piece = buffer.Assign(body.substr(begin, end - begin));
    begin = end;
    while (true) {
      const ChunkedStep step = decoder.Decode(piece);
      result.data.append(step.data);
      result.consumed += step.consumed;
      result.status = step.status;
      result.error = step.error;
      if (step.status != ChunkedStatus::kIncomplete) return result;
      if (step.consumed == piece.size()) break;
      if (step.consumed == 0) {
        ADD_FAILURE() << "Decode made no progress";
        return result;
      }
      piece.remove_prefix(step.consumed);
    }
  }
  return result;
}

// Decodes whole, split in two at every point, and byte by byte; all must agree. Bodies longer
// than a few KiB, which only the limit tests use, are split at every point near their start and
// end and every 61st between.
Decoded DecodeEveryWay(std::string_view body, const Limits& limits = Limits()) {
  const Decoded whole = Feed(body, {body.size()}, limits);
  constexpr std::size_t kEverySplit = 4096;
  for (std::size_t at = 1; at < body.size(); ++at) {
    if (body.size() > kEverySplit && at > 256 && at + 256 < body.size() && at % 61 != 0) {
      continue;
    }
    const Decoded split = Feed(body, {at, body.size()}, limits);
    EXPECT_EQ(split, whole) << "split at " << at;
    if (split != whole) break;
  }
  std::vector<std::size_t> bytewise;
  for (std::size_t end = 1; end <= body.size(); ++end)
    bytewise.push_back(end);
  EXPECT_EQ(Feed(body, bytewise, limits), whole) << "byte by byte";
  return whole;
}

struct Rejected {
  std::string body;
  ParseError error;
  int status;
};

void ExpectRejected(const std::vector<Rejected>& cases, const Limits& limits = Limits()) {
  for (const Rejected& c : cases) {
    SCOPED_TRACE(c.body);
    const Decoded d = DecodeEveryWay(c.body, limits);
    EXPECT_EQ(d.status, ChunkedStatus::kError);
    EXPECT_EQ(ErrorText(d.error), ErrorText(c.error));
    EXPECT_EQ(ErrorStatus(d.error), c.status);
  }
}

// Decodes `body` followed by bytes of the next request, which must be left unconsumed.
void ExpectDecoded(const std::string& body, const std::string& data,
                   const Limits& limits = Limits()) {
  SCOPED_TRACE(body);
  const Decoded d = DecodeEveryWay(body + "GET / HTTP/1.1\r\n", limits);
  EXPECT_EQ(d.status, ChunkedStatus::kDone) << ErrorText(d.error);
  EXPECT_EQ(d.data, data);
  EXPECT_EQ(d.consumed, body.size());
}

TEST(HttpChunkedDecoder, Chunks) {
  ExpectDecoded("0\r\n\r\n", "");
  ExpectDecoded("5\r\nhello\r\n0\r\n\r\n", "hello");
  ExpectDecoded("5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", "hello world");
  ExpectDecoded("A\r\n0123456789\r\na\r\nabcdefghij\r\n0\r\n\r\n", "0123456789abcdefghij");
  ExpectDecoded("005\r\nhello\r\n000\r\n\r\n", "hello");
  ExpectDecoded("00000000000000000000001\r\nx\r\n0\r\n\r\n", "x");
  ExpectDecoded("4\r\n\r\n\r\n\r\n0\r\n\r\n", "\r\n\r\n");
  ExpectDecoded("3\r\n\x00\xff\n\r\n0\r\n\r\n"s, "\x00\xff\n"s);
  const std::string big(4096, 'z');
  ExpectDecoded("1000\r\n" + big + "\r\n0\r\n\r\n", big);
}

TEST(HttpChunkedDecoder, IncompleteBodies) {
  for (const std::string body :
       {"", "5", "5\r", "5\r\n", "5\r\nhel", "5\r\nhello", "5\r\nhello\r", "5\r\nhello\r\n",
        "0\r\n", "0\r\n\r", "0\r\nX: y\r\n", "5;a=\"b", "0\r\nX"}) {
    const Decoded d = DecodeEveryWay(body);
    EXPECT_EQ(d.status, ChunkedStatus::kIncomplete) << body;
    EXPECT_EQ(d.consumed, body.size()) << body;
  }
}

TEST(HttpChunkedDecoder, RejectsBadSizes) {
  ExpectRejected({
      {" 5\r\nhello\r\n0\r\n\r\n", ParseError::kInvalidChunkSize, 400},
      {"+1\r\nx\r\n0\r\n\r\n", ParseError::kInvalidChunkSize, 400},
      {"-1\r\nx\r\n0\r\n\r\n", ParseError::kInvalidChunkSize, 400},
      {"0x10\r\n", ParseError::kInvalidChunkSize, 400},
      {"\r\n", ParseError::kInvalidChunkSize, 400},
      {"g\r\n", ParseError::kInvalidChunkSize, 400},
      {"5 \r\nhello\r\n0\r\n\r\n", ParseError::kInvalidChunkSize, 400},
      {"5\t\r\nhello\r\n0\r\n\r\n", ParseError::kInvalidChunkSize, 400},
      {"5,\r\nhello\r\n", ParseError::kInvalidChunkSize, 400},
      {"5\nhello\r\n0\r\n\r\n", ParseError::kBareLf, 400},
      {"5\rhello\r\n", ParseError::kBareCr, 400},
      {"10000000000000000\r\n", ParseError::kChunkSizeOverflow, 400},
      {"fffffffffffffffff\r\n", ParseError::kChunkSizeOverflow, 400},
      {"ffffffffffffffff\r\n", ParseError::kBodyTooLarge, 413},
  });
}

TEST(HttpChunkedDecoder, Extensions) {
  for (const std::string ext :
       {";a", ";a=b", " ; a = b", "\t;\ta\t=\tb", ";a=\"q s\\\"x\"", ";a;b=c;d=\"\"",
        ";a=\"\x80\\\x80\"", ";!#$%&'*+-.^_`|~=!#$%&'*+-.^_`|~", ";a=b ;c", ";a=\"x\" ;c"}) {
    ExpectDecoded("5" + ext + "\r\nhello\r\n0" + ext + "\r\n\r\n", "hello");
  }
  ExpectRejected({
      {"5;\r\nhello\r\n", ParseError::kInvalidChunkExtension, 400},
      {"5;=b\r\nhello\r\n", ParseError::kInvalidChunkExtension, 400},
      {"5;a=\r\nhello\r\n", ParseError::kInvalidChunkExtension, 400},
      {"5;a b\r\nhello\r\n", ParseError::kInvalidChunkExtension, 400},
      {"5;a=b c\r\nhello\r\n", ParseError::kInvalidChunkExtension, 400},
      {"5;a=b \r\nhello\r\n", ParseError::kInvalidChunkExtension, 400},
      {"5;a \r\nhello\r\n", ParseError::kInvalidChunkExtension, 400},
      {"5;;a\r\nhello\r\n", ParseError::kInvalidChunkExtension, 400},
      {"5;a=\"x\"y\r\nhello\r\n", ParseError::kInvalidChunkExtension, 400},
      {"5;a=\"open\r\nhello\r\n", ParseError::kInvalidChunkExtension, 400},
      {"5;a=\"\x01\"\r\nhello\r\n", ParseError::kInvalidChunkExtension, 400},
      {"5;a=\"\\\x01\"\r\nhello\r\n", ParseError::kInvalidChunkExtension, 400},
      {"5;a(b\r\nhello\r\n", ParseError::kInvalidChunkExtension, 400},
      {"5;a=b\nhello\r\n", ParseError::kBareLf, 400},
      {"5;a=b\rhello\r\n", ParseError::kBareCr, 400},
  });
}

TEST(HttpChunkedDecoder, ExtensionLengthLimit) {
  Limits limits;
  limits.max_chunk_extensions = 16;
  const std::string fits = ";" + std::string(15, 'e');
  ExpectDecoded("5" + fits + "\r\nhello\r\n0\r\n\r\n", "hello", limits);
  ExpectDecoded("5  ;a=\"" + std::string(8, ' ') + "\"\r\nhello\r\n0\r\n\r\n", "hello", limits);
  ExpectRejected(
      {
          {"5" + fits + "e\r\nhello\r\n0\r\n\r\n", ParseError::kChunkExtensionsTooLong, 400},
          {"5" + std::string(17, ' ') + ";a\r\n", ParseError::kChunkExtensionsTooLong, 400},
          {"0;a=\"" + std::string(100, 'q'), ParseError::kChunkExtensionsTooLong, 400},
      },
      limits);
  const std::string longest = ";" + std::string(1023, 'e');
  ExpectDecoded("5" + longest + "\r\nhello\r\n0\r\n\r\n", "hello");
  ExpectRejected({{"5" + longest + "e\r\n", ParseError::kChunkExtensionsTooLong, 400}});
}

TEST(HttpChunkedDecoder, RejectsBadDataEnds) {
  ExpectRejected({
      {"5\r\nhelloX\r\n0\r\n\r\n", ParseError::kMissingChunkDataCrlf, 400},
      {"5\r\nhello\n0\r\n\r\n", ParseError::kMissingChunkDataCrlf, 400},
      {"5\r\nhello\rX0\r\n\r\n", ParseError::kMissingChunkDataCrlf, 400},
      {"5\r\nhello\r\r\n0\r\n\r\n", ParseError::kMissingChunkDataCrlf, 400},
      {"5\r\nhello world\r\n0\r\n\r\n", ParseError::kMissingChunkDataCrlf, 400},
  });
}

TEST(HttpChunkedDecoder, Trailers) {
  ExpectDecoded("0\r\nX: y\r\n\r\n", "");
  ExpectDecoded("5\r\nhello\r\n0\r\nX: y\r\nZ:\r\nEmpty-Value:   \r\n\r\n", "hello");
  ExpectDecoded("0\r\nX:  a b\t\r\n\r\n", "");
  ExpectDecoded("0\r\nX: \x80\xff\r\n\r\n", "");
  ExpectDecoded("0\r\nContent-Length: 5\r\n\r\n", "");
  ExpectRejected({
      {"0\r\n X: y\r\n\r\n", ParseError::kObsFold, 400},
      {"0\r\nX: y\r\n\tz\r\n\r\n", ParseError::kObsFold, 400},
      {"0\r\nX : y\r\n\r\n", ParseError::kWhitespaceBeforeColon, 400},
      {"0\r\n: y\r\n\r\n", ParseError::kInvalidFieldName, 400},
      {"0\r\nX\x01: y\r\n\r\n", ParseError::kInvalidFieldName, 400},
      {"0\r\nX\r\n\r\n", ParseError::kMissingColon, 400},
      {"0\r\nX: a\x00\r\n\r\n"s, ParseError::kInvalidFieldValue, 400},
      {"0\r\nX: a\x7f\r\n\r\n", ParseError::kInvalidFieldValue, 400},
      {"0\r\nX: a\n\r\n", ParseError::kBareLf, 400},
      {"0\r\nX: a\rb\r\n\r\n", ParseError::kBareCr, 400},
      {"0\r\nX\rb\r\n\r\n", ParseError::kBareCr, 400},
      {"0\r\n\n", ParseError::kBareLf, 400},
      {"0\r\n\rX", ParseError::kBareCr, 400},
      {"0\n\r\n", ParseError::kBareLf, 400},
  });
}

TEST(HttpChunkedDecoder, TrailerSectionLimit) {
  Limits limits;
  limits.max_trailer_section = 16;
  ExpectDecoded("0\r\nX: 123456789\r\n\r\n", "", limits);
  ExpectRejected({{"0\r\nX: 1234567890\r\n\r\n", ParseError::kTrailerSectionTooLarge, 431},
                  {"0\r\nX: " + std::string(100, 'v'), ParseError::kTrailerSectionTooLarge, 431}},
                 limits);
  const std::string most = "X: " + std::string(16 * 1024 - 7, 'v') + "\r\n";
  ExpectDecoded("0\r\n" + most + "\r\n", "");
  ExpectRejected({{"0\r\nY" + most + "\r\n", ParseError::kTrailerSectionTooLarge, 431}});
}

TEST(HttpChunkedDecoder, BodyLimit) {
  Limits limits;
  limits.max_body = 10;
  ExpectDecoded("5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n", "helloworld", limits);
  ExpectDecoded("a\r\nhelloworld\r\n0\r\n\r\n", "helloworld", limits);
  ExpectRejected({{"5\r\nhello\r\n6\r\nworld!\r\n0\r\n\r\n", ParseError::kBodyTooLarge, 413},
                  {"b\r\n", ParseError::kBodyTooLarge, 413},
                  {"b;ext\r\n", ParseError::kBodyTooLarge, 413}},
                 limits);
  const std::string mib(1024 * 1024, 'm');
  ChunkedDecoder decoder;
  const std::string body = "100000\r\n" + mib + "\r\n1\r\n";
  std::string_view rest = body;
  ChunkedStep step;
  std::size_t data = 0;
  do {
    step = decoder.Decode(rest);
    data += step.data.size();
    rest.remove_prefix(step.consumed);
  } while (step.status == ChunkedStatus::kIncomplete && !rest.empty());
  EXPECT_EQ(data, mib.size());
  EXPECT_EQ(step.status, ChunkedStatus::kError);
  EXPECT_EQ(step.error, ParseError::kBodyTooLarge);
}

TEST(HttpChunkedDecoder, HandsOutDataAsItArrives) {
  ChunkedDecoder decoder;
  ChunkedStep step = decoder.Decode("a\r\nhel");
  EXPECT_EQ(step.status, ChunkedStatus::kIncomplete);
  EXPECT_EQ(step.data, "hel");
  EXPECT_EQ(step.consumed, 6u);
  step = decoder.Decode("lo");
  EXPECT_EQ(step.data, "lo");
  EXPECT_EQ(step.consumed, 2u);
  // Data first; the rest is decoded on the next call.
  step = decoder.Decode("world\r\n0\r\n\r\nnext");
  EXPECT_EQ(step.data, "world");
  EXPECT_EQ(step.consumed, 5u);
  EXPECT_EQ(step.status, ChunkedStatus::kIncomplete);
  step = decoder.Decode("\r\n0\r\n\r\nnext");
  EXPECT_EQ(step.status, ChunkedStatus::kDone);
  EXPECT_EQ(step.data, "");
  EXPECT_EQ(step.consumed, 7u);
}

TEST(HttpChunkedDecoder, ResultsAreFinalUntilReset) {
  ChunkedDecoder decoder;
  EXPECT_EQ(decoder.Decode("0\r\n\r\n").status, ChunkedStatus::kDone);
  ChunkedStep step = decoder.Decode("5\r\nhello\r\n");
  EXPECT_EQ(step.status, ChunkedStatus::kDone);
  EXPECT_EQ(step.consumed, 0u);
  decoder.Reset();
  step = decoder.Decode("x\r\n");
  EXPECT_EQ(step.status, ChunkedStatus::kError);
  EXPECT_EQ(step.error, ParseError::kInvalidChunkSize);
  step = decoder.Decode("0\r\n\r\n");
  EXPECT_EQ(step.status, ChunkedStatus::kError);
  EXPECT_EQ(step.error, ParseError::kInvalidChunkSize);
  EXPECT_EQ(step.consumed, 0u);
  decoder.Reset();
  step = decoder.Decode("1\r\nx\r\n0\r\n\r\n");
  EXPECT_EQ(step.data, "x");
}

// Random edits of valid bodies, mostly invalid ones, must decode the same however the bytes are
// split: whole, byte by byte, and in random pieces, with default and tight limits.
TEST(HttpChunkedDecoder, MutatedBodiesDecodeTheSameInAnyPieces) {
  const std::vector<std::string> seeds = {
      "5;a=b\r\nhello\r\n6 ; q=\"x\\\"y\"\r\n world\r\n0\r\nT: v\r\nU:\r\n\r\nnext",
      "b\r\nhello world\r\n0\r\n\r\n",
      "1\r\n\r\r\n10\r\n0123456789abcdef\r\n0;e\r\n\r\n",
  };
  static constexpr char kByteArray[] =
      "\r\n \t:;=\"\\\x00\x7f\x80"
      "0aFgx-";
  constexpr std::string_view kBytes(kByteArray, sizeof(kByteArray) - 1);
  std::mt19937 random(20240612);
  const auto below = [&](std::size_t n) { return n == 0 ? 0 : std::size_t(random() % n); };
  for (int round = 0; round < 600; ++round) {
    std::string body = seeds[below(seeds.size())];
    for (std::size_t edits = 1 + below(3); edits > 0; --edits) {
      const std::size_t at = below(body.size() + 1);
      const char byte = kBytes[below(kBytes.size())];
      switch (below(3)) {
        case 0:
          if (at < body.size()) body[at] = byte;
          break;
        case 1:
          body.insert(body.begin() + static_cast<std::ptrdiff_t>(at), byte);
          break;
        default:
          if (at < body.size()) body.erase(at, 1 + below(4));
          break;
      }
    }
    Limits limits;
    if (round % 2 == 0) {
      limits.max_body = 5 + below(20);
      limits.max_chunk_extensions = 1 + below(12);
      limits.max_trailer_section = 2 + below(10);
    }
    SCOPED_TRACE(body);
    const Decoded whole = Feed(body, {body.size()}, limits);
    std::vector<std::size_t> bytewise;
    for (std::size_t end = 1; end <= body.size(); ++end)
      bytewise.push_back(end);
    ASSERT_EQ(Feed(body, bytewise, limits), whole) << "byte by byte";
    for (int split = 0; split < 4; ++split) {
      std::vector<std::size_t> ends = {below(body.size() + 1), below(body.size() + 1), body.size()};
      std::sort(ends.begin(), ends.end());
      ASSERT_EQ(Feed(body, ends, limits), whole)
          << "pieces ending at " << ends[0] << ", " << ends[1];
    }
  }
}

}  // namespace
}  // namespace parley::http
