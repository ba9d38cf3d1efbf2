// FieldScan for SSSE3 (field_scan.h): 16 bytes at a time, token characters found exactly by two
// shuffles. field_scan.cc calls it only on a CPU that has SSSE3.
//
// The code below the pragma is compiled for SSSE3 (a target attribute on each function) and
// everything it includes is included above it, so no inline function of a header is ever built
// here for SSSE3 and then picked by the linker for the rest of the program.
#include <tmmintrin.h>

#include <array>
#include <cstddef>
#include <cstdint>

#include "targets/http/char_class.h"
#include "targets/http/field_scan.h"
#include "targets/http/field_scan_tables.h"

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("ssse3"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("ssse3")
#endif

#include "targets/http/field_scan_lines.h"

namespace parley::http::internal {
namespace {

struct Ssse3 {
  static constexpr std::size_t kWidth = 16;
  static constexpr bool kExactTokens = true;

  // Written out, so that it is compiled for SSSE3 like the rest (an implicit one is not).
  Ssse3()
      : low_table(Table(kTokenTables.low)),
        high_table(Table(kTokenTables.high)),
        target_low_table(Table(kTargetTables.low)),
        target_high_table(Table(kTargetTables.high)),
        reg_name_low_table(Table(kPlainRegNameTables.low)),
        reg_name_high_table(Table(kPlainRegNameTables.high)) {}

  const __m128i low_table;
  const __m128i high_table;
  const __m128i target_low_table;
  const __m128i target_high_table;
  const __m128i reg_name_low_table;
  const __m128i reg_name_high_table;

  static __m128i Table(const std::array<std::uint8_t, 16>& table) {
    return _mm_loadu_si128(reinterpret_cast<const __m128i*>(table.data()));
  }

  static __m128i Load(const char* p) {
    return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  }

  std::uint32_t MaybeControls(const char* p) const { return MaybeControls16(p); }

  // Bit i: p[i] is outside the class of the tables `low` and `high` (field_scan_tables.h).
  static std::uint32_t Outside(const char* p, __m128i low, __m128i high) {
    const __m128i bytes = Load(p);
    const __m128i nibbles = _mm_and_si128(_mm_srli_epi16(bytes, 4), _mm_set1_epi8(0x0f));
    const __m128i hits =
        _mm_and_si128(_mm_shuffle_epi8(low, bytes), _mm_shuffle_epi8(high, nibbles));
    return static_cast<std::uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(hits, _mm_setzero_si128())));
  }

  std::uint32_t NotTokens(const char* p) const { return Outside(p, low_table, high_table); }
  std::uint32_t NotTargets(const char* p) const {
    return Outside(p, target_low_table, target_high_table);
  }
  std::uint32_t NotPlainRegName(const char* p) const {
    return Outside(p, reg_name_low_table, reg_name_high_table);
  }
};

}  // namespace

const char* SkipTargetsSsse3(const char* buffer, const char* p, const char* end) {
  return SkipTargets<Ssse3>(buffer, p, end);
}

const char* SkipPlainRegNameSsse3(const char* buffer, const char* p, const char* end) {
  return SkipPlainRegName<Ssse3>(buffer, p, end);
}

ScannedFields ScanCleanLinesSsse3(const char* buffer, const char* p, const char* end,
                                  FieldSpan* out, std::size_t capacity) {
  return ScanCleanLines<Ssse3>(buffer, p, end, out, capacity);
}

}  // namespace parley::http::internal

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
