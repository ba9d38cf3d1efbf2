#include "harness/scenario/byte_size.h"

#include <charconv>

namespace parley::harness {

std::optional<std::uint64_t> ParseByteSize(std::string_view text, std::string* error) {
  std::uint64_t number = 0;
  const auto [end, parse_error] = std::from_chars(text.data(), text.data() + text.size(), number);
  const std::string_view unit = text.substr(static_cast<std::size_t>(end - text.data()));
  int shift = -1;
  if (unit.empty()) shift = 0;
  if (unit == "K" || unit == "KiB") shift = 10;
  if (unit == "M" || unit == "MiB") shift = 20;
  if (unit == "G" || unit == "GiB") shift = 30;
  if (parse_error != std::errc() || shift < 0) {
    *error = "'" + std::string(text) + "' is not a size (write 1048576, 64KiB, 64MiB or 2GiB)";
    return std::nullopt;
  }
  if (number > (std::uint64_t{1} << (62 - shift))) {
    *error = "'" + std::string(text) + "' is too large";
    return std::nullopt;
  }
  return number << shift;
}

}  // namespace parley::harness
