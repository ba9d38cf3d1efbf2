#include "harness/scenario/payload.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace parley::harness {
namespace {

Payload::Piece Text(const std::string& text) {
  Payload::Piece p;
  Template::ParseError error;
  p.text = *Template::Parse(text, true, &error);
  return p;
}

TEST(RenderPayload, ConcatenatesEveryKind) {
  auto path =
      std::filesystem::temp_directory_path() / ("parley-payload-" + std::to_string(::getpid()));
  std::ofstream(path) << "FILE";
  Payload payload;
  payload.pieces.push_back(Text("GET /${p}"));
  Payload::Piece repeat = Text("a");
  repeat.kind = Payload::Piece::Kind::kRepeat;
  repeat.count = 5;
  payload.pieces.push_back(repeat);
  Payload::Piece hex;
  hex.kind = Payload::Piece::Kind::kHex;
  hex.bytes = std::string("\0 ", 2);
  payload.pieces.push_back(hex);
  Payload::Piece file;
  file.kind = Payload::Piece::Kind::kFile;
  file.path = path.string();
  payload.pieces.push_back(file);
  Variables vars;
  vars.Set("p", "x");
  std::string out;
  std::string error;
  ASSERT_TRUE(RenderPayload(payload, vars, &out, &error)) << error;
  EXPECT_EQ(out, std::string("GET /xaaaaa\0 FILE", 17));
  std::filesystem::remove(path);
  EXPECT_FALSE(RenderPayload(payload, vars, &out, &error));
  EXPECT_EQ(error, "cannot read file " + path.string());
}

TEST(RenderPayload, UndefinedVariablesAndHugeRepeatsAreErrors) {
  Payload payload;
  payload.pieces.push_back(Text("${missing}"));
  std::string out;
  std::string error;
  EXPECT_FALSE(RenderPayload(payload, Variables(), &out, &error));
  EXPECT_EQ(error, "variable ${missing} is not defined");
  Payload big;
  Payload::Piece repeat = Text("${unit}");
  repeat.kind = Payload::Piece::Kind::kRepeat;
  repeat.count = 40 * 1024 * 1024;
  big.pieces.push_back(repeat);
  Variables vars;
  vars.Set("unit", "ab");
  EXPECT_FALSE(RenderPayload(big, vars, &out, &error));
  EXPECT_EQ(error, "the repeated bytes exceed 64 MiB");
}

TEST(RequestSniffer, FindsRequestLinesAtMessageStarts) {
  RequestSniffer s;
  EXPECT_EQ(s.Feed("HEAD / HTTP/1.1\r\nHost: x\r\n\r\nGET /a HTTP/1.1\r\n\r\n"),
            (std::vector<std::string>{"HEAD", "GET"}));
  // A body line that looks like a request line is not at a message start.
  EXPECT_EQ(s.Feed("POST / HTTP/1.1\r\nContent-Length: 5\r\nX: GET / HTTP/1.1\r\n\r\n"),
            std::vector<std::string>{"POST"});
  EXPECT_TRUE(s.Feed("hello").empty());
}

TEST(RequestSniffer, JoinsRequestLinesSplitAcrossSends) {
  RequestSniffer s;
  EXPECT_TRUE(s.Feed("HE").empty());
  EXPECT_TRUE(s.Feed("AD / HTTP/1").empty());
  EXPECT_EQ(s.Feed(".1\r\n\r\n"), std::vector<std::string>{"HEAD"});
  EXPECT_TRUE(s.Feed("not a request\r\n").empty());
  EXPECT_TRUE(s.Feed("GET / HTTP/1.1\r\n").empty());  // not after an empty line
}

TEST(RequestSniffer, IgnoresWhatIsNotARequestLine) {
  RequestSniffer s;
  EXPECT_TRUE(s.Feed("hola\n").empty());
  RequestSniffer t;
  EXPECT_TRUE(t.Feed("get / HTTP/1.1\r\n").empty());
  RequestSniffer u;
  EXPECT_TRUE(u.Feed("GET /\r\n").empty());
  RequestSniffer v;
  EXPECT_EQ(v.Feed("GET / HTTP/1.0\n\nDELETE /x HTTP/1.1\n"),
            (std::vector<std::string>{"GET", "DELETE"}));
}

}  // namespace
}  // namespace parley::harness
