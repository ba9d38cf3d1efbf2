#include "targets/http/request_parser.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <memory>
#include <type_traits>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "targets/http/char_class.h"

namespace parley::http {

namespace {

using internal::CharClass;
using internal::EqualsLower;
using internal::Is;
using internal::IsWhitespace;

// FieldSpan holds 32-bit offsets: a head may not be longer than these caps allow.
constexpr std::size_t kMaxSectionLimit = std::size_t{1} << 30;

Limits Clamped(Limits limits) {
  limits.max_request_line = std::min(limits.max_request_line, kMaxSectionLimit);
  limits.max_header_section = std::min(limits.max_header_section, kMaxSectionLimit);
  return limits;
}

// Field lines to make room for up front: as many as the limits allow (the shortest field line
// is "a:" LF), but no more than kMaxPreallocatedFields, so that generous limits do not cost
// every parser a large block; past it the vectors double as needed and keep their size.
constexpr std::size_t kMaxPreallocatedFields = 1024;

std::size_t FieldCapacity(const Limits& limits) {
  return std::min({limits.max_fields, limits.max_header_section / 3 + 1, kMaxPreallocatedFields});
}

// Returns the first LF in [p, end), or nullptr. Lines in a head are short, where a call to
// memchr costs more than the search: where SSE2 is available this looks at 16 bytes at a time,
// finishing with one load that overlaps bytes already searched, as long as it stays after
// `buffer`, the first byte of the caller's buffer.
const char* FindLf(const char* buffer, const char* p, const char* end) {
#if defined(__SSE2__)
  const __m128i lf = _mm_set1_epi8('\n');
  while (end - p >= 16) {
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const int mask = _mm_movemask_epi8(_mm_cmpeq_epi8(bytes, lf));
    if (mask != 0) return p + __builtin_ctz(static_cast<unsigned>(mask));
    p += 16;
  }
  if (p != end && end - buffer >= 16) {
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(end - 16));
    const int mask = _mm_movemask_epi8(_mm_cmpeq_epi8(bytes, lf)) >> (16 - (end - p));
    return mask == 0 ? nullptr : p + __builtin_ctz(static_cast<unsigned>(mask));
  }
#else
  static_cast<void>(buffer);
#endif
  for (; p != end; ++p) {
    if (*p == '\n') return p;
  }
  return nullptr;
}

// FindLf from `scan`, for the line after a field line. Most often it is the empty line that
// ends the head: its two bytes tell, without a search.
const char* NextLf(const char* data, std::size_t scan, std::size_t size) {
  if (size - scan >= 2 && data[scan] == '\r' && data[scan + 1] == '\n') return data + scan + 1;
  return FindLf(data, data + scan, data + size);
}

// Returns the first byte of [p, end) outside `cls`, or end.
const char* Skip(const char* p, const char* end, CharClass cls) {
  while (p != end && Is(*p, cls))
    ++p;
  return p;
}

#if defined(__SSE2__)
// Bit i is set when p[i] is a control byte or DEL, for the 16 bytes from p.
int ControlMask(const char* p) {
  const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  // A byte is a control when min(byte, 0x1f) == byte, compared unsigned.
  const __m128i control = _mm_cmpeq_epi8(_mm_min_epu8(bytes, _mm_set1_epi8(0x1f)), bytes);
  return _mm_movemask_epi8(_mm_or_si128(control, _mm_cmpeq_epi8(bytes, _mm_set1_epi8(0x7f))));
}

// Lanes of `bytes` in [low, low + count), compared unsigned.
__m128i InRange(__m128i bytes, char low, char count) {
  const __m128i offset = _mm_sub_epi8(bytes, _mm_set1_epi8(low));
  return _mm_cmpeq_epi8(_mm_subs_epu8(offset, _mm_set1_epi8(char(count - 1))), _mm_setzero_si128());
}

__m128i Letters(__m128i bytes) {
  return InRange(_mm_or_si128(bytes, _mm_set1_epi8(0x20)), 'a', 26);
}

// Bit i is set when p[i] is a letter, a digit or "-": most bytes of a field name.
int CommonNameMask(const char* p) {
  const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  const __m128i common = _mm_or_si128(_mm_or_si128(Letters(bytes), InRange(bytes, '0', 10)),
                                      _mm_cmpeq_epi8(bytes, _mm_set1_epi8('-')));
  return _mm_movemask_epi8(common);
}

// Bit i is set when p[i] is a letter, a digit or one of "-./_?=&%": most bytes of a target.
int CommonTargetMask(const char* p) {
  const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  __m128i common = _mm_or_si128(Letters(bytes), InRange(bytes, '-', 13));  // "-./" and digits
  common = _mm_or_si128(common, _mm_cmpeq_epi8(bytes, _mm_set1_epi8('_')));
  common = _mm_or_si128(common, _mm_cmpeq_epi8(bytes, _mm_set1_epi8('?')));
  common = _mm_or_si128(common, _mm_cmpeq_epi8(bytes, _mm_set1_epi8('=')));
  common = _mm_or_si128(common, _mm_cmpeq_epi8(bytes, _mm_set1_epi8('&')));
  common = _mm_or_si128(common, _mm_cmpeq_epi8(bytes, _mm_set1_epi8('%')));
  return _mm_movemask_epi8(common);
}

// Bit i is set when p[i] is a letter, a digit, "-" or ".": most bytes of a host name.
int CommonRegNameMask(const char* p) {
  const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  const __m128i common = _mm_or_si128(_mm_or_si128(Letters(bytes), InRange(bytes, '0', 10)),
                                      InRange(bytes, '-', 2));  // "-."
  return _mm_movemask_epi8(common);
}

// Skip for a class whose common bytes `common_mask` finds 16 at a time; every byte it finds
// must belong to `cls`. The rest are looked up one by one.
template <int (*common_mask)(const char*)>
const char* SkipCommon(const char* p, const char* end, CharClass cls) {
  while (end - p >= 16) {
    const unsigned other = ~static_cast<unsigned>(common_mask(p)) & 0xffffu;
    if (other == 0) {
      p += 16;
      continue;
    }
    p += __builtin_ctz(other);
    if (!Is(*p, cls)) return p;
    ++p;
  }
  return Skip(p, end, cls);
}
#endif

// Returns the first byte of [p, end) that is not a token character, or end.
const char* SkipToken(const char* p, const char* end) {
#if defined(__SSE2__)
  return SkipCommon<CommonNameMask>(p, end, internal::kToken);
#else
  return Skip(p, end, internal::kToken);
#endif
}

// Returns the first byte of [p, end) that no request-target allows, or end.
const char* SkipTarget(const char* p, const char* end) {
#if defined(__SSE2__)
  return SkipCommon<CommonTargetMask>(p, end, internal::kTarget);
#else
  return Skip(p, end, internal::kTarget);
#endif
}

// Returns the first byte of [p, end) that is not a letter, a digit, "-" or ".", or end, or any
// byte before it: the bytes of a reg-name past it are for the caller to look at one by one.
// Where SSE2 is available it looks at 16 bytes at a time, finishing with one load that
// overlaps bytes already checked, as long as it stays after `buffer`, the first byte of the
// caller's buffer.
const char* SkipCommonRegName(const char* buffer, const char* p, const char* end) {
#if defined(__SSE2__)
  while (end - p >= 16) {
    const unsigned other = ~static_cast<unsigned>(CommonRegNameMask(p)) & 0xffffu;
    if (other != 0) return p + __builtin_ctz(other);
    p += 16;
  }
  if (p != end && end - buffer >= 16) {
    const unsigned other =
        (~static_cast<unsigned>(CommonRegNameMask(end - 16)) & 0xffffu) >> (16 - (end - p));
    return other == 0 ? end : p + __builtin_ctz(other);
  }
#else
  static_cast<void>(buffer);
  static_cast<void>(end);
#endif
  return p;
}

// Returns the first byte of [p, end) that a field value does not allow, or end. Field values
// are the bulk of a head, so where SSE2 is available this looks at 16 bytes at a time,
// finishing with one load that overlaps bytes already checked, as long as it stays after
// `buffer`, the first byte of the caller's buffer.
const char* SkipFieldValue(const char* buffer, const char* p, const char* end) {
#if defined(__SSE2__)
  while (end - p >= 16) {
    const int mask = ControlMask(p);
    if (mask == 0) {
      p += 16;
      continue;
    }
    p += __builtin_ctz(static_cast<unsigned>(mask));
    if (*p != '\t') return p;
    ++p;  // HTAB is the one control a value allows
  }
  if (p != end && end - buffer >= 16) {
    const int mask = ControlMask(end - 16) >> (16 - (end - p));
    if (mask == 0) return end;
    p += __builtin_ctz(static_cast<unsigned>(mask));
  }
#else
  static_cast<void>(buffer);
#endif
  return Skip(p, end, internal::kFieldValue);
}

// The reason for a byte that its position does not allow: a CR is always a bare CR, since the
// CR of a line's CRLF is never part of the line's content.
ParseError Reject(char c, ParseError otherwise) {
  return c == '\r' ? ParseError::kBareCr : otherwise;
}

// EqualsLower for the field names and values that the parser looks for, a word at a time.
// Setting bit 5 lowercases a letter and turns no other byte that a token or a field value may
// hold into a lowercase letter, a digit or "-" (only CR would become "-", and neither allows
// CR). REQUIRES: `word` holds only lowercase letters, digits and "-"; `text` is a token or
// field-value bytes.
bool MatchesWord(std::string_view text, std::string_view word) {
  const std::size_t n = word.size();
  if (text.size() != n) return false;
  const auto differs = [&](std::size_t at, auto bits) {
    using Bits = decltype(bits);
    Bits a, b;
    std::memcpy(&a, text.data() + at, sizeof a);
    std::memcpy(&b, word.data() + at, sizeof b);
    return (a | static_cast<Bits>(0x2020202020202020u)) != b;
  };
  if (n >= 8) {
    for (std::size_t at = 0; at + 8 < n; at += 8) {
      if (differs(at, std::uint64_t{})) return false;
    }
    return !differs(n - 8, std::uint64_t{});
  }
  if (n >= 4) return !differs(0, std::uint32_t{}) && !differs(n - 4, std::uint32_t{});
  for (std::size_t i = 0; i < n; ++i) {
    if ((text[i] | 0x20) != word[i]) return false;
  }
  return true;
}

std::string_view TrimWhitespace(std::string_view text) {
  while (!text.empty() && IsWhitespace(text.front()))
    text.remove_prefix(1);
  while (!text.empty() && IsWhitespace(text.back()))
    text.remove_suffix(1);
  return text;
}

// Splits a comma-separated list value (RFC 9110 section 5.6.1) into its elements, OWS trimmed.
// Empty elements are returned too; each field decides what they mean.
class ListReader {
 public:
  explicit ListReader(std::string_view value) : rest_(value) {}

  bool Next(std::string_view& element) {
    if (done_) return false;
    const std::size_t comma = rest_.find(',');
    element = TrimWhitespace(rest_.substr(0, comma));
    if (comma == std::string_view::npos) {
      done_ = true;
    } else {
      rest_.remove_prefix(comma + 1);
    }
    return true;
  }

 private:
  std::string_view rest_;
  bool done_ = false;
};

bool IsToken(std::string_view text) {
  return !text.empty() && Skip(text.data(), text.data() + text.size(), internal::kToken) ==
                              text.data() + text.size();
}

// Every "%" starts a pct-encoded triplet (RFC 3986 section 2.1).
bool ValidPercentEncoding(std::string_view text) {
  for (std::size_t i = text.find('%'); i != std::string_view::npos; i = text.find('%', i + 3)) {
    if (i + 2 >= text.size() || !Is(text[i + 1], internal::kHex) ||
        !Is(text[i + 2], internal::kHex)) {
      return false;
    }
  }
  return true;
}

// 1 to 5 digits, at most 65535.
bool ValidPort(std::string_view port) {
  if (port.empty() || port.size() > 5) return false;
  unsigned value = 0;
  for (char c : port) {
    if (!Is(c, internal::kDigit)) return false;
    value = value * 10 + unsigned(c - '0');
  }
  return value <= 65535;
}

// h16 = 1*4HEXDIG (RFC 3986 section 3.2.2).
bool ValidH16(std::string_view text) {
  if (text.empty() || text.size() > 4) return false;
  for (char c : text) {
    if (!Is(c, internal::kHex)) return false;
  }
  return true;
}

// dec-octet "." dec-octet "." dec-octet "." dec-octet, a dec-octet being 0 to 255 without a
// leading zero (RFC 3986 section 3.2.2).
bool ValidIpv4(std::string_view text) {
  for (int octet = 0; octet < 4; ++octet) {
    if (octet > 0) {
      if (text.empty() || text[0] != '.') return false;
      text.remove_prefix(1);
    }
    std::size_t digits = 0;
    unsigned value = 0;
    while (digits < text.size() && digits < 4 && Is(text[digits], internal::kDigit)) {
      value = value * 10 + unsigned(text[digits] - '0');
      ++digits;
    }
    if (digits == 0 || digits > 3 || value > 255 || (digits > 1 && text[0] == '0')) return false;
    text.remove_prefix(digits);
  }
  return text.empty();
}

// The number of 16-bit pieces in `part`, h16 groups separated by ":" (the last may be an IPv4
// address, two pieces, when `ipv4_last`), or -1 when it is not that.
int Ipv6Pieces(std::string_view part, bool ipv4_last) {
  if (part.empty()) return 0;
  int pieces = 0;
  for (;;) {
    const std::size_t colon = part.find(':');
    const std::string_view group = part.substr(0, colon);
    if (colon == std::string_view::npos) {
      if (ValidH16(group)) return pieces + 1;
      return ipv4_last && ValidIpv4(group) ? pieces + 2 : -1;
    }
    if (!ValidH16(group)) return -1;
    ++pieces;
    part.remove_prefix(colon + 1);
  }
}

// IPv6address or IPvFuture, the two things an IP-literal may hold (RFC 3986 section 3.2.2).
bool ValidIpLiteral(std::string_view inside) {
  if (!inside.empty() && (inside[0] == 'v' || inside[0] == 'V')) {
    const std::size_t dot = inside.find('.');
    if (dot == std::string_view::npos || dot == 1 || dot + 1 == inside.size()) return false;
    for (std::size_t i = 1; i < dot; ++i) {
      if (!Is(inside[i], internal::kHex)) return false;
    }
    for (std::size_t i = dot + 1; i < inside.size(); ++i) {
      if (!Is(inside[i], internal::kIpLiteral)) return false;
    }
    return true;
  }
  const std::size_t gap = inside.find("::");
  if (gap == std::string_view::npos) return Ipv6Pieces(inside, true) == 8;
  if (inside.find("::", gap + 1) != std::string_view::npos) return false;
  const int left = Ipv6Pieces(inside.substr(0, gap), false);
  const int right = Ipv6Pieces(inside.substr(gap + 2), true);
  return left >= 0 && right >= 0 && left + right <= 7;
}

// uri-host [ ":" port ] (RFC 9110 section 7.2, RFC 3986 section 3.2.2) with a non-empty host and,
// when present, a non-empty port; userinfo is not allowed. `skip_plain`, when not nullptr, skips
// a reg-name's bytes but "%" many at a time (field_scan.h); `buffer` is the first readable byte
// before `authority`.
bool ValidAuthority(std::string_view authority, bool require_port, const char* buffer,
                    internal::TargetScanFunction skip_plain) {
  std::size_t i = 0;
  if (!authority.empty() && authority[0] == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos || !ValidIpLiteral(authority.substr(1, close - 1))) {
      return false;
    }
    i = close + 1;
  } else {
    // reg-name (or IPv4address), each "%" starting a pct-encoded triplet: one pass.
    const char* const stop = authority.data() + authority.size();
    i = static_cast<std::size_t>((skip_plain != nullptr
                                      ? skip_plain(buffer, authority.data(), stop)
                                      : SkipCommonRegName(buffer, authority.data(), stop)) -
                                 authority.data());
    while (i < authority.size()) {
      if (authority[i] == '%') {
        if (i + 2 >= authority.size() || !Is(authority[i + 1], internal::kHex) ||
            !Is(authority[i + 2], internal::kHex)) {
          return false;
        }
        i += 3;
      } else if (Is(authority[i], internal::kRegName)) {
        ++i;
      } else {
        break;
      }
    }
    if (i == 0) return false;
  }
  if (i == authority.size()) return !require_port;
  return authority[i] == ':' && ValidPort(authority.substr(i + 1));
}

// "http://" or "https://", any case; returns the prefix length, or 0.
std::size_t HttpSchemePrefix(std::string_view target) {
  if (target.size() >= 7 && EqualsLower(target.substr(0, 7), "http://")) return 7;
  if (target.size() >= 8 && EqualsLower(target.substr(0, 8), "https://")) return 8;
  return 0;
}

}  // namespace

RequestParser::RequestParser(const Limits& limits)
    : RequestParser(limits, internal::BestFieldScanIsa()) {}

RequestParser::RequestParser(const Limits& limits, internal::FieldScanIsa isa)
    : limits_(Clamped(limits)),
      scan_(internal::FieldScanFor(isa)),
      scan_target_(internal::TargetScanFor(isa)),
      scan_reg_name_(internal::PlainRegNameScanFor(isa)) {
  if (scan_ == nullptr) {
    scan_ = internal::FieldScanFor(internal::BestFieldScanIsa());
    scan_target_ = internal::TargetScanFor(internal::BestFieldScanIsa());
    scan_reg_name_ = internal::PlainRegNameScanFor(internal::BestFieldScanIsa());
  }
  spans_.resize(FieldCapacity(limits_));
  fields_.resize(FieldCapacity(limits_));
  field_capacity_ = spans_.size();
  StartRequestLine(0);
}

// Sets back only what a new request reads before it writes it: the offsets and sizes of the
// method, target and head, host_field, and the head's views, form, version and keep_alive are
// always written first (by OnRequestLine, OnTarget, ParseLines, OnEndOfFields and Complete).
// Clearing the whole struct costs a quarter of the parse's bookkeeping.
void RequestParser::Reset() {
  request_.stage = Stage::kRequestLine;
  request_.scan = 0;
  request_.line_begin = 0;
  request_.field_count = 0;
  request_.skipped_empty_line = false;
  request_.has_host = false;
  request_.has_content_length = false;
  request_.has_transfer_encoding = false;
  request_.chunked_final = false;
  request_.unsupported_coding = false;
  request_.connection_close = false;
  request_.connection_keep_alive = false;
  request_.error = ParseError::kNone;
  request_.head.framing = BodyFraming::kNone;
  request_.head.content_length = 0;
  request_.head.expect = Expectation::kNone;
  StartRequestLine(0);
}

// The method's bound is checked once max_method + 1 bytes are in: they must hold the SP after
// the method. When that bound is not nearer than the line's, the line's bound alone decides.
void RequestParser::StartRequestLine(std::size_t begin) {
  const std::size_t method_bound = limits_.max_method + 1;
  request_.method_bounded = method_bound < limits_.max_request_line;
  request_.pending_limit =
      begin + (request_.method_bounded ? method_bound : limits_.max_request_line);
}

ParseError RequestParser::PassPendingLimit(const char* data) {
  if (request_.method_bounded) {
    request_.method_bounded = false;
    const char* const line = data + request_.line_begin;
    const char* const bound = line + limits_.max_method + 1;
    // Only a method too long is decided here; any other fault is left to the whole line, so
    // that the verdict is the same however the bytes arrive.
    if (Skip(line, bound, internal::kToken) == bound) return ParseError::kMethodTooLong;
    request_.pending_limit = request_.line_begin + limits_.max_request_line;
    if (request_.scan <= request_.pending_limit) return ParseError::kNone;
  }
  return request_.stage == Stage::kRequestLine ? ParseError::kRequestLineTooLong
                                               : ParseError::kHeaderSectionTooLarge;
}

// A request line that ends in CRLF within its bound needs no separate method check: a method
// too long is the first thing OnRequestLine rejects, as PassPendingLimit would.
bool RequestParser::WholeLineDecidesMethod(const char* data) const {
  return request_.method_bounded && data[request_.scan - 2] == '\r' &&
         request_.scan <= request_.line_begin + limits_.max_request_line;
}

ParseStatus RequestParser::ParseMore(std::string_view received) {
  if (request_.stage == Stage::kRequestLine || request_.stage == Stage::kFields) {
    if (request_.scan >= received.size()) return ParseStatus::kIncomplete;
    const char* const lf =
        FindLf(received.data(), received.data() + request_.scan, received.data() + received.size());
    if (lf != nullptr) return ParseLines(received, lf);
    request_.scan = received.size();
    return Pending(received.data());
  }
  return request_.stage == Stage::kComplete ? Complete(received) : ParseStatus::kError;
}

ParseStatus RequestParser::ParseLines(std::string_view received, const char* lf) {
  const char* const data = received.data();
  const std::size_t size = received.size();
  do {
    request_.scan = static_cast<std::size_t>(lf - data) + 1;
    // A limit is checked before the line's content, so that a line too long is reported the
    // same way whether it arrived whole or in pieces.
    if (request_.scan > request_.pending_limit && !WholeLineDecidesMethod(data)) {
      if (const ParseError error = PassPendingLimit(data); error != ParseError::kNone) {
        return Fail(error);
      }
    }
    std::size_t end = request_.scan - 1;
    if (end > request_.line_begin && data[end - 1] == '\r') {
      --end;
    } else if (!limits_.allow_bare_lf) {
      return Fail(ParseError::kBareLf);
    }
    const std::size_t begin = request_.line_begin;
    request_.line_begin = request_.scan;
    if (request_.stage == Stage::kRequestLine) {
      if (begin == end) {
        if (begin != 0 || request_.skipped_empty_line)
          return Fail(ParseError::kMalformedRequestLine);
        request_.skipped_empty_line = true;
        StartRequestLine(request_.scan);
      } else if (const ParseError error = OnRequestLine(data, begin, end);
                 error != ParseError::kNone) {
        return Fail(error);
      } else {
        request_.stage = Stage::kFields;
        request_.method_bounded = false;
        request_.section_begin = request_.scan;
        request_.pending_limit = request_.scan + limits_.max_header_section;
      }
    } else if (begin == end) {
      request_.head_size = request_.scan;
      if (const ParseError error = OnEndOfFields(); error != ParseError::kNone) {
        return Fail(error);
      }
      return Complete(received);
    } else if (const ParseError error = OnFieldLine(data, begin, end); error != ParseError::kNone) {
      return Fail(error);
    }
    // The next line starts at request_.scan. In the field section, the clean lines there are
    // taken in one pass; the line after them is read by the rules above.
    if (request_.stage == Stage::kFields) {
      if (const ParseError error = ParseCleanFieldLines(data, size); error != ParseError::kNone) {
        return Fail(error);
      }
    }
    lf = NextLf(data, request_.scan, size);
  } while (lf != nullptr);
  // Whatever completes the current line makes it at least one byte longer than what is here.
  request_.scan = size;
  return Pending(data);
}

ParseStatus RequestParser::Pending(const char* data) {
  while (request_.scan >= request_.pending_limit) {
    if (const ParseError error = PassPendingLimit(data); error != ParseError::kNone) {
      return Fail(error);
    }
  }
  return ParseStatus::kIncomplete;
}

ParseError RequestParser::OnRequestLine(const char* data, std::size_t begin, std::size_t end) {
  const char* const line = data + begin;
  const char* const stop = data + end;
  // Methods are short: a plain loop beats setting up 16-byte loads.
  const char* p = Skip(line, stop, internal::kToken);
  // Before any other check, as PassPendingLimit decides it when the line arrives in pieces.
  if (static_cast<std::size_t>(p - line) > limits_.max_method) return ParseError::kMethodTooLong;
  if (p == stop) return ParseError::kMalformedRequestLine;
  if (*p != ' ' || p == line) return Reject(*p, ParseError::kInvalidMethod);
  const std::string_view method(line, p - line);

  const char* const target = p + 1;
  const auto skip_target = [&](const char* from) {
    return scan_target_ != nullptr ? scan_target_(data, from, stop) : SkipTarget(from, stop);
  };
  p = skip_target(target);
  bool brackets = false;  // allowed only around an IP literal; OnTarget checks where they are
  while (p != stop && (*p == '[' || *p == ']')) {
    brackets = true;
    p = skip_target(p + 1);
  }
  if (p == stop || (p == target && *p == ' ')) return ParseError::kMalformedRequestLine;
  if (*p != ' ') return Reject(*p, ParseError::kInvalidTarget);
  const std::string_view target_text(target, p - target);

  const std::string_view version(p + 1, stop - (p + 1));
  if (version.size() == 8 && version.substr(0, 5) == "HTTP/" && Is(version[5], internal::kDigit) &&
      version[6] == '.' && Is(version[7], internal::kDigit)) {
    if (version[5] != '1') return ParseError::kUnsupportedVersion;
    request_.head.version_minor = version[7] - '0';
  } else if (version.empty() || version.find(' ') != std::string_view::npos) {
    return ParseError::kMalformedRequestLine;
  } else {
    return version.find('\r') != std::string_view::npos ? ParseError::kBareCr
                                                        : ParseError::kInvalidVersion;
  }

  if (brackets && target_text.front() == '/') return ParseError::kInvalidTarget;
  request_.method_begin = begin;
  request_.method_size = method.size();
  request_.target_begin = target - data;
  request_.target_size = target_text.size();
  return OnTarget(data, method, target_text);
}

// RFC 9112 section 3.2: which form the target takes, and whether the method allows it.
// REQUIRES: `target` is not empty and holds only target characters and brackets.
ParseError RequestParser::OnTarget(const char* data, std::string_view method,
                                   std::string_view target) {
  if (method == "CONNECT") {
    if (target == "*" || target.find('/') != std::string_view::npos) {
      return ParseError::kInvalidTargetForm;
    }
    if (!ValidAuthority(target, /*require_port=*/true, data, scan_reg_name_)) {
      return ParseError::kInvalidTarget;
    }
    request_.head.target_form = TargetForm::kAuthority;
    return ParseError::kNone;
  }
  if (target.front() == '/') {
    if (!ValidPercentEncoding(target)) return ParseError::kInvalidTarget;
    request_.head.target_form = TargetForm::kOrigin;
    return ParseError::kNone;
  }
  if (target == "*") {
    if (method != "OPTIONS") return ParseError::kInvalidTargetForm;
    request_.head.target_form = TargetForm::kAsterisk;
    return ParseError::kNone;
  }
  const std::size_t prefix = HttpSchemePrefix(target);
  if (prefix == 0) return ParseError::kInvalidTargetForm;
  const std::string_view rest = target.substr(prefix);
  const std::size_t authority_end = std::min(rest.find('/'), rest.find('?'));
  const std::string_view authority = rest.substr(0, authority_end);
  const std::string_view path = rest.substr(authority.size());
  if (!ValidAuthority(authority, /*require_port=*/false, data, scan_reg_name_) ||
      !ValidPercentEncoding(path) || path.find_first_of("[]") != std::string_view::npos) {
    return ParseError::kInvalidTarget;
  }
  request_.head.target_form = TargetForm::kAbsolute;
  return ParseError::kNone;
}

[[gnu::always_inline]] inline ParseError RequestParser::AddField(const char* data,
                                                                 std::size_t begin,
                                                                 const char* colon,
                                                                 const char* stop) {
  const std::size_t index = request_.field_count++;
  spans_[index] = internal::TrimmedFieldSpan(data, data + begin, colon, stop);
  return OnField(data, index);
}

bool RequestParser::RoomForField() {
  return request_.field_count < field_capacity_ || GrowFieldTables();
}

bool RequestParser::GrowFieldTables() {
  if (spans_.size() >= limits_.max_fields) return false;
  spans_.resize(std::min(limits_.max_fields, std::max<std::size_t>(1, 2 * spans_.size())));
  fields_.resize(spans_.size());
  field_capacity_ = spans_.size();
  return true;
}

ParseError RequestParser::ParseCleanFieldLines(const char* data, std::size_t size) {
  // A line that ends past the section's bound is not complete before `end`: the rules of
  // ParseLines reject it.
  const char* const end = data + std::min(size, request_.pending_limit);
  const char* p = data + request_.scan;
  std::size_t count = request_.field_count;
  // A field line past max_fields is left to OnFieldLine, which rejects it. A clean line cannot
  // be rejected but by OnField, so the lines of one scan may be looked at after it.
  while (count < field_capacity_ || GrowFieldTables()) {
    const std::size_t room = std::min(field_capacity_ - count, internal::kMaxScannedFields);
    const internal::ScannedFields scanned = scan_(data, p, end, spans_.data() + count, room);
    p = scanned.next;
    for (std::uint32_t framing = scanned.framing; framing != 0; framing &= framing - 1) {
      const std::size_t index = count + static_cast<std::size_t>(__builtin_ctz(framing));
      if (const ParseError error = OnField(data, index); error != ParseError::kNone) return error;
    }
    count += scanned.count;
    if (scanned.count < room) break;  // at a line that is not clean
  }
  request_.field_count = count;
  request_.scan = static_cast<std::size_t>(p - data);
  request_.line_begin = request_.scan;
  return ParseError::kNone;
}

ParseError RequestParser::OnFieldLine(const char* data, std::size_t begin, std::size_t end) {
  const char* const line = data + begin;
  const char* const stop = data + end;
  if (IsWhitespace(*line)) return ParseError::kObsFold;
  if (!RoomForField()) return ParseError::kTooManyFields;
  const char* const colon = SkipToken(line, stop);
  if (colon == stop) return ParseError::kMissingColon;
  if (*colon != ':') {
    if (IsWhitespace(*colon)) return ParseError::kWhitespaceBeforeColon;
    return Reject(*colon, ParseError::kInvalidFieldName);
  }
  if (colon == line) return ParseError::kInvalidFieldName;

  if (const char* bad = SkipFieldValue(data, colon + 1, stop); bad != stop) {
    return Reject(*bad, ParseError::kInvalidFieldValue);
  }
  return AddField(data, begin, colon, stop);
}

// The fields that decide framing and connection handling; the rest are only recorded.
ParseError RequestParser::OnField(const char* data, std::size_t index) {
  const std::string_view name(data + spans_[index].name_begin, spans_[index].name_size);
  const std::string_view value(data + spans_[index].value_begin, spans_[index].value_size);
  switch (name.size()) {
    case 4:
      if (!MatchesWord(name, "host")) break;
      if (request_.has_host) return ParseError::kDuplicateHost;
      if (!ValidAuthority(value, /*require_port=*/false, data, scan_reg_name_)) {
        return ParseError::kInvalidHost;
      }
      request_.has_host = true;
      request_.host_field = index;
      break;
    case 6:
      if (MatchesWord(name, "expect")) OnExpect(value);
      break;
    case 10:
      if (MatchesWord(name, "connection")) OnConnection(value);
      break;
    case 14:
      if (MatchesWord(name, "content-length")) return OnContentLength(value);
      break;
    case 17:
      if (MatchesWord(name, "transfer-encoding")) return OnTransferEncoding(value);
      break;
    default:
      break;
  }
  return ParseError::kNone;
}

// RFC 9110 section 8.6: 1*DIGIT; a list or repeated lines only when every value is the same.
ParseError RequestParser::OnContentLength(std::string_view value) {
  ListReader list(value);
  std::string_view element;
  while (list.Next(element)) {
    if (element.empty()) return ParseError::kInvalidContentLength;
    std::uint64_t length = 0;
    for (char c : element) {
      if (!Is(c, internal::kDigit)) return ParseError::kInvalidContentLength;
      const auto digit = static_cast<std::uint64_t>(c - '0');
      if (length > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) {
        return ParseError::kContentLengthOverflow;
      }
      length = length * 10 + digit;
    }
    if (request_.has_content_length && length != request_.head.content_length) {
      return ParseError::kConflictingContentLength;
    }
    request_.has_content_length = true;
    request_.head.content_length = length;
  }
  return ParseError::kNone;
}

// RFC 9112 section 6.1: the codings of every Transfer-Encoding line, in order, form one list;
// chunked must be the last and appear once. Empty elements are ignored (RFC 9110 5.6.1).
ParseError RequestParser::OnTransferEncoding(std::string_view value) {
  if (request_.head.version_minor == 0) return ParseError::kTransferEncodingInHttp10;
  request_.has_transfer_encoding = true;
  if (MatchesWord(value, "chunked")) {  // the usual value: a list of one element
    if (request_.chunked_final) return ParseError::kChunkedNotFinal;
    request_.chunked_final = true;
    return ParseError::kNone;
  }
  bool any = false;
  ListReader list(value);
  std::string_view coding;
  while (list.Next(coding)) {
    if (coding.empty()) continue;
    if (!IsToken(coding)) return ParseError::kInvalidTransferEncoding;
    if (request_.chunked_final) return ParseError::kChunkedNotFinal;
    if (MatchesWord(coding, "chunked")) {
      request_.chunked_final = true;
    } else {
      request_.unsupported_coding = true;
    }
    any = true;
  }
  return any ? ParseError::kNone : ParseError::kInvalidTransferEncoding;
}

void RequestParser::OnConnection(std::string_view value) {
  // The usual values first: a list of one element.
  if (MatchesWord(value, "keep-alive")) {
    request_.connection_keep_alive = true;
    return;
  }
  if (MatchesWord(value, "close")) {
    request_.connection_close = true;
    return;
  }
  ListReader list(value);
  std::string_view option;
  while (list.Next(option)) {
    if (MatchesWord(option, "close")) request_.connection_close = true;
    if (MatchesWord(option, "keep-alive")) request_.connection_keep_alive = true;
  }
}

void RequestParser::OnExpect(std::string_view value) {
  ListReader list(value);
  std::string_view expectation;
  while (list.Next(expectation)) {
    if (expectation.empty()) continue;
    if (MatchesWord(expectation, "100-continue") && request_.head.expect == Expectation::kNone) {
      request_.head.expect = Expectation::kContinue;
    } else if (!MatchesWord(expectation, "100-continue")) {
      request_.head.expect = Expectation::kUnsupported;
    }
  }
}

ParseError RequestParser::OnEndOfFields() {
  if (request_.has_transfer_encoding) {
    if (request_.has_content_length) return ParseError::kContentLengthWithTransferEncoding;
    if (!request_.chunked_final) return ParseError::kChunkedNotFinal;
    if (request_.unsupported_coding) return ParseError::kUnsupportedTransferCoding;
    request_.head.framing = BodyFraming::kChunked;
  } else if (request_.has_content_length) {
    request_.head.framing = BodyFraming::kContentLength;
  }
  if (request_.head.version_minor >= 1 && !request_.has_host) return ParseError::kMissingHost;
  // RFC 9110 section 10.1.1: a 100-continue expectation in an HTTP/1.0 request is ignored.
  if (request_.head.version_minor == 0 && request_.head.expect == Expectation::kContinue) {
    request_.head.expect = Expectation::kNone;
  }
  if (request_.head.version_minor >= 1) {
    request_.head.keep_alive = !request_.connection_close;
  } else {
    request_.head.keep_alive = request_.connection_keep_alive && !request_.connection_close;
  }
  return ParseError::kNone;
}

ParseStatus RequestParser::Fail(ParseError error) {
  request_.error = error;
  request_.stage = Stage::kError;
  request_.pending_limit = 0;
  return ParseStatus::kError;
}

ParseStatus RequestParser::Complete(std::string_view received) {
  const char* const data = received.data();
  request_.head.method = std::string_view(data + request_.method_begin, request_.method_size);
  request_.head.target = std::string_view(data + request_.target_begin, request_.target_size);
  const internal::FieldSpan* span = spans_.data();
  const internal::FieldSpan* const spans_end = span + request_.field_count;
  Field* field = fields_.data();
  // Two lines a turn: the loop's own bookkeeping was a fifth of its cost.
  for (; spans_end - span >= 2; span += 2, field += 2) {
    field[0].name = std::string_view(data + span[0].name_begin, span[0].name_size);
    field[0].value = std::string_view(data + span[0].value_begin, span[0].value_size);
    field[1].name = std::string_view(data + span[1].name_begin, span[1].name_size);
    field[1].value = std::string_view(data + span[1].value_begin, span[1].value_size);
  }
  if (span != spans_end) {
    field->name = std::string_view(data + span->name_begin, span->name_size);
    field->value = std::string_view(data + span->value_begin, span->value_size);
  }
  request_.head.fields = std::span<const Field>(fields_.data(), request_.field_count);
  request_.head.host = request_.has_host ? fields_[request_.host_field].value : std::string_view();
  request_.stage = Stage::kComplete;
  request_.pending_limit = 0;
  return ParseStatus::kComplete;
}

}  // namespace parley::http
