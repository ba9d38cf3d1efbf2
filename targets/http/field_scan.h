// FieldScan: the request parser's search through field lines that need no second look, done
// with the widest vector unit the CPU has. Internal to parley_http_parser.
//
// A field line is *clean* when it is a non-empty field name of token characters, a colon, then
// only bytes a field value allows (no control byte but HTAB, no DEL), then CRLF:
//
//   Accept-Language: ja,en-us;q=0.7\r\n
//
// Such a line is valid wherever a field line may stand; the parser only has to trim the value's
// whitespace and look at the fields that matter. Everything else (the empty line that ends the
// head, a line that is cut off, obs-fold, a bare CR or LF, a bad byte) is left to the parser's
// byte-by-byte rules, which say exactly what is wrong.
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

// One clean field line, measured from its first byte.
struct CleanLine {
  std::uint32_t name_size;     // bytes before the colon
  std::uint32_t content_size;  // bytes before the CR
  bool operator==(const CleanLine&) const = default;
};

// Scans clean field lines starting at `p`, each starting where the previous one's CRLF ends.
// Writes up to `capacity` of them to `out` and returns how many: it stops before the first line
// that is not clean or not complete before `end` (or that is 2^32 bytes long or more, which no
// limit allows).
// REQUIRES: buffer <= p <= end, and every byte of [buffer, end) is readable. No byte outside
// that range is read.
using FieldScanFunction = std::size_t (*)(const char* buffer, const char* p, const char* end,
                                          CleanLine* out, std::size_t capacity);

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
