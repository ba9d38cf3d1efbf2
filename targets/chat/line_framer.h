// LineFramer: splits a byte stream into the chat protocol's lines (see PROTOCOL.md).
//
// A line ends with LF; one CR right before the LF is dropped. A line may hold at most
// kMaxLineBytes bytes counting its CR and LF, so at most kMaxLineBytes - 1 bytes before the LF.
// Empty lines are skipped. A line that is not valid UTF-8 yields kInvalidUtf8; a line that grows
// past the limit yields kLineTooLong as soon as the limit is crossed, and the rest of it, through
// its LF, is discarded.
//
// Usage: after each read, call Next with the bytes until it returns nullopt, then read again.
//
//   std::string_view input(buffer, bytes_read);
//   while (std::optional<Frame> frame = framer.Next(input)) handle(*frame);
//
// At the end of the input (EOF on a stream, the end of a datagram) call Finish once: the unended
// partial line, if any, comes out as a last frame as if it had been ended by LF.
//
// The frames depend only on the bytes, never on how they were split between calls. The framer
// keeps at most kMaxLineBytes - 1 bytes (one partial line) between calls; it allocates only to
// hold such a partial line, once.
#ifndef PARLEY_TARGETS_CHAT_LINE_FRAMER_H_
#define PARLEY_TARGETS_CHAT_LINE_FRAMER_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace parley::chat {

inline constexpr std::size_t kMaxLineBytes = 4096;

enum class FrameError : std::uint8_t {
  kNone = 0,
  kLineTooLong,  // "line-too-long"
  kInvalidUtf8,  // "invalid-utf8"
};

// The stable protocol text of an error, e.g. "line-too-long"; "none" for kNone.
std::string_view ErrorText(FrameError error);

struct Frame {
  FrameError error = FrameError::kNone;
  // When error is kNone: the line without its CR and LF, non-empty, valid UTF-8. It views into
  // the `input` passed to Next or into the framer, and is valid until the next call to the framer
  // (and, when it views `input`, while `input`'s bytes live).
  std::string_view line;
};

class LineFramer {
 public:
  LineFramer() = default;
  LineFramer(const LineFramer&) = delete;
  LineFramer& operator=(const LineFramer&) = delete;

  // Consumes bytes from the front of `input` up to and including the end of the next frame and
  // returns it; returns nullopt once `input` is empty, its last bytes kept as the partial line.
  std::optional<Frame> Next(std::string_view& input);

  // Ends the input: returns the partial line as a frame (nullopt when there is none, or when it
  // was already reported too long) and resets the framer for a new input.
  std::optional<Frame> Finish();

  // Forgets the partial line and any discarding state.
  void Reset();

  // Bytes of the partial line held between calls; never more than kMaxLineBytes - 1.
  std::size_t buffered() const { return release_partial_ ? 0 : partial_.size(); }

 private:
  std::optional<Frame> Complete(std::string_view line);

  std::string partial_;           // bytes of the current line seen in earlier calls
  bool release_partial_ = false;  // partial_ was handed out as a line; clear it on the next call
  bool discarding_ = false;       // inside a too-long line, skipping to its LF
};

}  // namespace parley::chat

#endif  // PARLEY_TARGETS_CHAT_LINE_FRAMER_H_
