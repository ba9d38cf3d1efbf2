// ReadWithBeast: what Boost.Beast's request_parser makes of the first request in some bytes,
// copied out so it can be compared with parley's reading (http_stream.h). Beast is an
// independent, widely deployed implementation: where the two disagree on a request's framing or
// fields, one of them is wrong or the difference is one of the intended ones listed in
// known_differences.h.
#ifndef PARLEY_HARNESS_FUZZ_BEAST_READING_H_
#define PARLEY_HARNESS_FUZZ_BEAST_READING_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace parley::fuzz {

struct BeastReading {
  enum class Outcome : std::uint8_t { kComplete, kIncomplete, kError };
  Outcome outcome = Outcome::kIncomplete;
  std::string error;  // Beast's error message when kError, e.g. "bad target"
  std::string method;
  std::string target;
  unsigned version = 0;  // 10 * major + minor
  // The header's fields, as Beast keeps them: repeated names grouped together. Beast would add
  // trailer fields to the same container; they are left out here.
  std::vector<std::pair<std::string, std::string>> fields;
  std::string body;
  std::size_t size = 0;  // bytes of the request, head and encoded body
  bool keep_alive = false;
  bool chunked = false;
  std::optional<std::uint64_t> content_length;
};

// Reads the first request in `bytes` (given whole). Beast's limits: `header_limit` bytes for the
// start line and fields, `body_limit` decoded body bytes.
BeastReading ReadWithBeast(std::string_view bytes, std::size_t header_limit,
                           std::uint64_t body_limit);

}  // namespace parley::fuzz

#endif  // PARLEY_HARNESS_FUZZ_BEAST_READING_H_
