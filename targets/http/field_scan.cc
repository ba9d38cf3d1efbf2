#include "targets/http/field_scan.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "targets/http/char_class.h"
#include "targets/http/field_scan_lines.h"

namespace parley::http::internal {

#if defined(PARLEY_HTTP_X86_FIELD_SCANS)
// field_scan_ssse3.cc, field_scan_avx2.cc.
ScannedFields ScanCleanLinesSsse3(const char* buffer, const char* p, const char* end,
                                  FieldSpan* out, std::size_t capacity);
ScannedFields ScanCleanLinesAvx2(const char* buffer, const char* p, const char* end, FieldSpan* out,
                                 std::size_t capacity);
const char* SkipTargetsSsse3(const char* buffer, const char* p, const char* end);
const char* SkipTargetsAvx2(const char* buffer, const char* p, const char* end);
const char* SkipPlainRegNameSsse3(const char* buffer, const char* p, const char* end);
const char* SkipPlainRegNameAvx2(const char* buffer, const char* p, const char* end);
#endif

namespace {

// The reference, a plain loop (field_scan_lines.h).
ScannedFields ScanCleanLinesPortable(const char* buffer, const char* p, const char* end,
                                     FieldSpan* out, std::size_t capacity) {
  return ScanCleanLinesOneByOne(buffer, p, end, out, capacity);
}

#if defined(__SSE2__)
// SSE2 has no byte shuffle: letters, digits and "-", most of any field name, are found by
// ranges, and ScanCleanLines confirms each other byte with the table.
struct Sse2 {
  static constexpr std::size_t kWidth = 16;
  static constexpr bool kExactTokens = false;

  static __m128i Load(const char* p) {
    return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  }

  std::uint32_t MaybeControls(const char* p) const { return MaybeControls16(p); }

  // Lanes of `bytes` in [low, low + count), compared unsigned.
  static __m128i InRange(__m128i bytes, char low, char count) {
    const __m128i offset = _mm_sub_epi8(bytes, _mm_set1_epi8(low));
    return _mm_cmpeq_epi8(_mm_subs_epu8(offset, _mm_set1_epi8(char(count - 1))),
                          _mm_setzero_si128());
  }

  std::uint32_t NotTokens(const char* p) const {
    const __m128i bytes = Load(p);
    const __m128i letters = InRange(_mm_or_si128(bytes, _mm_set1_epi8(0x20)), 'a', 26);
    const __m128i common = _mm_or_si128(_mm_or_si128(letters, InRange(bytes, '0', 10)),
                                        _mm_cmpeq_epi8(bytes, _mm_set1_epi8('-')));
    return ~static_cast<std::uint32_t>(_mm_movemask_epi8(common)) & 0xffffu;
  }
};

ScannedFields ScanCleanLinesSse2(const char* buffer, const char* p, const char* end, FieldSpan* out,
                                 std::size_t capacity) {
  return ScanCleanLines<Sse2>(buffer, p, end, out, capacity);
}
#endif

FieldScanIsa DetectBest() {
#if defined(PARLEY_HTTP_X86_FIELD_SCANS)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2")) return FieldScanIsa::kAvx2;
  if (__builtin_cpu_supports("ssse3")) return FieldScanIsa::kSsse3;
#endif
#if defined(__SSE2__)
  return FieldScanIsa::kSse2;
#else
  return FieldScanIsa::kPortable;
#endif
}

}  // namespace

FieldScanIsa BestFieldScanIsa() {
  static const FieldScanIsa best = DetectBest();
  return best;
}

FieldScanFunction FieldScanFor(FieldScanIsa isa) {
  // Only an implementation the CPU runs: none is wider than the best.
  if (static_cast<int>(isa) > static_cast<int>(BestFieldScanIsa())) return nullptr;
  switch (isa) {
    case FieldScanIsa::kPortable:
      return ScanCleanLinesPortable;
#if defined(__SSE2__)
    case FieldScanIsa::kSse2:
      return ScanCleanLinesSse2;
#endif
#if defined(PARLEY_HTTP_X86_FIELD_SCANS)
    case FieldScanIsa::kSsse3:
      return ScanCleanLinesSsse3;
    case FieldScanIsa::kAvx2:
      return ScanCleanLinesAvx2;
#endif
    default:
      return nullptr;
  }
}

TargetScanFunction TargetScanFor(FieldScanIsa isa) {
  if (static_cast<int>(isa) > static_cast<int>(BestFieldScanIsa())) return nullptr;
#if defined(PARLEY_HTTP_X86_FIELD_SCANS)
  if (isa == FieldScanIsa::kAvx2) return SkipTargetsAvx2;
  if (isa == FieldScanIsa::kSsse3) return SkipTargetsSsse3;
#endif
  return nullptr;
}

TargetScanFunction PlainRegNameScanFor(FieldScanIsa isa) {
  if (static_cast<int>(isa) > static_cast<int>(BestFieldScanIsa())) return nullptr;
#if defined(PARLEY_HTTP_X86_FIELD_SCANS)
  if (isa == FieldScanIsa::kAvx2) return SkipPlainRegNameAvx2;
  if (isa == FieldScanIsa::kSsse3) return SkipPlainRegNameSsse3;
#endif
  return nullptr;
}

std::string_view FieldScanIsaName(FieldScanIsa isa) {
  switch (isa) {
    case FieldScanIsa::kPortable:
      return "portable";
    case FieldScanIsa::kSse2:
      return "sse2";
    case FieldScanIsa::kSsse3:
      return "ssse3";
    case FieldScanIsa::kAvx2:
      return "avx2";
  }
  return "unknown";
}

}  // namespace parley::http::internal
