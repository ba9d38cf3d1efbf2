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

}  // namespace
}  // namespace parley::harness
