// The one algorithm behind every vector FieldScanFunction (field_scan.h), written once over a
// vector policy V, and the plain loop that defines a clean line, which every one of them must
// agree with. Included only by the field_scan*.cc files, each after switching on its
// instruction set; everything here has internal linkage, so no code built for a wider unit can
// be picked by the linker for another file.
//
// V provides:
//   static constexpr std::size_t kWidth;          // bytes per load: 16 or 32
//   explicit V();                                  // loads what the masks need (tables)
//   std::uint32_t MaybeControls(const char* p) const;  // bit i: p[i] may be a control but
//                                                  // HTAB, or DEL; at least every one is set
//   std::uint32_t NotTokens(const char* p) const;  // bit i: p[i] may not be a token character;
//                                                  // at least every byte that is not one
//   static constexpr bool kExactTokens;            // NotTokens sets no bit for a token
// for the kWidth bytes from p. One V is made per scan, so its tables stay in registers.
#ifndef PARLEY_TARGETS_HTTP_FIELD_SCAN_LINES_H_
#define PARLEY_TARGETS_HTTP_FIELD_SCAN_LINES_H_

#include <cstddef>
#include <cstdint>

#include "targets/http/char_class.h"
#include "targets/http/field_scan.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace parley::http::internal {
namespace {

// The definition of a clean line, one byte at a time: the portable FieldScanFunction, and the
// vector ones' for a buffer shorter than one load.
inline ScannedFields ScanCleanLinesOneByOne(const char* buffer, const char* p, const char* end,
                                            FieldSpan* out, std::size_t capacity) {
  std::uint32_t count = 0;
  std::uint32_t framing = 0;
  while (count < capacity) {
    const char* name_end = p;
    while (name_end != end && Is(*name_end, kToken))
      ++name_end;
    if (name_end == p || name_end == end || *name_end != ':') break;
    const char* cr = name_end + 1;
    while (cr != end && Is(*cr, kFieldValue))
      ++cr;
    if (cr == end || cr + 1 == end || cr[0] != '\r' || cr[1] != '\n') break;
    out[count] = TrimmedFieldSpan(buffer, p, name_end, cr);
    framing |= std::uint32_t{MayBeFramingName(p, static_cast<std::size_t>(name_end - p))} << count;
    ++count;
    p = cr + 2;
  }
  return {p, count, framing};
}

// Whether a byte that MaybeControls marks is one a field value does not allow. A clean line's
// first such byte is its CR.
inline bool IsControl(char c) {
  return !Is(c, kFieldValue);
}

#if defined(__SSE2__)
// MaybeControls for 16 bytes, SSE2 alone: the 16-byte policies share it. Adding 1 takes the
// controls to 0x01-0x20 and DEL to 0x80, below 0x21 compared signed. HTAB and the bytes from
// 0x80 land there too; IsControl tells them apart.
[[gnu::always_inline]] inline std::uint32_t MaybeControls16(const char* p) {
  const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  const __m128i shifted = _mm_add_epi8(bytes, _mm_set1_epi8(1));
  return static_cast<std::uint32_t>(
      _mm_movemask_epi8(_mm_cmpgt_epi8(_mm_set1_epi8(0x21), shifted)));
}
#endif

// The masks of the kWidth bytes from p, of which only those before `end` count (bits for the
// others are 0), and whether all kWidth were there.
struct Masks {
  std::uint32_t maybe_controls;
  std::uint32_t not_tokens;
  bool full;
};

// Reads only [end - kWidth, end) or [p, p + kWidth): near the end, a load that ends at `end`,
// its masks shifted so that bit 0 is p's byte. REQUIRES: the kWidth bytes before `end` are
// readable.
template <class V>
[[gnu::always_inline]] inline Masks Load(const V& v, const char* p, const char* end) {
  const std::size_t readable = static_cast<std::size_t>(end - p);
  if (readable >= V::kWidth) [[likely]] {
    return {v.MaybeControls(p), v.NotTokens(p), true};
  }
  if (readable == 0) return {0, 0, false};
  const unsigned shift = static_cast<unsigned>(V::kWidth - readable);
  return {v.MaybeControls(end - V::kWidth) >> shift, v.NotTokens(end - V::kWidth) >> shift, false};
}

// The offset from `p` of the first byte that is not a token character, or of `end`, given the
// masks of the first block.
template <class V>
std::size_t NameSize(const V& v, const char* p, const char* end, Masks masks) {
  for (std::size_t at = 0;;) {
    for (std::uint32_t candidates = masks.not_tokens; candidates != 0;
         candidates &= candidates - 1) {
      const std::size_t found = at + static_cast<std::size_t>(__builtin_ctz(candidates));
      if (V::kExactTokens || !Is(p[found], kToken)) return found;
    }
    if (!masks.full) return static_cast<std::size_t>(end - p);
    at += V::kWidth;
    masks = Load(v, p + at, end);
  }
}

// MaybeControls for the 32 bytes from p: one load or two.
template <class V>
[[gnu::always_inline]] inline std::uint32_t MaybeControls32(const V& v, const char* p) {
  if constexpr (V::kWidth == 32) {
    return v.MaybeControls(p);
  } else {
    static_assert(V::kWidth == 16);
    return v.MaybeControls(p) | v.MaybeControls(p + 16) << 16;
  }
}

// The offset from `p` of the first control byte but HTAB (or DEL) among the bytes from `at`
// that `candidates` marks, or `none`.
inline std::size_t FirstControl(const char* p, std::size_t at, std::uint32_t candidates,
                                std::size_t none) {
  for (; candidates != 0; candidates &= candidates - 1) {
    const std::size_t found = at + static_cast<std::size_t>(__builtin_ctz(candidates));
    if (IsControl(p[found])) return found;
  }
  return none;
}

// The offset from `p` of the first control byte but HTAB (or DEL), or of `end`, given the
// masks of the first block. Past it only controls are looked for, 32 bytes at a time.
template <class V>
[[gnu::always_inline]] inline std::size_t ContentSize(const V& v, const char* p, const char* end,
                                                      Masks masks) {
  const std::size_t size = static_cast<std::size_t>(end - p);
  if (const std::size_t found = FirstControl(p, 0, masks.maybe_controls, size);
      found != size || !masks.full) {
    return found;
  }
  std::size_t at = V::kWidth;
  for (; size - at >= 32; at += 32) {
    if (const std::uint32_t candidates = MaybeControls32(v, p + at); candidates != 0) {
      if (const std::size_t found = FirstControl(p, at, candidates, size); found != size) {
        return found;
      }
    }
  }
  for (;; at += V::kWidth) {
    const Masks tail = Load(v, p + at, end);
    if (const std::size_t found = FirstControl(p, at, tail.maybe_controls, size);
        found != size || !tail.full) {
      return found;
    }
  }
}

// The first byte of [p, end) whose bit `outside` sets (exactly the bytes outside `cls`), or
// end. Near the end, a load that ends at `end`; a buffer shorter than kWidth is left to a plain
// loop, which asks `inside` of each byte.
template <class V, class Outside, class Inside>
const char* SkipClass(const char* buffer, const char* p, const char* end, const Outside& outside,
                      const Inside& inside) {
  for (;;) {
    const std::size_t readable = static_cast<std::size_t>(end - p);
    if (readable >= V::kWidth) {
      if (const std::uint32_t found = outside(p); found != 0) return p + __builtin_ctz(found);
      p += V::kWidth;
      continue;
    }
    if (readable == 0) return end;
    if (static_cast<std::size_t>(end - buffer) < V::kWidth) {
      while (p != end && inside(*p))
        ++p;
      return p;
    }
    const std::uint32_t found =
        outside(end - V::kWidth) >> static_cast<unsigned>(V::kWidth - readable);
    return found == 0 ? end : p + __builtin_ctz(found);
  }
}

template <class V>
const char* SkipTargets(const char* buffer, const char* p, const char* end) {
  const V v;
  return SkipClass<V>(
      buffer, p, end, [&](const char* at) { return v.NotTargets(at); },
      [](char c) { return Is(c, kTarget); });
}

template <class V>
const char* SkipPlainRegName(const char* buffer, const char* p, const char* end) {
  const V v;
  return SkipClass<V>(
      buffer, p, end, [&](const char* at) { return v.NotPlainRegName(at); },
      [](char c) { return c != '%' && Is(c, kRegName); });
}

// One load serves a line's name and the start of its search for the line end. A clean name
// holds no control byte, so the line's first control is its CR when the line is clean.
template <class V>
ScannedFields ScanCleanLines(const char* buffer, const char* p, const char* end, FieldSpan* out,
                             std::size_t capacity) {
  if (static_cast<std::size_t>(end - buffer) < V::kWidth) {
    return ScanCleanLinesOneByOne(buffer, p, end, out, capacity);
  }
  const V v;
  FieldSpan* next = out;
  FieldSpan* const out_end = out + capacity;
  std::uint32_t framing = 0;
  std::uint32_t line_bit = 1;  // the bit of `framing` for *next
  // A line that cannot be clean is most often the empty line that ends the head: its first
  // byte tells, before any load.
  while (next != out_end && p != end && Is(*p, kToken)) {
    const Masks masks = Load(v, p, end);
    const std::size_t name = masks.not_tokens != 0 && V::kExactTokens
                                 ? static_cast<std::size_t>(__builtin_ctz(masks.not_tokens))
                                 : NameSize(v, p, end, masks);
    // Most often the first byte that may be a control is the CR that ends the line.
    std::size_t content = masks.maybe_controls != 0
                              ? static_cast<std::size_t>(__builtin_ctz(masks.maybe_controls))
                              : 0;
    if (masks.maybe_controls == 0 || p[content] != '\r') {
      content = ContentSize(v, p, end, masks);
    }
    if (p + content + 1 >= end || p[name] != ':' || p[content] != '\r' || p[content + 1] != '\n') {
      break;
    }
    *next++ = TrimmedFieldSpan(buffer, p, p + name, p + content);
    if (MayBeFramingName(p, name)) framing |= line_bit;
    line_bit <<= 1;
    p += content + 2;
  }
  return {p, static_cast<std::uint32_t>(next - out), framing};
}

}  // namespace
}  // namespace parley::http::internal

#endif  // PARLEY_TARGETS_HTTP_FIELD_SCAN_LINES_H_
