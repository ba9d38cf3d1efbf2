#include "harness/scenario/payload_loader.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "harness/scenario/yaml_checks.h"

namespace parley::harness {
namespace {

using Kind = Payload::Piece::Kind;

TEST(DecodeHex, PairsWithWhitespaceBetweenThem) {
  std::string out = "x";
  std::size_t bad = 99;
  EXPECT_TRUE(DecodeHex("00 ff\n0A\tbC\r\n", &out, &bad));
  EXPECT_EQ(out, std::string("x\x00\xff\x0a\xbc", 5));
  EXPECT_EQ(bad, 99u);
  out.clear();
  EXPECT_TRUE(DecodeHex("", &out, &bad));
  EXPECT_TRUE(DecodeHex("   ", &out, &bad));
  EXPECT_EQ(out, "");
}

TEST(DecodeHex, NamesTheOffendingOffset) {
  struct Case {
    const char* text;
    std::size_t bad;
  } cases[] = {
      {"0g", 1},      // not a digit
      {"00 0 0", 4},  // whitespace inside a pair
      {"abc", 3},     // an odd digit at the end
      {"0x41", 1},
  };
  for (const Case& c : cases) {
    std::string out;
    std::size_t bad = 0;
    EXPECT_FALSE(DecodeHex(c.text, &out, &bad)) << c.text;
    EXPECT_EQ(bad, c.bad) << c.text;
  }
}

// Loads payloads written as `yaml` in a scenario from the folder suite/, files unchecked.
class PayloadLoaderTest : public ::testing::Test {
 protected:
  PayloadLoaderTest() { scenario_.dir = "suite"; }

  Payload Value(std::string_view yaml) { return LoadPayloadValue(Parse(yaml), "'bytes'", scope_); }
  Payload Keys(std::string_view yaml) { return LoadPayloadKeys(Parse(yaml), "'send'", scope_); }

  // "line:column: message" of the YamlFailure, or "ok".
  std::string ErrorOfValue(std::string_view yaml) {
    try {
      Value(yaml);
    } catch (const YamlFailure& f) {
      return std::to_string(f.line) + ":" + std::to_string(f.column) + ": " + f.message;
    }
    return "ok";
  }

  const YamlNode& Parse(std::string_view yaml) {
    YamlError error;
    documents_.clear();
    EXPECT_TRUE(ParseYaml(yaml, YamlLimits(), &documents_, &error)) << error.message;
    if (documents_.empty()) documents_.emplace_back();
    return documents_[0];
  }

  static LoadOptions NoFiles() {
    LoadOptions options;
    options.check_files = false;
    return options;
  }

  LoadOptions options_ = NoFiles();
  Scenario scenario_;
  LoadScope scope_{options_, &scenario_};
  std::vector<YamlNode> documents_;
};

TEST_F(PayloadLoaderTest, AStringIsText) {
  Payload p = Value(R"("GET / HTTP/1.1\r\n")");
  ASSERT_EQ(p.pieces.size(), 1u);
  EXPECT_EQ(p.pieces[0].kind, Kind::kText);
  EXPECT_EQ(p.pieces[0].text.parts()[0].text, "GET / HTTP/1.1\r\n");
  EXPECT_EQ(p.pieces[0].where.line, 1);
}

TEST_F(PayloadLoaderTest, AListMixesPiecesInOrder) {
  Payload p = Value(R"(["a", {hex: "00 01"}, {repeat: "ab", count: 3}, {file: body.bin}])");
  ASSERT_EQ(p.pieces.size(), 4u);
  EXPECT_EQ(p.pieces[0].kind, Kind::kText);
  EXPECT_EQ(p.pieces[1].kind, Kind::kHex);
  EXPECT_EQ(p.pieces[1].bytes, std::string("\x00\x01", 2));
  EXPECT_EQ(p.pieces[2].kind, Kind::kRepeat);
  EXPECT_EQ(p.pieces[2].count, 3u);
  EXPECT_EQ(p.pieces[3].kind, Kind::kFile);
  EXPECT_EQ(p.pieces[3].path, "suite/body.bin");
}

TEST_F(PayloadLoaderTest, KeysTakeExactlyOnePayload) {
  EXPECT_EQ(Keys("{on: c, data: [x, {text: y}]}").pieces.size(), 2u);
  EXPECT_EQ(Keys("{file: /abs/../x.bin}").pieces[0].path, "/x.bin");
  EXPECT_EQ(ErrorOfValue("{text: a, hex: '00'}"),
            "1:16: 'bytes' takes one of text, hex, file, repeat or data; this has 'text' and "
            "'hex' (use 'data' for a mix)");
  EXPECT_EQ(ErrorOfValue("{text: a, count: 2}"), "1:18: 'count' belongs with 'repeat'");
  EXPECT_EQ(ErrorOfValue("{data: []}"),
            "1:8: 'data' must be a list of pieces (strings, or mappings with text, hex, file or "
            "repeat)");
  EXPECT_EQ(ErrorOfValue("[]"), "1:1: 'bytes' must not be empty");
}

TEST_F(PayloadLoaderTest, RepeatsAreBoundedWhenTheirSizeIsKnown) {
  EXPECT_EQ(ErrorOfValue("{repeat: a}"), "1:10: 'repeat' needs a 'count'");
  EXPECT_EQ(ErrorOfValue("{repeat: '', count: 2}"),
            "1:10: 'repeat' needs at least one byte to repeat");
  EXPECT_EQ(ErrorOfValue("{repeat: ab, count: 40000000}"),
            "1:21: the repeated bytes exceed 64 MiB");
  scope_.Define("unit");
  EXPECT_EQ(ErrorOfValue("{repeat: '${unit}', count: 40000000}"), "ok");
}

TEST_F(PayloadLoaderTest, HexErrorsPointAtTheBadCharacter) {
  EXPECT_EQ(ErrorOfValue("{hex: '00 0g'}"),
            "1:12: 'hex' must be pairs of hex digits, optionally separated by spaces");
  EXPECT_EQ(ErrorOfValue("{hex: 0 0}"),
            "1:8: 'hex' must be pairs of hex digits, optionally separated by spaces");
}

TEST_F(PayloadLoaderTest, TextsUseOnlyDefinedVariables) {
  EXPECT_EQ(ErrorOfValue("'${who}'"),
            "1:1: variable ${who} is not defined (define it under 'vars', capture it in an earlier "
            "step, or pass --var who=VALUE)");
}

TEST(PayloadLoaderFiles, CheckedFilesMustExistAndBeSmallEnough) {
  namespace fs = std::filesystem;
  fs::path dir =
      fs::temp_directory_path() / ("parley-payload-loader-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "there.bin") << "bytes";
  LoadOptions options;
  Scenario scenario;
  scenario.dir = dir.string();
  LoadScope scope(options, &scenario);
  std::vector<YamlNode> documents;
  YamlError error;
  ASSERT_TRUE(
      ParseYaml("[{file: there.bin}, {file: missing.bin}]", YamlLimits(), &documents, &error));
  const YamlNode& list = documents[0];
  Payload there = LoadPayloadValue(list.items[0], "'bytes'", scope);
  EXPECT_EQ(there.pieces[0].path, (dir / "there.bin").string());
  try {
    LoadPayloadValue(list.items[1], "'bytes'", scope);
    ADD_FAILURE() << "a missing file loads";
  } catch (const YamlFailure& f) {
    EXPECT_EQ(f.column, 28);
    EXPECT_EQ(f.message,
              "file 'missing.bin' not found (looked for " + (dir / "missing.bin").string() + ")");
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace parley::harness
