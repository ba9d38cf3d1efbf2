// Turning a scenario Payload into bytes: texts rendered with the scenario's variables, hex,
// files and repeated units, at most 64 MiB in all.
//
// RenderPayload makes all of them at once. PayloadReader gives them in order, a piece at a
// time, for a reader that compares a stream as it arrives: it never holds a large file whole.
#ifndef PARLEY_HARNESS_SCENARIO_PAYLOAD_H_
#define PARLEY_HARNESS_SCENARIO_PAYLOAD_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "harness/scenario/scenario.h"
#include "harness/scenario/template.h"

namespace parley::harness {

inline constexpr std::size_t kMaxPayloadBytes = 64 * 1024 * 1024;

class PayloadReader {
 public:
  // Renders the texts, repeat units and hex, and opens the files (a regular file is read later,
  // as its bytes are asked for; anything else at once). On an undefined variable, an
  // unreadable file or more than kMaxPayloadBytes in all, returns nullopt with `*error` set.
  static std::optional<PayloadReader> Open(const Payload& payload, const Variables& vars,
                                           std::string* error);

  PayloadReader(PayloadReader&& other) noexcept;
  PayloadReader& operator=(PayloadReader&& other) noexcept;
  ~PayloadReader();

  // The payload's length.
  std::uint64_t size() const { return size_; }
  // Bytes given so far.
  std::uint64_t position() const { return position_; }

  // Writes the next `n` bytes to `out`. False with `*error` set when a file cannot be read, or
  // does not have the size it had when it was opened.
  // REQUIRES: `n` is at most size() - position().
  bool Read(std::size_t n, char* out, std::string* error);

 private:
  // Bytes repeated `count` times, or a file of `size` bytes read from `fd`.
  struct Part {
    std::string bytes;
    std::uint64_t count = 1;
    int fd = -1;
    std::string path;
    std::uint64_t size = 0;  // in all
  };

  PayloadReader() = default;
  bool Add(const Payload::Piece& piece, const Variables& vars, std::string* error);
  bool ReadPart(Part& part, std::uint64_t at, std::size_t n, char* out, std::string* error);
  void CloseFiles();

  std::vector<Part> parts_;
  std::size_t part_ = 0;       // the part the next byte comes from
  std::uint64_t in_part_ = 0;  // and its offset in that part
  std::uint64_t size_ = 0;
  std::uint64_t position_ = 0;
};

// Appends the payload's bytes to `*out`. On failure (an undefined variable, an unreadable file,
// more than kMaxPayloadBytes) returns false with `*error` set.
bool RenderPayload(const Payload& payload, const Variables& vars, std::string* out,
                   std::string* error);

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_SCENARIO_PAYLOAD_H_
