// The lines the chat benchmarks send, and LineChecker, which checks what one receiver got.
//
// Line i (counting from 0) is "m" + i in 8 digits + " " + filler letters that depend on i:
// `payload_size` bytes, then LF. A relay puts "<sender> " before what it forwards: chat-server
// before each line, `ncat --chat` before each chunk it read, which may start inside a line (the
// other lines of the chunk then have none). So a line that arrives whole and in order reads
// "<NAME> PAYLOAD" or "PAYLOAD", and anything else (a prefix inside it, a wrong or damaged
// payload, a line out of order) is damaged.
#ifndef PARLEY_HARNESS_BENCH_CHAT_LINES_H_
#define PARLEY_HARNESS_BENCH_CHAT_LINES_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace parley::bench {

// The shortest payload: "m", 8 digits, a space and one filler letter.
inline constexpr std::size_t kMinPayloadSize = 11;

// Line `index` with its LF. REQUIRES: payload_size >= kMinPayloadSize, index < 10^8.
std::string PayloadLine(std::uint32_t index, std::size_t payload_size);

class LineChecker {
 public:
  // Expects lines 0 .. expected_lines - 1 in order. REQUIRES: payload_size >= kMinPayloadSize.
  LineChecker(std::uint32_t expected_lines, std::size_t payload_size);

  // The next bytes of the stream, split anywhere.
  void Feed(std::string_view bytes);

  // Forgets everything received so far (say, the notices of clients joining).
  void Reset();

  // Every payload byte (and LF) of every expected line has arrived, whole or damaged.
  bool done() const { return payload_bytes_ >= expected_bytes_; }
  // Lines that arrived exactly as sent, each after the intact ones before it (a gap is lost
  // or damaged lines).
  std::uint32_t intact() const { return intact_; }
  // Intact lines that came without a prefix.
  std::uint32_t unprefixed() const { return unprefixed_; }
  // Lines that arrived damaged: split by a prefix, altered, or out of order.
  std::uint32_t damaged() const { return damaged_; }
  // Bytes received outside the relays' "<NAME> " prefixes, LFs included.
  std::uint64_t payload_bytes() const { return payload_bytes_; }

 private:
  void OnLine(std::string_view line);
  bool TakeInOrder(std::string_view payload);
  static std::size_t PrefixBytes(std::string_view line);

  std::uint32_t expected_lines_;
  std::size_t payload_size_;
  std::uint64_t expected_bytes_;
  std::string filler_;      // the filler alphabet, repeated: line i's filler starts at i % 26
  std::string partial_;     // the line being received, when it spans Feed calls
  std::uint32_t next_ = 0;  // lines before this one can no longer arrive in order
  std::uint32_t intact_ = 0;
  std::uint32_t unprefixed_ = 0;
  std::uint32_t damaged_ = 0;
  std::uint64_t payload_bytes_ = 0;
};

}  // namespace parley::bench

#endif  // PARLEY_HARNESS_BENCH_CHAT_LINES_H_
