// Tables that find a character class with two byte shuffles (SSSE3 pshufb): a byte b is in the
// class when kLow[b & 15] & kHigh[b >> 4] is not zero. Each high nibble that has members gets
// its own bit, so the test is exact for any class with members under at most 8 high nibbles;
// bytes from 0x80 find 0 in kHigh. Internal to the field_scan_<isa>.cc files.
#ifndef PARLEY_TARGETS_HTTP_FIELD_SCAN_TABLES_H_
#define PARLEY_TARGETS_HTTP_FIELD_SCAN_TABLES_H_

#include <array>
#include <cstdint>

#include "targets/http/char_class.h"

namespace parley::http::internal {

struct NibbleTables {
  std::array<std::uint8_t, 16> low{};
  std::array<std::uint8_t, 16> high{};
};

// The class `cls` without the byte `except` (0: none).
constexpr NibbleTables MakeNibbleTables(CharClass cls, char except = 0) {
  NibbleTables tables;
  int next_bit = 0;
  for (int high = 0; high < 8; ++high) {
    for (int low = 0; low < 16; ++low) {
      const char c = static_cast<char>(high << 4 | low);
      if (!Is(c, cls) || (except != 0 && c == except)) continue;
      if (tables.high[high] == 0) tables.high[high] = static_cast<std::uint8_t>(1 << next_bit++);
      tables.low[low] |= tables.high[high];
    }
  }
  return tables;
}

// Neither class has a member at or above 0x80, which the shuffles cannot tell apart.
inline constexpr NibbleTables kTokenTables = MakeNibbleTables(kToken);
inline constexpr NibbleTables kTargetTables = MakeNibbleTables(kTarget);
// A reg-name's bytes but "%", which starts an escape the parser checks itself.
inline constexpr NibbleTables kPlainRegNameTables = MakeNibbleTables(kRegName, '%');

}  // namespace parley::http::internal

#endif  // PARLEY_TARGETS_HTTP_FIELD_SCAN_TABLES_H_
