// Sizes in bytes as command lines spell them: "1048576", "64KiB", "64MiB", "2GiB" (K, M and G
// alone mean the same: powers of 1024, as curl and ncat read them).
#ifndef PARLEY_HARNESS_SCENARIO_BYTE_SIZE_H_
#define PARLEY_HARNESS_SCENARIO_BYTE_SIZE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace parley::harness {

// Accepts a whole number, optionally followed (without a space) by K, KiB, M, MiB, G or GiB.
// On failure (not a size, or more than 2^62 bytes) returns nullopt and sets `*error`.
std::optional<std::uint64_t> ParseByteSize(std::string_view text, std::string* error);

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_SCENARIO_BYTE_SIZE_H_
