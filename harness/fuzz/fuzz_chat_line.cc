// fuzz_chat_line: the chat protocol's line framer and command parser (targets/chat/). Checks,
// beside "no crash, no hang":
//   - the frames are exactly those of a plain reading of PROTOCOL.md's line rules (split at LF,
//     drop one CR before it, skip empty lines, at most kMaxLineBytes - 1 bytes before the LF,
//     strict UTF-8), both for the input whole and cut into pieces (split points from a hash of
//     the input), with the partial line held between calls never above its bound;
//   - the command parsed from each line lies inside the line and follows PROTOCOL.md's command
//     rules.
// Each frame is compared with the reference's as it comes, byte for byte against the input, so no
// line is copied or hashed.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/fuzz/fuzz_support.h"
#include "targets/chat/command.h"
#include "targets/chat/line_framer.h"
#include "targets/chat/utf8.h"

namespace parley::fuzz {
namespace {

using chat::FrameError;

// A frame as PROTOCOL.md reads it: the line is a view into the input (empty for an error).
// Lines are up to 4 KiB; copying or hashing every line of every reading cost more than framing.
struct ExpectedFrame {
  FrameError error = FrameError::kNone;
  std::string_view line;
};

// PROTOCOL.md's "Lines" section read literally, on the whole input at once.
std::vector<ExpectedFrame> ReferenceFrames(std::string_view input) {
  std::vector<ExpectedFrame> frames;
  while (!input.empty()) {
    const std::size_t lf = input.find('\n');
    std::string_view raw = input.substr(0, lf);  // the unended last line runs to the end
    input.remove_prefix(lf == std::string_view::npos ? input.size() : lf + 1);
    if (raw.size() > chat::kMaxLineBytes - 1) {
      frames.push_back({FrameError::kLineTooLong, {}});
      continue;
    }
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    if (raw.empty()) continue;
    if (!ReferenceUtf8(raw)) {
      frames.push_back({FrameError::kInvalidUtf8, {}});
      continue;
    }
    frames.push_back({FrameError::kNone, raw});
  }
  return frames;
}

void CheckCommand(std::string_view line) {
  const chat::Command command = chat::ParseCommand(line);
  PARLEY_FUZZ_CHECK(Within(command.name, line) && Within(command.text, line),
                    "a command's views lie inside its line", line.substr(0, 200));
  if (line.front() != '/') {
    PARLEY_FUZZ_CHECK(command.kind == chat::CommandKind::kSay && command.text == line,
                      "a line without '/' is relayed as is", line.substr(0, 200));
    return;
  }
  if (line.size() >= 2 && line[1] == '/') {
    PARLEY_FUZZ_CHECK(command.kind == chat::CommandKind::kSay && command.text == line.substr(1),
                      "'//text' relays '/text'", line.substr(0, 200));
    return;
  }
  const std::string_view word = line.substr(0, line.find(' '));
  const chat::CommandKind expected = word == "/nick"   ? chat::CommandKind::kNick
                                     : word == "/who"  ? chat::CommandKind::kWho
                                     : word == "/me"   ? chat::CommandKind::kMe
                                     : word == "/msg"  ? chat::CommandKind::kMsg
                                     : word == "/quit" ? chat::CommandKind::kQuit
                                                       : chat::CommandKind::kUnknown;
  PARLEY_FUZZ_CHECK(command.kind == expected, "the command word decides the command",
                    line.substr(0, 200));
  if (expected == chat::CommandKind::kUnknown) {
    PARLEY_FUZZ_CHECK(command.name == word, "an unknown command is named as sent",
                      line.substr(0, 200));
  }
  if (expected == chat::CommandKind::kNick) {
    PARLEY_FUZZ_CHECK(
        command.name.empty() || (command.name.front() != ' ' && command.name.back() != ' '),
        "a nick is trimmed of spaces", line.substr(0, 200));
  }
  if (chat::IsValidNick(command.name)) {
    PARLEY_FUZZ_CHECK(
        command.name.size() <= chat::kMaxNickBytes &&
            command.name.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmn"
                                           "opqrstuvwxyz0123456789_-") == std::string_view::npos,
        "a valid nick follows the nick rule", command.name);
  }
}

void CheckFrame(const chat::Frame& frame) {
  if (frame.error != FrameError::kNone) return;
  PARLEY_FUZZ_CHECK(!frame.line.empty() && frame.line.find('\n') == std::string_view::npos &&
                        frame.line.size() <= chat::kMaxLineBytes - 1,
                    "a line is non-empty, has no LF and respects the size limit",
                    frame.line.substr(0, 200));
  PARLEY_FUZZ_CHECK(chat::IsValidUtf8(frame.line) && ReferenceUtf8(frame.line),
                    "a line is valid UTF-8", frame.line.substr(0, 200));
  CheckCommand(frame.line);
}

std::string Show(FrameError error, std::string_view line) {
  return std::string(chat::ErrorText(error)) + ", " + std::to_string(line.size()) +
         " bytes: " + std::string(line.substr(0, 80));
}

// Frames `pieces`, checks every frame (CheckFrame) and compares it, while its line is still
// valid, with the next of `expected`. Returns "" when the frames are exactly `expected`, else
// the first difference.
std::string FrameAgainst(const std::vector<std::string_view>& pieces,
                         const std::vector<ExpectedFrame>& expected) {
  chat::LineFramer framer;
  std::size_t next = 0;
  std::string difference;
  auto compare = [&](const chat::Frame& frame) {
    CheckFrame(frame);
    const std::string_view line = frame.error == FrameError::kNone ? frame.line : "";
    if (difference.empty() && (next >= expected.size() || expected[next].error != frame.error ||
                               expected[next].line != line)) {
      difference = "frame " + std::to_string(next + 1) + ": framer " + Show(frame.error, line) +
                   "; reference " +
                   (next < expected.size() ? Show(expected[next].error, expected[next].line)
                                           : std::string("none"));
    }
    ++next;
  };
  ReceivedBytes bytes(pieces);  // a read past the piece at hand is caught
  for (std::string_view piece : pieces) {
    std::string_view input = bytes.Receive(piece.size());
    while (const std::optional<chat::Frame> frame = framer.Next(input))
      compare(*frame);
    PARLEY_FUZZ_CHECK(input.empty(), "Next returns nullopt only once the input is used up",
                      std::to_string(input.size()) + " bytes left");
    PARLEY_FUZZ_CHECK(framer.buffered() <= chat::kMaxLineBytes - 1,
                      "the partial line held between calls stays within its bound",
                      std::to_string(framer.buffered()) + " bytes buffered");
  }
  if (const std::optional<chat::Frame> frame = framer.Finish()) compare(*frame);
  if (difference.empty() && next != expected.size()) {
    difference =
        std::to_string(next) + " frames; the reference has " + std::to_string(expected.size());
  }
  return difference;
}

}  // namespace
}  // namespace parley::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace parley::fuzz;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  PARLEY_FUZZ_CHECK(parley::chat::IsValidUtf8(input) == ReferenceUtf8(input),
                    "IsValidUtf8 agrees with RFC 3629", input.substr(0, 200));
  const std::vector<ExpectedFrame> expected = ReferenceFrames(input);
  const std::string whole = FrameAgainst({input}, expected);
  PARLEY_FUZZ_CHECK(whole.empty(), "the framer follows PROTOCOL.md's line rules", whole);
  const std::vector<std::size_t> points = SplitPoints(input, InputHash(input));
  if (!points.empty()) {
    // The whole input frames as the reference does, so the pieces must too.
    const std::string split = FrameAgainst(Pieces(input, points), expected);
    PARLEY_FUZZ_CHECK(split.empty(), "the input in pieces frames exactly like the input whole",
                      "in " + std::to_string(points.size() + 1) + " pieces: " + split);
  }
  return 0;
}
