// What every fuzz target shares: a property check that names what broke, and the split points
// that cut one input into pieces for the "pieces give the same result as the whole" property.
//
// Split points are derived from a hash of the input instead of consuming control bytes from it,
// so every corpus file stays a raw protocol input that any fuzzer, the scenario runner, nc or
// curl can replay as is (docs/fuzzing.md explains the choice).
#ifndef PARLEY_HARNESS_FUZZ_FUZZ_SUPPORT_H_
#define PARLEY_HARNESS_FUZZ_FUZZ_SUPPORT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

// Aborts with `property` and `detail` (anything convertible to std::string_view) unless `cond`.
#define PARLEY_FUZZ_CHECK(cond, property, detail)                                      \
  do {                                                                                 \
    if (!(cond)) ::parley::fuzz::PropertyFailed(property, detail, __FILE__, __LINE__); \
  } while (false)

namespace parley::fuzz {

// Prints "property violated: <property>" with `detail` and the location, then aborts, so the
// fuzzing engine records the input as a crash whose stack names the violated property.
[[noreturn]] void PropertyFailed(const char* property, std::string_view detail, const char* file,
                                 int line);

// Whether the oracle named `name` (a lower-case word such as "echo") should check this run: true
// unless the environment variable PARLEY_FUZZ_ORACLES_OFF lists it (comma-separated, read once).
// ci/fault-injection.sh --oracles switches an oracle off to show that it alone catches a fault;
// nothing else should set the variable.
bool OracleEnabled(std::string_view name);

// RFC 3629 decoding written out plainly, the reference the chat fuzzers hold the server's UTF-8
// check to: no overlong forms, no surrogates, nothing above U+10FFFF, no stray or missing
// continuation bytes.
bool ReferenceUtf8(std::string_view text);

// A hash of `bytes` that is the same on every platform and free of integer overflow, so it is
// silent under every sanitizer (including -fsanitize=unsigned-integer-overflow).
std::uint32_t InputHash(std::string_view bytes);

// Where to cut `bytes`: strictly increasing offsets in (0, bytes.size()). Depending on the hash,
// none (the input whole), a few random ones, or every byte (for inputs up to
// kMaxBytewiseInput bytes).
inline constexpr std::size_t kMaxBytewiseInput = 2048;
std::vector<std::size_t> SplitPoints(std::string_view bytes, std::uint32_t hash);

// `bytes` cut at `points` (as returned by SplitPoints).
std::vector<std::string_view> Pieces(std::string_view bytes,
                                     const std::vector<std::size_t>& points);

// True when `inner` lies within `outer` (an empty view anywhere is fine).
bool Within(std::string_view inner, std::string_view outer);

// The input copied into one heap block of exactly its size, of which only the bytes "received"
// so far are readable: AddressSanitizer reports a read past them (use-after-poison) as it reports
// a read past the end of the input (heap-buffer-overflow). Lets a fuzzer hand a parser growing
// prefixes of one buffer without copying each prefix. Without AddressSanitizer only the end of
// the block is guarded (by the other sanitizers' bounds, if any).
class ReceivedBytes {
 public:
  explicit ReceivedBytes(const std::vector<std::string_view>& pieces);
  ~ReceivedBytes();
  ReceivedBytes(const ReceivedBytes&) = delete;
  ReceivedBytes& operator=(const ReceivedBytes&) = delete;

  // Makes the next `n` bytes readable and returns them.
  std::string_view Receive(std::size_t n);
  // Every byte received so far.
  std::string_view received() const { return {data_, received_}; }

 private:
  char* data_;
  std::size_t size_;
  std::size_t received_ = 0;
};

// Reads `input` with `read` (which takes it as a list of pieces) whole and, when the input's
// hash picks split points, cut into pieces; aborts naming `property` unless both readings are
// equal. Returns the reading of the whole. `describe` shows a reading in the failure.
template <class Read, class Describe>
auto ReadWholeAndInPieces(std::string_view input, std::uint32_t hash, const char* property,
                          const Read& read, const Describe& describe) {
  const auto whole = read(std::vector<std::string_view>{input});
  const std::vector<std::size_t> points = SplitPoints(input, hash);
  if (!points.empty()) {
    const auto split = read(Pieces(input, points));
    PARLEY_FUZZ_CHECK(split == whole, property,
                      "whole:\n" + describe(whole) + "\nin " + std::to_string(points.size() + 1) +
                          " pieces:\n" + describe(split));
  }
  return whole;
}

}  // namespace parley::fuzz

#endif  // PARLEY_HARNESS_FUZZ_FUZZ_SUPPORT_H_
