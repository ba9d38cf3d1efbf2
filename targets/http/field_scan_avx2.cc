// FieldScan for AVX2 (field_scan.h): 32 bytes at a time, token characters found exactly by two
// shuffles. field_scan.cc calls it only on a CPU that has AVX2.
//
// The code below the pragma is compiled for AVX2 (a target attribute on each function) and
// everything it includes is included above it, so no inline function of a header is ever built
// here for AVX2 and then picked by the linker for the rest of the program.
#include <immintrin.h>

#include <array>
#include <cstddef>
#include <cstdint>

#include "targets/http/char_class.h"
#include "targets/http/field_scan.h"
#include "targets/http/field_scan_tables.h"

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2")
#endif

#include "targets/http/field_scan_lines.h"

namespace parley::http::internal {
namespace {

struct Avx2 {
  static constexpr std::size_t kWidth = 32;
  static constexpr bool kExactTokens = true;

  // Written out, so that it is compiled for AVX2 like the rest (an implicit one is not).
  Avx2()
      : low_table(Table(kTokenTables.low)),
        high_table(Table(kTokenTables.high)),
        target_low_table(Table(kTargetTables.low)),
        target_high_table(Table(kTargetTables.high)),
        reg_name_low_table(Table(kPlainRegNameTables.low)),
        reg_name_high_table(Table(kPlainRegNameTables.high)) {}

  const __m256i low_table;
  const __m256i high_table;
  const __m256i target_low_table;
  const __m256i target_high_table;
  const __m256i reg_name_low_table;
  const __m256i reg_name_high_table;

  static __m256i Load(const char* p) {
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
  }

  // The 16-byte table in both 128-bit lanes, as the shuffle works within each lane.
  static __m256i Table(const std::array<std::uint8_t, 16>& table) {
    return _mm256_broadcastsi128_si256(
        _mm_loadu_si128(reinterpret_cast<const __m128i*>(table.data())));
  }

  // As MaybeControls16 in field_scan_lines.h.
  static std::uint32_t MaybeControls(const char* p) {
    const __m256i shifted = _mm256_add_epi8(Load(p), _mm256_set1_epi8(1));
    return static_cast<std::uint32_t>(
        _mm256_movemask_epi8(_mm256_cmpgt_epi8(_mm256_set1_epi8(0x21), shifted)));
  }

  // Bit i: p[i] is outside the class of the tables `low` and `high` (field_scan_tables.h).
  static std::uint32_t Outside(const char* p, __m256i low, __m256i high) {
    const __m256i bytes = Load(p);
    const __m256i nibbles = _mm256_and_si256(_mm256_srli_epi16(bytes, 4), _mm256_set1_epi8(0x0f));
    const __m256i hits =
        _mm256_and_si256(_mm256_shuffle_epi8(low, bytes), _mm256_shuffle_epi8(high, nibbles));
    return static_cast<std::uint32_t>(
        _mm256_movemask_epi8(_mm256_cmpeq_epi8(hits, _mm256_setzero_si256())));
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

const char* SkipTargetsAvx2(const char* buffer, const char* p, const char* end) {
  return SkipTargets<Avx2>(buffer, p, end);
}

const char* SkipPlainRegNameAvx2(const char* buffer, const char* p, const char* end) {
  return SkipPlainRegName<Avx2>(buffer, p, end);
}

ScannedFields ScanCleanLinesAvx2(const char* buffer, const char* p, const char* end, FieldSpan* out,
                                 std::size_t capacity) {
  return ScanCleanLines<Avx2>(buffer, p, end, out, capacity);
}

}  // namespace parley::http::internal

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
