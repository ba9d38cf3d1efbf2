// FieldScan: the request parser's search through field lines that need no second look, done
// with the widest vector unit the CPU has. Internal to parley_http_parser.
//
// A field line is *clean* when it is a non-empty field name of token characters, a colon, then
// only bytes a field value allows (no control byte but HTAB, no DEL), then CRLF:
//
//   Accept-Language: ja,en-us;q=0.7\r\n
//
// Such a line is valid wherever a field line may stand: the scan records it, its value trimmed,
// and marks the few whose names the parser must look at. Everything else (the empty line that
// ends the head, a line that is cut off, obs-fold, a bare CR or LF, a bad byte) is left to the
// parser's byte-by-byte rules, which say exactly what is wrong.
//
// Three implementations give the same results: SSE2 (the x86-64 baseline: 16 bytes at a time,
// token characters recognised by ranges and confirmed one by one), SSSE3 (16 bytes, every
// class found by two table shuffles) and AVX2 (32 bytes, the same shuffles). BestFieldScan()
// picks the widest the CPU supports, once; field_scan_test.cc and the fuzzers check that every
// supported one agrees with a plain loop.
#ifndef PARLEY_TARGETS_HTTP_FIELD_SCAN_H_
#define PARLEY_TARGETS_HTTP_FIELD_SCAN_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace parley::http::internal {

// One field line, as offsets from the first byte of the caller's buffer: its name, and its value
// without the optional whitespace around it.
struct FieldSpan {
  std::uint32_t name_begin, name_size, value_begin, value_size;
  bool operator==(const FieldSpan&) const = default;
};

// The span of the field line that starts at `line` and whose name ends at `colon`, its value
// running to `stop` before trimming.
// REQUIRES: line < colon < stop; [colon + 1, stop) holds only field-value bytes and *stop is
// readable and neither SP nor HTAB (a line's CR or LF); every offset fits in 32 bits.
inline FieldSpan TrimmedFieldSpan(const char* buffer, const char* line, const char* colon,
                                  const char* stop) {
  const auto whitespace = [](char c) { return c == ' ' || c == '\t'; };
  const char* value = colon + 1;
  while (whitespace(*value))
    ++value;
  // The only bytes up to SP that a value allows are SP and HTAB.
  const auto up_to_space = [](char c) { return static_cast<unsigned char>(c) <= ' '; };
  const char* value_end = stop;
  while (value_end != value && up_to_space(value_end[-1]))
    --value_end;
  return {static_cast<std::uint32_t>(line - buffer), static_cast<std::uint32_t>(colon - line),
          static_cast<std::uint32_t>(value - buffer),
          static_cast<std::uint32_t>(value_end - value)};
}

// Whether a field name of `size` bytes starting at `name` may be one of those the parser looks
// at (Host, Expect, Connection, Content-Length, Transfer-Encoding): its size and its first
// letter, in any case, are one of theirs. Most other names fail here.
inline bool MayBeFramingName(const char* name, std::size_t size) {
  // The first letter, lowercase, of the framing name of each size; 0 where there is none.
  static constexpr char kFirstLetters[18] = {0, 0,   0, 0, 'h', 0,   'e', 0, 0,
                                             0, 'c', 0, 0, 0,   'c', 0,   0, 't'};
  return size < sizeof kFirstLetters && kFirstLetters[size] == (name[0] | 0x20);
}

// The most lines one scan writes.
inline constexpr std::size_t kMaxScannedFields = 32;

// Where a scan stopped: `count` lines were written and the next line starts at `next`. Bit i of
// `framing` is set when line i's name MayBeFramingName, for the parser to look at.
struct ScannedFields {
  const char* next;
  std::uint32_t count;
  std::uint32_t framing;
};

// Scans clean field lines starting at `p`, each starting where the previous one's CRLF ends,
// and writes the span of each (TrimmedFieldSpan) to `out`. Stops before the first line that is
// not clean or not complete before `end`, or once `capacity` lines are written.
// REQUIRES: capacity <= kMaxScannedFields; buffer <= p <= end, every byte of [buffer, end) is
// readable, and end - buffer fits in 32 bits. No byte outside [buffer, end) is read.
using FieldScanFunction = ScannedFields (*)(const char* buffer, const char* p, const char* end,
                                            FieldSpan* out, std::size_t capacity);

enum class FieldScanIsa : std::uint8_t { kPortable, kSse2, kSsse3, kAvx2 };

// Returns the first byte of [p, end) that no request-target allows (kTarget: pchar, "/", "?",
// "%"), or end. REQUIRES: as for FieldScanFunction.
using TargetScanFunction = const char* (*)(const char* buffer, const char* p, const char* end);

// The implementation for `isa`, or nullptr when this CPU (or this build) cannot run it.
// kPortable, a plain loop, is always there.
FieldScanFunction FieldScanFor(FieldScanIsa isa);

// The target scan for `isa` where it has one of its own (SSSE3, AVX2: every class by shuffles),
// else nullptr: the parser's SSE2 search of common target bytes serves the others.
TargetScanFunction TargetScanFor(FieldScanIsa isa);

// Likewise for the bytes of a reg-name (RFC 3986: unreserved and sub-delims) but "%": returns
// the first byte of [p, end) that is not one, or end. The parser checks escapes itself.
TargetScanFunction PlainRegNameScanFor(FieldScanIsa isa);

// The widest implementation this CPU runs, chosen on first use.
FieldScanIsa BestFieldScanIsa();

// "portable", "sse2", "ssse3" or "avx2".
std::string_view FieldScanIsaName(FieldScanIsa isa);

}  // namespace parley::http::internal

#endif  // PARLEY_TARGETS_HTTP_FIELD_SCAN_H_
