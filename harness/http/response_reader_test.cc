#include "harness/http/response_reader.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "harness/testing/guarded_buffer.h"
#include "harness/text/bytes_text.h"

namespace parley::harness {
namespace {

using namespace std::string_literals;

using test::GuardedBuffer;

// Every Feed in these tests reads from the end of a guarded buffer.
std::size_t FeedGuarded(ResponseReader& reader, std::string_view bytes) {
  static GuardedBuffer buffer;
  std::size_t used = 0;
  while (true) {
    const std::string_view piece = bytes.substr(used);
    const std::size_t taken = reader.Feed(buffer.Assign(piece));
    used += taken;
    if (taken < piece.size() || used == bytes.size()) return used;
  }
}

std::string Describe(const HttpResponse& r) {
  std::string out = "HTTP/1." + std::to_string(r.version_minor) + " " + std::to_string(r.status) +
                    " \"" + EscapeBytes(r.reason) + "\"";
  for (const auto& [name, value] : r.headers)
    out += " [" + name + ": " + EscapeBytes(value) + "]";
  if (!r.body.empty()) out += " body \"" + EscapeBytes(r.body) + "\"";
  if (r.interim) out += " interim";
  if (r.chunked) out += " chunked";
  if (r.close_delimited) out += " close-delimited";
  for (const auto& [name, value] : r.trailers) {
    out += " trailer[" + name + ": " + EscapeBytes(value) + "]";
  }
  return out;
}

struct ReadOptions {
  std::vector<std::string> methods = {};
  bool eof = true;
  ResponseLimits limits = {};
};

struct Outcome {
  std::vector<HttpResponse> responses;
  std::size_t consumed = 0;
  std::string error;
  bool in_progress = false;
  std::size_t completed = 0;

  std::vector<std::string> Described() const {
    std::vector<std::string> out;
    for (const HttpResponse& r : responses)
      out.push_back(Describe(r));
    return out;
  }
  // Each response's head is a status line through the empty line, and the heads stand in
  // `input` in order, each after the one before.
  bool HeadsStandInOrder(std::string_view input) const {
    std::size_t from = 0;
    for (const HttpResponse& r : responses) {
      if (!r.head.starts_with("HTTP/1.") || !r.head.ends_with("\r\n\r\n")) return false;
      const std::size_t at = input.find(r.head, from);
      if (at == std::string_view::npos) return false;
      from = at + r.head.size();
    }
    return true;
  }
  // Everything observable, for comparing two ways of feeding the same bytes.
  std::string Dump() const {
    std::string out;
    for (const HttpResponse& r : responses)
      out += Describe(r) + "\n  head " + EscapeBytes(r.head) + "\n";
    return out + "error: " + error + "\nconsumed " + std::to_string(consumed) +
           (in_progress ? ", in progress" : "") + ", completed " + std::to_string(completed);
  }
};

Outcome Play(const std::vector<std::string_view>& pieces, const ReadOptions& setup) {
  ResponseReader reader(setup.limits);
  for (const std::string& method : setup.methods)
    reader.ExpectResponseTo(method);
  Outcome out;
  const auto drain = [&] {
    while (auto response = reader.Next())
      out.responses.push_back(std::move(*response));
  };
  for (std::string_view piece : pieces) {
    out.consumed += FeedGuarded(reader, piece);
    drain();
  }
  if (setup.eof) reader.FeedEof();
  drain();
  out.error = reader.error();
  out.in_progress = reader.in_progress();
  out.completed = reader.completed();
  return out;
}

Outcome Play(std::string_view bytes, const ReadOptions& setup) {
  return Play(std::vector<std::string_view>{bytes}, setup);
}

// The same bytes fed in two pieces at every split point, in three pieces at every pair of
// points (short inputs), and one byte at a time, must read exactly as fed in one piece.
void ExpectSameAtEverySplit(std::string_view bytes, const ReadOptions& setup) {
  const std::string whole = Play(bytes, setup).Dump();
  for (std::size_t i = 0; i <= bytes.size(); ++i) {
    const std::string split = Play({bytes.substr(0, i), bytes.substr(i)}, setup).Dump();
    ASSERT_EQ(split, whole) << "split at byte " << i;
  }
  if (bytes.size() <= 100) {
    for (std::size_t i = 1; i < bytes.size(); ++i) {
      for (std::size_t j = i + 1; j < bytes.size(); ++j) {
        const std::string split =
            Play({bytes.substr(0, i), bytes.substr(i, j - i), bytes.substr(j)}, setup).Dump();
        ASSERT_EQ(split, whole) << "split at bytes " << i << " and " << j;
      }
    }
  }
  std::vector<std::string_view> bytewise;
  for (std::size_t i = 0; i < bytes.size(); ++i)
    bytewise.push_back(bytes.substr(i, 1));
  ASSERT_EQ(Play(bytewise, setup).Dump(), whole) << "byte by byte";
}

constexpr std::string_view kOk = "HTTP/1.1 200 OK\r\n";                      // 17 bytes
constexpr std::string_view kChunked = "Transfer-Encoding: chunked\r\n\r\n";  // 30 bytes

std::string ChunkedOk(std::string_view body) {
  return std::string(kOk) + std::string(kChunked) + std::string(body);
}

// ----------------------------------------------------------------------------------------------
// Well-formed streams.

struct GoodCase {
  std::string name;
  std::string input;
  std::vector<std::string> responses;  // as Describe shows them
  ReadOptions setup = {};
};

std::string PrintGoodCase(const testing::TestParamInfo<GoodCase>& info) {
  return info.param.name;
}

const std::vector<GoodCase>& GoodCases() {
  static const std::vector<GoodCase> cases = {
      {"ContentLength",
       "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
       {R"(HTTP/1.1 200 "OK" [Content-Length: 5] body "hello")"}},
      {"EmptyReason", "HTTP/1.1 204 \r\nDate: x\r\n\r\n", {R"(HTTP/1.1 204 "" [Date: x])"}},
      {"ReasonWithTabsSpacesAndObsText",
       "HTTP/1.1 404 Not\tFound \xC3\xA9 \r\nContent-Length: 0\r\n\r\n",
       {"HTTP/1.1 404 \"Not\\tFound \xC3\xA9 \" [Content-Length: 0]"}},
      {"Http10ReadsUntilClose",
       "HTTP/1.0 200 OK\r\nServer: x\r\n\r\nhello\r\nworld",
       {R"(HTTP/1.0 200 "OK" [Server: x] body "hello\r\nworld" close-delimited)"}},
      {"Http11WithoutLengthReadsUntilClose",
       "HTTP/1.1 200 OK\r\n\r\nabc",
       {R"(HTTP/1.1 200 "OK" body "abc" close-delimited)"}},
      {"EmptyCloseDelimitedBody",
       "HTTP/1.1 200 OK\r\n\r\n",
       {R"(HTTP/1.1 200 "OK" close-delimited)"}},
      {"HeadThenGet",
       "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi",
       {R"(HTTP/1.1 200 "OK" [Content-Length: 5])",
        R"(HTTP/1.1 200 "OK" [Content-Length: 2] body "hi")"},
       {.methods = {"HEAD", "GET"}}},
      {"HeadWithChunkedHasNoBody",
       ChunkedOk(""),
       {R"(HTTP/1.1 200 "OK" [Transfer-Encoding: chunked])"},
       {.methods = {"HEAD"}}},
      {"NotModifiedAndNoContentHaveNoBody",
       "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\nETag: \"x\"\r\n\r\n"
       "HTTP/1.1 204 No Content\r\n\r\n",
       {R"(HTTP/1.1 304 "Not Modified" [Content-Length: 10] [ETag: "x"])",
        R"(HTTP/1.1 204 "No Content")"}},
      {"NotModifiedWithChunkedHasNoBody",
       "HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n",
       {R"(HTTP/1.1 304 "Not Modified" [Transfer-Encoding: chunked])"}},
      {"ContinueThenOk",
       "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
       {R"(HTTP/1.1 100 "Continue" interim)",
        R"(HTTP/1.1 200 "OK" [Content-Length: 2] body "ok")"}},
      {"EarlyHintsDoNotAnswerTheHead",
       "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\nLink: </b.js>; rel=preload\r\n"
       "\r\nHTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n",
       {R"(HTTP/1.1 103 "Early Hints" [Link: </a.css>; rel=preload] [Link: </b.js>; rel=preload] interim)",
        R"(HTTP/1.1 200 "OK" [Content-Length: 9])"},
       {.methods = {"HEAD"}}},
      {"Chunked",
       ChunkedOk("5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"),
       {R"(HTTP/1.1 200 "OK" [Transfer-Encoding: chunked] body "hello world" chunked)"}},
      {"ChunkedWithExtensionsAndTrailers",
       ChunkedOk("00A;name=value;flag\r\n0123456789\r\n"
                 "b ; q=\"a \\\"quoted\\\" ;=\" ;x\r\nhello world\r\n"
                 "1;a = b\r\n!\r\n"
                 "000;last\r\nExpires: never\r\nX-Sum:  abc \r\n\r\n"),
       {R"(HTTP/1.1 200 "OK" [Transfer-Encoding: chunked] body "0123456789hello world!" chunked trailer[Expires: never] trailer[X-Sum: abc])"}},
      {"ChunkExtensionWithTabs",
       ChunkedOk("1\t;\ta\t=\tb\r\nx\r\n0\r\n\r\n"),
       {R"(HTTP/1.1 200 "OK" [Transfer-Encoding: chunked] body "x" chunked)"}},
      {"ChunkedUpperAndLowerHex",
       ChunkedOk("a\r\n0123456789\r\nB\r\nabcdefghijk\r\n0\r\n\r\n"),
       {R"(HTTP/1.1 200 "OK" [Transfer-Encoding: chunked] body "0123456789abcdefghijk" chunked)"}},
      {"GzipThenChunked",
       "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n2\r\n\x1F\x8B\r\n0\r\n\r\n",
       {R"(HTTP/1.1 200 "OK" [Transfer-Encoding: gzip, chunked] body "\x1F\x8B" chunked)"}},
      {"GzipAloneReadsUntilClose",
       "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n\x1F\x8B",
       {R"(HTTP/1.1 200 "OK" [Transfer-Encoding: gzip] body "\x1F\x8B" close-delimited)"}},
      {"CodingListWithEmptyElements",
       "HTTP/1.1 200 OK\r\nTransfer-Encoding: , Chunked ,\r\n\r\n0\r\n\r\n",
       {R"(HTTP/1.1 200 "OK" [Transfer-Encoding: , Chunked ,] chunked)"}},
      {"CodingsAcrossTwoFields",
       "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n"
       "1\r\nz\r\n0\r\n\r\n",
       {R"(HTTP/1.1 200 "OK" [Transfer-Encoding: gzip] [Transfer-Encoding: chunked] body "z" chunked)"}},
      {"EqualContentLengths",
       "HTTP/1.1 200 OK\r\nContent-Length: 3\r\ncontent-length: 3, 3\r\n\r\nabc",
       {R"(HTTP/1.1 200 "OK" [Content-Length: 3] [content-length: 3, 3] body "abc")"}},
      {"ContentLengthWithLeadingZeros",
       "HTTP/1.1 200 OK\r\nContent-Length: 007\r\n\r\nabcdefg",
       {R"(HTTP/1.1 200 "OK" [Content-Length: 007] body "abcdefg")"}},
      {"BinaryBody",
       "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\n\r\n\0\xFF\r\n"s,
       {R"(HTTP/1.1 200 "OK" [Content-Length: 6] body "\r\n\0\xFF\r\n")"}},
      {"ThreePipelined",
       "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na"
       "HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nnot\r\n0\r\n\r\n"
       "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
       {R"(HTTP/1.1 200 "OK" [Content-Length: 1] body "a")",
        R"(HTTP/1.1 404 "Not Found" [Transfer-Encoding: chunked] body "not" chunked)",
        R"(HTTP/1.1 200 "OK" [Content-Length: 0])"}},
      {"FieldValuesAreTrimmed",
       "HTTP/1.1 200 OK\r\nA:  x y \t\r\nB:\r\nC: \t \r\nD:v\r\nE: \xC3\xA9\r\n"
       "Content-Length: 0\r\n\r\n",
       {"HTTP/1.1 200 \"OK\" [A: x y] [B: ] [C: ] [D: v] [E: \xC3\xA9] [Content-Length: 0]"}},
      {"SwitchingProtocols",
       "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
       {R"(HTTP/1.1 101 "Switching Protocols" [Upgrade: websocket] [Connection: Upgrade] interim)"}},
      {"ConnectTunnelHasNoBody",
       "HTTP/1.1 200 Connection Established\r\n\r\n",
       {R"(HTTP/1.1 200 "Connection Established")"},
       {.methods = {"CONNECT"}}},
      {"RefusedConnectHasABody",
       "HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 2\r\n\r\nno",
       {R"(HTTP/1.1 407 "Proxy Authentication Required" [Content-Length: 2] body "no")"},
       {.methods = {"CONNECT"}}},
      {"LaterMinorVersion",
       "HTTP/1.9 599 X\r\nContent-Length: 0\r\n\r\n",
       {R"(HTTP/1.9 599 "X" [Content-Length: 0])"}},
      {"LowestStatus", "HTTP/1.1 100 \r\n\r\n", {R"(HTTP/1.1 100 "" interim)"}},
      {"Nothing", "", {}},
      {"BodyWaitsForClose", "HTTP/1.1 200 OK\r\n\r\nabc", {}, {.eof = false}},
  };
  return cases;
}

class GoodResponses : public testing::TestWithParam<GoodCase> {};

// Each stream reads as expected, and the same however it is split.
TEST_P(GoodResponses, Read) {
  const GoodCase& c = GetParam();
  const Outcome out = Play(c.input, c.setup);
  EXPECT_EQ(out.error, "");
  EXPECT_EQ(out.Described(), c.responses);
  EXPECT_EQ(out.consumed, c.input.size());
  EXPECT_EQ(out.completed, c.responses.size());
  EXPECT_EQ(out.in_progress, !c.setup.eof && !c.input.empty());
  EXPECT_TRUE(out.HeadsStandInOrder(c.input)) << out.Dump();
  if (!out.responses.empty()) {
    EXPECT_TRUE(c.input.starts_with(out.responses[0].head));
  }
  ExpectSameAtEverySplit(c.input, c.setup);
}

INSTANTIATE_TEST_SUITE_P(ResponseReader, GoodResponses, testing::ValuesIn(GoodCases()),
                         PrintGoodCase);

// ----------------------------------------------------------------------------------------------
// Malformed streams: the error names the byte, and Feed consumed exactly the bytes before it.

struct BadCase {
  std::string name;
  std::string input;
  std::string error;
  std::size_t consumed;
  std::size_t completed = 0;
  ReadOptions setup = {.eof = false};
};

std::string PrintBadCase(const testing::TestParamInfo<BadCase>& info) {
  return info.param.name;
}

constexpr bool kEof = true;

ResponseLimits Limits(std::size_t max_head, std::size_t max_body) {
  ResponseLimits limits;
  limits.max_head = max_head;
  limits.max_body = max_body;
  return limits;
}

const std::vector<BadCase>& BadCases() {
  const std::string ok(kOk);
  const std::string chunked = ok + std::string(kChunked);  // 47 bytes
  static const std::vector<BadCase> cases = {
      // The status line.
      {"NotHttp", "XTTP/1.1 200 OK\r\n\r\n",
       "byte 0: a response must start with \"HTTP/\", got 'X'", 0},
      {"LowerCaseName", "http/1.1 200 OK\r\n\r\n",
       "byte 0: a response must start with \"HTTP/\", got 'h'", 0},
      {"LeadingEmptyLine", "\r\nHTTP/1.1 200 OK\r\n\r\n",
       "byte 0: a response must start with \"HTTP/\", got CR", 0},
      {"LeadingSpace", " HTTP/1.1 200 OK\r\n\r\n",
       "byte 0: a response must start with \"HTTP/\", got SP", 0},
      {"Http2", "HTTP/2 200\r\n\r\n", "byte 5: the HTTP version is not 1.x, got '2'", 5},
      {"Http09", "HTTP/0.9 200 OK\r\n\r\n", "byte 5: the HTTP version is not 1.x, got '0'", 5},
      {"MinorNotADigit", "HTTP/1.x 200 OK\r\n\r\n", "byte 7: the HTTP version is not 1.x, got 'x'",
       7},
      {"CommaInVersion", "HTTP/1,1 200 OK\r\n\r\n", "byte 6: the HTTP version is not 1.x, got ','",
       6},
      {"TwoDigitMinor", "HTTP/1.11 200 OK\r\n\r\n",
       "byte 8: expected SP after the HTTP version, got '1'", 8},
      {"TabAfterVersion", "HTTP/1.1\t200 OK\r\n\r\n",
       "byte 8: expected SP after the HTTP version, got HTAB", 8},
      {"TwoSpacesBeforeStatus", "HTTP/1.1  200 OK\r\n\r\n",
       "byte 9: the status code is not three digits, got SP", 9},
      {"TwoDigitStatus", "HTTP/1.1 20 OK\r\n\r\n",
       "byte 11: the status code is not three digits, got SP", 11},
      {"FourDigitStatus", "HTTP/1.1 2000 OK\r\n\r\n",
       "byte 12: the status code is not three digits, got '0'", 12},
      {"LetterInStatus", "HTTP/1.1 2x0 OK\r\n\r\n",
       "byte 10: the status code is not three digits, got 'x'", 10},
      {"NoSpaceAfterStatus", "HTTP/1.1 200\r\n\r\n",
       "byte 12: no SP after the status code (a server must send it even when the reason phrase "
       "is empty)",
       12},
      {"DashAfterStatus", "HTTP/1.1 200-OK\r\n\r\n",
       "byte 12: expected SP after the status code, got '-'", 12},
      {"StatusBelowRange", "HTTP/1.1 099 Low\r\n\r\n",
       "byte 9: status code 099 is outside 100..599", 12},
      {"StatusAboveRange", "HTTP/1.1 600 High\r\n\r\n",
       "byte 9: status code 600 is outside 100..599", 12},
      {"ControlInReason", "HTTP/1.1 200 O\x01K\r\n\r\n",
       "byte 14: invalid 0x01 in the reason phrase", 14},
      {"DeleteInReason", "HTTP/1.1 200 O\x7FK\r\n\r\n",
       "byte 14: invalid 0x7F in the reason phrase", 14},
      {"NulInReason", "HTTP/1.1 200 O\0K\r\n\r\n"s, "byte 14: invalid 0x00 in the reason phrase",
       14},
      {"BareLfEndsStatusLine", "HTTP/1.1 200 OK\n\r\n",
       "byte 15: bare LF in the reason phrase (lines must end with CRLF)", 15},
      {"BareCrInStatusLine", "HTTP/1.1 200 O\rK\r\n\r\n",
       "byte 15: CR not followed by LF in the status line, got 'K'", 15},
      // Field lines.
      {"WhitespaceBeforeFirstField", ok + " Host: x\r\n\r\n",
       "byte 17: whitespace before the first field line", 17},
      {"ObsFoldWithSpace", ok + "A: b\r\n c\r\n\r\n",
       "byte 23: a field line starts with whitespace (obs-fold is not allowed)", 23},
      {"ObsFoldWithTab", ok + "A: b\r\n\tc\r\n\r\n",
       "byte 23: a field line starts with whitespace (obs-fold is not allowed)", 23},
      {"SpaceBeforeColon", ok + "A : b\r\n\r\n",
       "byte 18: whitespace between a field name and its colon", 18},
      {"EmptyFieldName", ok + ": b\r\n\r\n", "byte 17: a field line has an empty name", 17},
      {"NoColon", ok + "NoColon\r\n\r\n", "byte 24: field line \"NoColon\" has no colon", 24},
      {"ControlInFieldName", ok + "Na\x01me: v\r\n\r\n", "byte 19: invalid 0x01 in a field name",
       19},
      {"AtSignStartsFieldName", ok + "@: v\r\n\r\n", "byte 17: invalid '@' in a field name", 17},
      {"SlashInFieldName", ok + "a/b: v\r\n\r\n", "byte 18: invalid '/' in a field name", 18},
      {"NonAsciiFieldName", ok + "\xC3\x91: v\r\n\r\n", "byte 17: invalid 0xC3 in a field name",
       17},
      {"NulInValue", ok + "A: b\0c\r\n\r\n"s, "byte 21: invalid 0x00 in the value of field \"A\"",
       21},
      {"DeleteInValue",
       ok + "A: b\x7F"
            "c\r\n\r\n",
       "byte 21: invalid 0x7F in the value of field \"A\"", 21},
      {"EscapeInValue", ok + "A: \x1B[0m\r\n\r\n",
       "byte 20: invalid 0x1B in the value of field \"A\"", 20},
      {"BareCrInValue", ok + "A: b\rc\r\n\r\n",
       "byte 22: CR not followed by LF in a field line, got 'c'", 22},
      {"BareLfEndsField", ok + "A: b\nC: d\r\n\r\n",
       "byte 21: bare LF in the value of field \"A\" (lines must end with CRLF)", 21},
      {"BareLfEndsHead", ok + "A: b\r\n\n",
       "byte 23: bare LF in the head (lines must end with CRLF)", 23},
      {"BareCrEndsHead", ok + "\r\r\n",
       "byte 18: CR not followed by LF in the empty line ending the head, got CR", 18},
      // Content-Length and Transfer-Encoding: the error points at the field's line, and the
      // head's last byte is where the reader stopped.
      {"LengthNotANumber", ok + "Content-Length: abc\r\n\r\n",
       "byte 17: Content-Length \"abc\" is not a decimal number", 39},
      {"NegativeLength", ok + "Content-Length: -1\r\n\r\n",
       "byte 17: Content-Length \"-1\" is not a decimal number", 38},
      {"LengthWithPlus", ok + "Content-Length: +5\r\n\r\n",
       "byte 17: Content-Length \"+5\" is not a decimal number", 38},
      {"HexLength", ok + "Content-Length: 0x10\r\n\r\n",
       "byte 17: Content-Length \"0x10\" is not a decimal number", 40},
      {"TwoNumbersWithoutComma", ok + "Content-Length: 5 5\r\n\r\n",
       "byte 17: Content-Length \"5 5\" is not a decimal number", 39},
      {"EmptyLength", ok + "Content-Length:\r\n\r\n",
       "byte 17: Content-Length \"\" has an empty element", 35},
      {"LengthListWithEmptyElement", ok + "Content-Length: 5,\r\n\r\n",
       "byte 17: Content-Length \"5,\" has an empty element", 38},
      {"ConflictingLengthsInOneField", ok + "Content-Length: 5, 6\r\n\r\n",
       "byte 17: conflicting Content-Length values 5 and 6", 40},
      {"ConflictingLengthFields", ok + "Content-Length: 5\r\nContent-Length: 6\r\n\r\n",
       "byte 36: conflicting Content-Length values 5 and 6", 56},
      {"LengthAbove64Bits", ok + "Content-Length: 18446744073709551616\r\n\r\n",
       "byte 17: Content-Length \"18446744073709551616\" is too large", 56},
      {"LengthAboveBodyLimit", ok + "Content-Length: 18446744073709551615\r\n\r\n",
       "byte 17: Content-Length 18446744073709551615 exceeds the 67108864-byte body limit", 56},
      {"LengthAboveSmallBodyLimit",
       ok + "Content-Length: 11\r\n\r\n",
       "byte 17: Content-Length 11 exceeds the 10-byte body limit",
       38,
       0,
       {.eof = false, .limits = Limits(1024, 10)}},
      {"CodingsAndLength", ok + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n",
       "byte 45: a response with Transfer-Encoding must not have Content-Length", 65},
      {"CodingsInHttp10", "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
       "byte 17: Transfer-Encoding in an HTTP/1.0 response", 46},
      {"ChunkedTwice", ok + "Transfer-Encoding: chunked, chunked\r\n\r\n",
       "byte 17: chunked is applied more than once", 55},
      {"ChunkedTwiceAcrossFields",
       ok + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
       "byte 17: chunked is applied more than once", 74},
      {"CodingNotAToken", ok + "Transfer-Encoding: chun ked\r\n\r\n",
       "byte 17: Transfer-Encoding \"chun ked\" is not a list of codings", 47},
      {"NoCodings", ok + "Transfer-Encoding: , ,\r\n\r\n",
       "byte 17: Transfer-Encoding names no coding", 42},
      {"LengthIn204", "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n",
       "byte 25: a 204 response must not have Content-Length", 45},
      {"CodingsIn100", "HTTP/1.1 100 Continue\r\nTransfer-Encoding: chunked\r\n\r\n",
       "byte 23: a 100 response must not have Transfer-Encoding", 52},
      {"LengthIn101", "HTTP/1.1 101 Switching\r\nContent-Length: 0\r\n\r\n",
       "byte 24: a 101 response must not have Content-Length", 44},
      // Chunked bodies.
      {"ChunkSizeNotHex", chunked + "x\r\n",
       "byte 47: a chunk size must start with a hex digit, got 'x'", 47},
      {"EmptyChunkSize", chunked + "\r\n",
       "byte 47: a chunk size must start with a hex digit, got CR", 47},
      {"NegativeChunkSize", chunked + "-1\r\n",
       "byte 47: a chunk size must start with a hex digit, got '-'", 47},
      {"SpaceBeforeChunkSize", chunked + " 5\r\n",
       "byte 47: a chunk size must start with a hex digit, got SP", 47},
      {"LetterAfterChunkSize", chunked + "5g\r\n", "byte 48: invalid 'g' in a chunk size", 48},
      {"BareLfAfterChunkSize", chunked + "5\n",
       "byte 48: bare LF in a chunk size (lines must end with CRLF)", 48},
      {"WhitespaceEndsChunkLine", chunked + "5 \r\n", "byte 49: invalid CR in a chunk extension",
       49},
      {"ExtensionWithoutName", chunked + "5;\r\n", "byte 49: invalid CR in a chunk extension", 49},
      {"ExtensionWithoutValue", chunked + "5;a=\r\n", "byte 51: invalid CR in a chunk extension",
       51},
      {"ExtensionWithEmptyName", chunked + "5;=b\r\n", "byte 49: invalid '=' in a chunk extension",
       49},
      {"ExtensionUnterminatedQuote", chunked + "5;a=\"x\r\n",
       "byte 53: invalid CR in a chunk extension", 53},
      {"ExtensionTwoTokens", chunked + "5;a=b c\r\n", "byte 53: invalid 'c' in a chunk extension",
       53},
      {"ExtensionWhitespaceBeforeCr", chunked + "5;a \r\n",
       "byte 51: invalid CR in a chunk extension", 51},
      {"ExtensionControlInQuote", chunked + "5;a=\"\x01\"\r\n",
       "byte 52: invalid 0x01 in a chunk extension", 52},
      {"BareCrAfterChunkSize", chunked + "5\rX",
       "byte 49: CR not followed by LF in a chunk line, got 'X'", 49},
      {"ChunkLongerThanItsSize", chunked + "5\r\nhelloX",
       "byte 55: expected CRLF after the 5 bytes of a chunk, got 'X'", 55},
      {"BareCrAfterChunkData", chunked + "5\r\nhello\rX",
       "byte 56: CR not followed by LF after chunk data, got 'X'", 56},
      {"BareLfAfterChunkData", chunked + "5\r\nhello\n",
       "byte 55: expected CRLF after the 5 bytes of a chunk, got LF", 55},
      {"ChunkSizeAboveBodyLimit", chunked + "fffffffffffffffffffff\r\n",
       "byte 53: the chunked body exceeds the 67108864-byte body limit", 53},
      {"ChunkSizeAboveSmallBodyLimit",
       chunked + "11\r\n",
       "byte 48: the chunked body exceeds the 16-byte body limit",
       48,
       0,
       {.eof = false, .limits = Limits(1024, 16)}},
      {"SecondChunkAboveBodyLimit",
       chunked + "5\r\nhello\r\n4\r\n",
       "byte 57: the chunked body exceeds the 8-byte body limit",
       57,
       0,
       {.eof = false, .limits = Limits(1024, 8)}},
      {"MalformedTrailer", chunked + "0\r\nBad Trailer: x\r\n\r\n",
       "byte 53: whitespace between a field name and its colon", 53},
      {"ObsFoldInTrailers", chunked + "0\r\nA: b\r\n c\r\n\r\n",
       "byte 56: a field line starts with whitespace (obs-fold is not allowed)", 56},
      {"WhitespaceBeforeFirstTrailer", chunked + "0\r\n c\r\n\r\n",
       "byte 50: whitespace before the first field line", 50},
      {"BareLfEndsTrailers", chunked + "0\r\n\n",
       "byte 50: bare LF in the trailers (lines must end with CRLF)", 50},
      {"BareCrEndsTrailers", chunked + "0\r\n\rX",
       "byte 51: CR not followed by LF in the empty line ending the trailers, got 'X'", 51},
      // Limits.
      {"HeadAboveLimit",
       ok + "Server: x\r\n\r\n",
       "byte 20: the response head exceeds the 20-byte limit",
       20,
       0,
       {.eof = false, .limits = Limits(20, 100)}},
      {"EachInterimHeadHasTheLimit",
       "HTTP/1.1 100 Continue\r\n\r\n" + ok + "Content-Length: 0\r\n\r\n",
       "byte 55: the response head exceeds the 30-byte limit",
       55,
       1,
       {.eof = false, .limits = Limits(30, 100)}},
      {"TrailersAboveLimit",
       chunked + "0\r\nX-Long: " + std::string(60, 'x') + "\r\n\r\n",
       "byte 100: the trailer section exceeds the 50-byte limit",
       100,
       0,
       {.eof = false, .limits = Limits(50, 100)}},
      {"CloseDelimitedBodyAboveLimit",
       ok + "\r\nabcdef",
       "byte 23: the body exceeds the 4-byte limit",
       23,
       0,
       {.eof = false, .limits = Limits(50, 4)}},
      {"ChunkFramingAboveLimit",
       chunked + "1;" + std::string(60, 'a') + "\r\n",
       "byte 101: the chunk framing exceeds its 54-byte limit (max_head + max_body)",
       101,
       0,
       {.eof = false, .limits = Limits(50, 4)}},
      // The stream itself.
      {"BytesAfterSwitchingProtocols",
       "HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n\x81\x05hello",
       "byte 48: bytes arrived after the connection switched protocols", 48, 1},
      {"BytesAfterConnectTunnel",
       "HTTP/1.1 200 OK\r\n\r\n\x16\x03\x01",
       "byte 19: bytes arrived after the connection switched protocols",
       19,
       1,
       {.methods = {"CONNECT"}, .eof = false}},
      {"BytesAfterAResponse", ok + "Content-Length: 2\r\n\r\nhi\r\n",
       "byte 40: a response must start with \"HTTP/\", got CR (after the end of the previous "
       "response)",
       40, 1},
      {"LengthTooShortLeavesJunk", ok + "Content-Length: 2\r\n\r\nhello",
       "byte 40: a response must start with \"HTTP/\", got 'l' (after the end of the previous "
       "response)",
       40, 1},
      {"ClosedInStatusLine",
       "HTTP/1.1 200",
       "byte 12: the connection closed in the status line",
       12,
       0,
       {.eof = kEof}},
      {"ClosedInHead",
       ok + "A: b",
       "byte 21: the connection closed in the header section",
       21,
       0,
       {.eof = kEof}},
      {"ClosedInLengthBody",
       ok + "Content-Length: 5\r\n\r\nhi",
       "byte 40: the connection closed after 2 of 5 body bytes",
       40,
       0,
       {.eof = kEof}},
      {"ClosedInChunkSize",
       chunked + "5",
       "byte 48: the connection closed in the chunked body",
       48,
       0,
       {.eof = kEof}},
      {"ClosedInsideAChunk",
       chunked + "5\r\nhe",
       "byte 52: the connection closed inside a chunk, 3 of its 5 bytes missing",
       52,
       0,
       {.eof = kEof}},
      {"ClosedAfterChunkData",
       chunked + "5\r\nhello",
       "byte 55: the connection closed in the chunked body",
       55,
       0,
       {.eof = kEof}},
      {"ClosedBeforeLastChunk",
       chunked + "5\r\nhello\r\n",
       "byte 57: the connection closed in the chunked body",
       57,
       0,
       {.eof = kEof}},
      {"ClosedInTrailers",
       chunked + "0\r\nA: b\r\n",
       "byte 56: the connection closed in the trailer section",
       56,
       0,
       {.eof = kEof}},
      {"ClosedAfterInterim",
       "HTTP/1.1 100 Continue\r\n\r\nH",
       "byte 26: the connection closed in the status line",
       26,
       1,
       {.eof = kEof}},
  };
  return cases;
}

class BadResponses : public testing::TestWithParam<BadCase> {};

// Each stream fails with the byte named, the same however it is split, and once failed the
// reader consumes nothing more.
TEST_P(BadResponses, Fail) {
  const BadCase& c = GetParam();
  const Outcome out = Play(c.input, c.setup);
  EXPECT_EQ(out.error, c.error);
  EXPECT_EQ(out.consumed, c.consumed);
  EXPECT_EQ(out.completed, c.completed);
  EXPECT_EQ(out.responses.size(), c.completed);
  EXPECT_FALSE(out.in_progress);
  EXPECT_TRUE(out.HeadsStandInOrder(c.input)) << out.Dump();
  ExpectSameAtEverySplit(c.input, c.setup);

  ResponseReader reader(c.setup.limits);
  for (const std::string& method : c.setup.methods)
    reader.ExpectResponseTo(method);
  FeedGuarded(reader, c.input);
  if (c.setup.eof) reader.FeedEof();
  ASSERT_TRUE(reader.failed());
  EXPECT_EQ(FeedGuarded(reader, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"), 0u);
  reader.FeedEof();
  EXPECT_EQ(reader.error(), c.error);
  EXPECT_EQ(reader.completed(), c.completed);
}

INSTANTIATE_TEST_SUITE_P(ResponseReader, BadResponses, testing::ValuesIn(BadCases()), PrintBadCase);

// ----------------------------------------------------------------------------------------------
// The rest of the contract.

TEST(ResponseReader, NextReturnsResponsesInOrderThenNothing) {
  ResponseReader reader;
  EXPECT_FALSE(reader.Next());
  const std::string two =
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 1\r\n\r\nx";
  EXPECT_EQ(FeedGuarded(reader, two), two.size());
  EXPECT_EQ(reader.completed(), 2u);
  const auto first = reader.Next();
  const auto second = reader.Next();
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->status, 100);
  EXPECT_TRUE(first->interim);
  EXPECT_EQ(first->head, "HTTP/1.1 100 Continue\r\n\r\n");
  EXPECT_EQ(second->status, 201);
  EXPECT_EQ(second->reason, "Created");
  EXPECT_FALSE(second->interim);
  EXPECT_EQ(second->head, "HTTP/1.1 201 Created\r\nContent-Length: 1\r\n\r\n");
  EXPECT_EQ(second->body, "x");
  EXPECT_FALSE(reader.Next());
  EXPECT_EQ(reader.completed(), 2u);
}

TEST(ResponseReader, InProgressFromTheFirstByteToTheLast) {
  ResponseReader reader;
  EXPECT_FALSE(reader.in_progress());
  FeedGuarded(reader, "H");
  EXPECT_TRUE(reader.in_progress());
  FeedGuarded(reader, "TTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nh");
  EXPECT_TRUE(reader.in_progress());
  EXPECT_EQ(reader.completed(), 0u);
  FeedGuarded(reader, "i");
  EXPECT_FALSE(reader.in_progress());
  EXPECT_EQ(reader.completed(), 1u);
  reader.FeedEof();
  EXPECT_FALSE(reader.failed());
}

TEST(ResponseReader, CloseDelimitedBodyEndsAtEof) {
  ResponseReader reader;
  FeedGuarded(reader, "HTTP/1.0 200 OK\r\n\r\npart one, ");
  FeedGuarded(reader, "part two");
  EXPECT_TRUE(reader.in_progress());
  EXPECT_FALSE(reader.Next());
  reader.FeedEof();
  const auto response = reader.Next();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, "part one, part two");
  EXPECT_TRUE(response->close_delimited);
  EXPECT_FALSE(reader.in_progress());
  EXPECT_FALSE(reader.failed());
}

TEST(ResponseReader, EofTwiceIsHarmlessButBytesAfterEofAreAnError) {
  ResponseReader reader;
  reader.FeedEof();
  reader.FeedEof();
  EXPECT_FALSE(reader.failed());
  EXPECT_EQ(FeedGuarded(reader, ""), 0u);
  EXPECT_FALSE(reader.failed());
  EXPECT_EQ(FeedGuarded(reader, "HTTP/1.1 200 OK\r\n"), 0u);
  EXPECT_EQ(reader.error(), "byte 0: bytes arrived after the end of the stream");
}

TEST(ResponseReader, FailureInsideAFeedKeepsEarlierResponses) {
  ResponseReader reader;
  const std::string good = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
  const std::string stream = good + good + "HTTP/1.1 2x";
  EXPECT_EQ(FeedGuarded(reader, stream), stream.size() - 1);
  EXPECT_EQ(reader.error(), "byte " + std::to_string(stream.size() - 1) +
                                ": the status code is not three digits, got 'x'");
  EXPECT_EQ(reader.completed(), 2u);
  EXPECT_TRUE(reader.Next());
  EXPECT_TRUE(reader.Next());
  EXPECT_FALSE(reader.Next());
}

TEST(ResponseReader, MethodsAreMatchedToFinalResponsesInOrder) {
  ResponseReader reader;
  reader.ExpectResponseTo("GET");
  reader.ExpectResponseTo("HEAD");
  reader.ExpectResponseTo("GET");
  const std::string stream =
      "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na"
      "HTTP/1.1 100 Continue\r\n\r\n"
      "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"
      "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nc"
      "HTTP/1.1 200 OK\r\n\r\nnot announced: read as a GET";
  EXPECT_EQ(FeedGuarded(reader, stream), stream.size());
  reader.FeedEof();
  std::vector<std::string> bodies;
  while (auto response = reader.Next())
    bodies.push_back(response->body);
  EXPECT_EQ(bodies, (std::vector<std::string>{"a", "", "", "c", "not announced: read as a GET"}));
}

TEST(ResponseReader, HeaderLookupIgnoresCase) {
  ResponseReader reader;
  FeedGuarded(reader,
              "HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nContent-Length: 0\r\nset-cookie: b=2\r\n"
              "X-Empty:\r\n\r\n");
  const auto response = reader.Next();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->Header("content-length"), "0");
  EXPECT_EQ(response->Header("SET-COOKIE"), "a=1");
  EXPECT_EQ(response->Header("x-empty"), "");
  EXPECT_EQ(response->Header("Content-Type"), std::nullopt);
  EXPECT_EQ(response->Headers("Set-Cookie"), (std::vector<std::string_view>{"a=1", "b=2"}));
  EXPECT_TRUE(response->Headers("Date").empty());
  // Names are kept as received.
  EXPECT_EQ(response->headers[2].first, "set-cookie");
}

// However much a server sends, the reader holds at most its limits.
TEST(ResponseReader, EndlessHeadStopsAtTheLimit) {
  ResponseReader reader;
  std::size_t consumed = FeedGuarded(reader, "HTTP/1.1 200 OK\r\nX-Endless: ");
  const std::string more(64 * 1024, 'a');
  for (int i = 0; i < 32 && !reader.failed(); ++i)
    consumed += FeedGuarded(reader, more);
  EXPECT_EQ(consumed, 64u * 1024);
  EXPECT_EQ(reader.error(), "byte 65536: the response head exceeds the 65536-byte limit");
}

TEST(ResponseReader, EndlessBodyStopsAtTheLimit) {
  ResponseReader reader(Limits(1024, 1 << 20));
  std::size_t consumed = FeedGuarded(reader, "HTTP/1.1 200 OK\r\n\r\n");
  const std::string more(64 * 1024, 'b');
  for (int i = 0; i < 64 && !reader.failed(); ++i)
    consumed += FeedGuarded(reader, more);
  EXPECT_EQ(consumed, 19u + (1 << 20));
  EXPECT_EQ(reader.error(), "byte 1048595: the body exceeds the 1048576-byte limit");
}

TEST(ResponseReader, EndlessChunksStopAtTheLimit) {
  ResponseReader reader(Limits(1024, 1 << 20));
  std::size_t consumed = FeedGuarded(reader, ChunkedOk(""));
  const std::string chunk = "1000\r\n" + std::string(0x1000, 'c') + "\r\n";
  for (int i = 0; i < 1000 && !reader.failed(); ++i)
    consumed += FeedGuarded(reader, chunk);
  // 256 chunks fill the body; the size of the next one is refused at its first digit.
  EXPECT_EQ(consumed, 47u + 256 * chunk.size());
  EXPECT_EQ(reader.error(), "byte " + std::to_string(consumed) +
                                ": the chunked body exceeds the 1048576-byte body limit");
}

TEST(ResponseReader, LargeBodiesArriveWhole) {
  const std::string body(3 << 20, 'z');
  const std::string stream =
      "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  ResponseReader reader;
  EXPECT_EQ(FeedGuarded(reader, stream), stream.size());
  const auto response = reader.Next();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, body);
  EXPECT_EQ(response->body_size, body.size());
  EXPECT_EQ(response->head.size(), stream.size() - body.size());
}

// A body that is only measured is counted like a kept one, whatever its framing, and the
// responses after the discarded ones keep theirs.
TEST(ResponseReader, DiscardedBodiesAreMeasuredNotKept) {
  const std::string stream =
      "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
      "HTTP/1.1 100 Continue\r\n\r\n"
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"
      "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
      "HTTP/1.1 200 OK\r\n\r\nuntil the end";
  for (std::size_t split = 0; split <= stream.size(); ++split) {
    ResponseReader reader;
    reader.DiscardBodiesThrough(3);
    FeedGuarded(reader, std::string_view(stream).substr(0, split));
    FeedGuarded(reader, std::string_view(stream).substr(split));
    reader.FeedEof();
    ASSERT_EQ(reader.error(), "");
    std::vector<std::pair<std::string, std::size_t>> bodies;
    while (auto r = reader.Next())
      bodies.emplace_back(r->body, r->body_size);
    const std::vector<std::pair<std::string, std::size_t>> expected = {
        {"", 5}, {"", 0}, {"", 5}, {"ok", 2}, {"until the end", 13}};
    ASSERT_EQ(bodies, expected) << "split at " << split;
  }
}

// Damaged versions of the well-formed streams: never a crash or an over-read, the same result
// however they are split, and completed responses are always a prefix of the input.
TEST(ResponseReader, DamagedStreamsAreReadConsistently) {
  std::mt19937 random(9112);
  const char interesting[] = {'\r', '\n', ' ', '\t', ':', ';',  '=',    '"',    '\\',   '0',
                              '1',  'a',  'F', 'x',  ',', '\0', '\x7F', '\x80', '\xFF', 'H'};
  const std::vector<GoodCase>& cases = GoodCases();
  for (int i = 0; i < 3000; ++i) {
    const GoodCase& base = cases[random() % cases.size()];
    std::string bytes = base.input;
    for (int edits = 1 + random() % 3; edits > 0; --edits) {
      const std::size_t at = bytes.empty() ? 0 : random() % bytes.size();
      const char c = random() % 4 == 0 ? static_cast<char>(random())
                                       : interesting[random() % sizeof interesting];
      switch (random() % 3) {
        case 0:
          if (!bytes.empty()) bytes[at] = c;
          break;
        case 1:
          bytes.insert(at, 1, c);
          break;
        default:
          if (!bytes.empty()) bytes.erase(at, 1);
      }
    }
    const ReadOptions& setup = base.setup;
    const Outcome whole = Play(bytes, setup);
    ASSERT_LE(whole.consumed, bytes.size());
    ASSERT_TRUE(whole.HeadsStandInOrder(bytes)) << EscapeBytes(bytes);
    if (whole.error.empty()) {
      ASSERT_EQ(whole.consumed, bytes.size()) << whole.Dump();
    }
    const std::size_t split = bytes.empty() ? 0 : random() % bytes.size();
    const std::string_view view = bytes;
    ASSERT_EQ(Play({view.substr(0, split), view.substr(split)}, setup).Dump(), whole.Dump())
        << EscapeBytes(bytes) << " split at " << split;
  }
}

}  // namespace
}  // namespace parley::harness
