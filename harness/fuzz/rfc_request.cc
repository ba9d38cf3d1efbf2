#include "harness/fuzz/rfc_request.h"

#include <limits>
#include <optional>

#include "harness/text/bytes_text.h"

namespace parley::fuzz::rfc {
namespace {

using http::BodyFraming;
using http::Expectation;
using http::TargetForm;

constexpr int kBadRequest = 400;
constexpr int kContentTooLarge = 413;
constexpr int kUriTooLong = 414;
constexpr int kFieldsTooLarge = 431;
constexpr int kNotImplemented = 501;
constexpr int kVersionNotSupported = 505;

// RFC 5234 appendix B.1, RFC 9110 section 5.6.2, RFC 3986 section 2.

bool IsAlpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
char Lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}
bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}
bool IsHexDig(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool IsWs(char c) {
  return c == ' ' || c == '\t';
}
bool IsVchar(char c) {
  return c >= 0x21 && c <= 0x7e;
}
bool IsObsText(char c) {
  return static_cast<unsigned char>(c) >= 0x80;
}
bool IsTchar(char c) {
  return IsAlpha(c) || IsDigit(c) ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}
bool IsUnreserved(char c) {
  return IsAlpha(c) || IsDigit(c) || c == '-' || c == '.' || c == '_' || c == '~';
}
bool IsSubDelim(char c) {
  return std::string_view("!$&'()*+,;=").find(c) != std::string_view::npos;
}

int HexValue(char c) {
  return IsDigit(c) ? c - '0' : Lower(c) - 'a' + 10;
}

bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!IsTchar(c)) return false;
  return true;
}

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (Lower(a[i]) != Lower(b[i])) return false;
  return true;
}

bool StartsWithIgnoringCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && EqualsIgnoringCase(s.substr(0, prefix.size()), prefix);
}

// OWS removed from both ends (RFC 9110 section 5.6.3).
std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && IsWs(s.front()))
    s.remove_prefix(1);
  while (!s.empty() && IsWs(s.back()))
    s.remove_suffix(1);
  return s;
}

// The elements of a #rule list (RFC 9110 section 5.6.1), each OWS-trimmed, empty ones kept.
std::vector<std::string_view> ListElements(std::string_view value) {
  std::vector<std::string_view> elements;
  for (;;) {
    const std::size_t comma = value.find(',');
    elements.push_back(TrimOws(value.substr(0, comma)));
    if (comma == std::string_view::npos) return elements;
    value.remove_prefix(comma + 1);
  }
}

// Every byte of `s` is `plain` or part of a pct-encoded triplet ("%" HEXDIG HEXDIG).
bool PlainOrPctEncoded(std::string_view s, bool (*plain)(char)) {
  for (std::size_t i = 0; i < s.size();) {
    if (s[i] == '%') {
      if (s.size() - i < 3 || !IsHexDig(s[i + 1]) || !IsHexDig(s[i + 2])) return false;
      i += 3;
    } else if (plain(s[i])) {
      ++i;
    } else {
      return false;
    }
  }
  return true;
}

// pchar without pct-encoded: unreserved / sub-delims / ":" / "@".
bool IsPcharPlain(char c) {
  return IsUnreserved(c) || IsSubDelim(c) || c == ':' || c == '@';
}
// path-abempty / absolute-path bytes: segments of pchar joined by "/".
bool IsPathPlain(char c) {
  return IsPcharPlain(c) || c == '/';
}
// query = *( pchar / "/" / "?" )
bool IsQueryPlain(char c) {
  return IsPathPlain(c) || c == '?';
}
bool IsRegNamePlain(char c) {
  return IsUnreserved(c) || IsSubDelim(c);
}

// path [ "?" query ], the path made of `IsPathPlain` bytes.
bool ValidPathAndQuery(std::string_view s) {
  const std::size_t question = s.find('?');
  if (!PlainOrPctEncoded(s.substr(0, question), IsPathPlain)) return false;
  return question == std::string_view::npos ||
         PlainOrPctEncoded(s.substr(question + 1), IsQueryPlain);
}

// dec-octet: 0 to 255 without leading zeros.
bool ValidDecOctet(std::string_view s) {
  if (s.empty() || s.size() > 3) return false;
  for (char c : s)
    if (!IsDigit(c)) return false;
  if (s.size() > 1 && s[0] == '0') return false;
  return std::stoi(std::string(s)) <= 255;
}

// IPv4address = dec-octet "." dec-octet "." dec-octet "." dec-octet
bool ValidIpv4(std::string_view s) {
  for (int i = 0; i < 3; ++i) {
    const std::size_t dot = s.find('.');
    if (dot == std::string_view::npos || !ValidDecOctet(s.substr(0, dot))) return false;
    s.remove_prefix(dot + 1);
  }
  return ValidDecOctet(s);
}

// h16 = 1*4HEXDIG
bool ValidH16(std::string_view s) {
  if (s.empty() || s.size() > 4) return false;
  for (char c : s)
    if (!IsHexDig(c)) return false;
  return true;
}

// A run of h16 separated by ":" (one side of a "::"); the last may be an IPv4address (ls32)
// when `ipv4_last`. Sets `groups` to the number of 16-bit groups; an empty run has none.
bool ValidH16Run(std::string_view s, bool ipv4_last, int* groups) {
  *groups = 0;
  if (s.empty()) return true;
  for (;;) {
    const std::size_t colon = s.find(':');
    const std::string_view piece = s.substr(0, colon);
    if (colon == std::string_view::npos && ipv4_last && ValidIpv4(piece)) {
      *groups += 2;
      return true;
    }
    if (!ValidH16(piece)) return false;
    ++*groups;
    if (colon == std::string_view::npos) return true;
    s.remove_prefix(colon + 1);
  }
}

// IPv6address (RFC 3986 section 3.2.2): eight groups, or fewer with one "::" standing for at
// least one group of zeros; the last 32 bits may be written as an IPv4address.
bool ValidIpv6(std::string_view s) {
  const std::size_t gap = s.find("::");
  int groups = 0;
  if (gap == std::string_view::npos) return ValidH16Run(s, true, &groups) && groups == 8;
  if (s.find("::", gap + 1) != std::string_view::npos) return false;
  int left = 0;
  int right = 0;
  return ValidH16Run(s.substr(0, gap), false, &left) &&
         ValidH16Run(s.substr(gap + 2), true, &right) && left + right <= 7;
}

// IPvFuture = "v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" )
bool ValidIpvFuture(std::string_view s) {
  if (s.size() < 4 || Lower(s[0]) != 'v') return false;
  const std::size_t dot = s.find('.');
  if (dot == std::string_view::npos || dot < 2 || dot + 1 == s.size()) return false;
  for (char c : s.substr(1, dot - 1))
    if (!IsHexDig(c)) return false;
  for (char c : s.substr(dot + 1))
    if (!IsUnreserved(c) && !IsSubDelim(c) && c != ':') return false;
  return true;
}

// uri-host = IP-literal / IPv4address / reg-name, never empty for http (RFC 9110 section
// 4.2.1). IPv4address is a subset of reg-name, so it needs no test of its own.
bool ValidHost(std::string_view s) {
  if (s.empty()) return false;
  if (s.front() == '[') {
    if (s.size() < 2 || s.back() != ']') return false;
    const std::string_view inside = s.substr(1, s.size() - 2);
    return ValidIpv6(inside) || ValidIpvFuture(inside);
  }
  return PlainOrPctEncoded(s, IsRegNamePlain);
}

// port: 1 to 5 digits, at most 65535 (docs/http-parsing.md; RFC 3986 allows *DIGIT).
bool ValidPort(std::string_view s) {
  if (s.empty() || s.size() > 5) return false;
  for (char c : s)
    if (!IsDigit(c)) return false;
  return std::stoi(std::string(s)) <= 65535;
}

// uri-host [ ":" port ], the port required when `port_required`. No userinfo.
bool ValidHostAndPort(std::string_view s, bool port_required) {
  std::size_t host_end = s.find(':');
  if (!s.empty() && s.front() == '[') {
    host_end = s.find(']');
    if (host_end != std::string_view::npos) ++host_end;
  }
  if (host_end == std::string_view::npos || host_end == s.size()) {
    return !port_required && ValidHost(s);
  }
  return ValidHost(s.substr(0, host_end)) && s[host_end] == ':' &&
         ValidPort(s.substr(host_end + 1));
}

// The authority of an absolute-form target and the rest (path-abempty [ "?" query ]).
bool SplitAbsolute(std::string_view target, std::string_view* authority, std::string_view* rest) {
  std::size_t scheme_end;
  if (StartsWithIgnoringCase(target, "http://")) {
    scheme_end = 7;
  } else if (StartsWithIgnoringCase(target, "https://")) {
    scheme_end = 8;
  } else {
    return false;
  }
  target.remove_prefix(scheme_end);
  const std::size_t end = target.find_first_of("/?");
  *authority = target.substr(0, end);
  *rest = end == std::string_view::npos ? std::string_view() : target.substr(end);
  return true;
}

// request-target (RFC 9112 section 3.2) for `method`: sets the form, false when invalid.
bool ValidTarget(std::string_view method, std::string_view target, TargetForm* form) {
  if (target.empty()) return false;
  if (target == "*") {
    *form = TargetForm::kAsterisk;
    return method == "OPTIONS";
  }
  if (method == "CONNECT") {
    *form = TargetForm::kAuthority;
    return ValidHostAndPort(target, true);
  }
  if (target.front() == '/') {
    *form = TargetForm::kOrigin;
    return ValidPathAndQuery(target);
  }
  *form = TargetForm::kAbsolute;
  std::string_view authority;
  std::string_view rest;
  return SplitAbsolute(target, &authority, &rest) && ValidHostAndPort(authority, false) &&
         ValidPathAndQuery(rest);
}

// request-line = method SP request-target SP HTTP-version; 0 when valid, else the status.
int ParseRequestLine(std::string_view line, Request* r) {
  const std::size_t sp1 = line.find(' ');
  if (sp1 == std::string_view::npos) return kBadRequest;
  const std::size_t sp2 = line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos) return kBadRequest;
  const std::string_view method = line.substr(0, sp1);
  const std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  const std::string_view version = line.substr(sp2 + 1);
  if (!IsToken(method) || target.empty()) return kBadRequest;
  // A byte no form of target may hold is judged before the version; the target's escapes,
  // brackets, authority and form after it (the RFCs leave the order open; this is parley's).
  for (char c : target)
    if (!IsQueryPlain(c) && c != '%' && c != '[' && c != ']') return kBadRequest;
  // HTTP-version = "HTTP" "/" DIGIT "." DIGIT, case-sensitive (RFC 9112 section 2.3).
  if (version.size() != 8 || version.substr(0, 5) != "HTTP/" || !IsDigit(version[5]) ||
      version[6] != '.' || !IsDigit(version[7])) {
    return kBadRequest;
  }
  if (version[5] != '1') return kVersionNotSupported;
  if (!ValidTarget(method, target, &r->target_form)) return kBadRequest;
  r->method = method;
  r->target = target;
  r->version_minor = version[7] - '0';
  r->keep_alive = r->version_minor >= 1;
  return 0;
}

// 1*DIGIT as a number; false when not digits or above 2^64 - 1.
bool ParseDecimal(std::string_view s, std::uint64_t* value) {
  if (s.empty()) return false;
  *value = 0;
  for (char c : s) {
    if (!IsDigit(c)) return false;
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (*value > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) return false;
    *value = *value * 10 + digit;
  }
  return true;
}

// What the field section says beyond the fields themselves.
struct HeadState {
  bool has_host = false;
  bool has_content_length = false;
  std::uint64_t content_length = 0;
  std::vector<std::string_view> codings;  // every Transfer-Encoding element, in order
  bool close = false;
  bool keep_alive = false;
  bool expect_continue = false;
  bool expect_other = false;
};

// The fields with a meaning for framing and the connection; 0 or the status.
int OnField(std::string_view name, std::string_view value, const Request& r, HeadState* state) {
  if (EqualsIgnoringCase(name, "Host")) {
    // RFC 9112 section 3.2: exactly one Host, a uri-host [ ":" port ].
    if (state->has_host || !ValidHostAndPort(value, false)) return kBadRequest;
    state->has_host = true;
  } else if (EqualsIgnoringCase(name, "Content-Length")) {
    // RFC 9110 section 8.6: a list of equal 1*DIGIT values is one value.
    for (std::string_view element : ListElements(value)) {
      std::uint64_t n = 0;
      if (!ParseDecimal(element, &n)) return kBadRequest;
      if (state->has_content_length && n != state->content_length) return kBadRequest;
      state->has_content_length = true;
      state->content_length = n;
    }
  } else if (EqualsIgnoringCase(name, "Transfer-Encoding")) {
    if (r.version_minor == 0) return kBadRequest;
    bool named = false;
    for (std::string_view element : ListElements(value)) {
      if (element.empty()) continue;
      if (!IsToken(element)) return kBadRequest;  // parameters included
      // A coding after chunked can never be undone by a later line: judged here, not at the
      // end of the head (RFC 9112 section 6.3: chunked must be the final coding, once).
      for (std::string_view earlier : state->codings)
        if (EqualsIgnoringCase(earlier, "chunked")) return kBadRequest;
      state->codings.push_back(element);
      named = true;
    }
    if (!named) return kBadRequest;
  } else if (EqualsIgnoringCase(name, "Connection")) {
    for (std::string_view option : ListElements(value)) {
      if (EqualsIgnoringCase(option, "close")) state->close = true;
      if (EqualsIgnoringCase(option, "keep-alive")) state->keep_alive = true;
    }
  } else if (EqualsIgnoringCase(name, "Expect")) {
    for (std::string_view expectation : ListElements(value)) {
      if (expectation.empty()) continue;
      if (EqualsIgnoringCase(expectation, "100-continue")) {
        state->expect_continue = true;
      } else {
        state->expect_other = true;
      }
    }
  }
  return 0;
}

// field-line = field-name ":" OWS field-value OWS (RFC 9112 section 5); 0 or the status.
int ParseFieldLine(std::string_view line, Request* r, HeadState* state) {
  const std::size_t colon = line.find(':');
  if (colon == std::string_view::npos) return kBadRequest;
  const std::string_view name = line.substr(0, colon);
  if (!IsToken(name)) return kBadRequest;
  const std::string_view value = TrimOws(line.substr(colon + 1));
  for (char c : value)
    if (!IsVchar(c) && !IsWs(c) && !IsObsText(c)) return kBadRequest;
  r->fields.emplace_back(name, value);
  return OnField(name, value, *r, state);
}

// After the empty line: the checks that need the whole section, in the documented order.
int OnEndOfHead(const HeadState& state, const http::Limits& limits, Request* r) {
  if (!state.codings.empty()) {
    // RFC 9112 section 6.3: never both; chunked exactly once and last; parley decodes no other.
    if (state.has_content_length) return kBadRequest;
    int chunked = 0;
    for (std::string_view coding : state.codings)
      chunked += EqualsIgnoringCase(coding, "chunked") ? 1 : 0;
    if (chunked != 1 || !EqualsIgnoringCase(state.codings.back(), "chunked")) return kBadRequest;
    if (state.codings.size() > 1) return kNotImplemented;
    r->framing = BodyFraming::kChunked;
  }
  if (r->version_minor >= 1 && !state.has_host) return kBadRequest;
  if (state.has_content_length) {
    r->framing = BodyFraming::kContentLength;
    r->content_length = state.content_length;
    if (state.content_length > limits.max_body) return kContentTooLarge;
  }
  if (state.close) {
    r->keep_alive = false;
  } else if (state.keep_alive) {
    r->keep_alive = true;
  }
  if (state.expect_other) {
    r->expect = Expectation::kUnsupported;
  } else if (state.expect_continue && r->version_minor >= 1) {
    r->expect = Expectation::kContinue;
  }
  return 0;
}

// A line of the head: its content without the line end, and its size with it.
struct Line {
  std::string_view content;
  std::size_t size = 0;
  bool bare_lf = false;
};

// The line starting at `at`, once its LF has arrived (RFC 9112 section 2.2).
std::optional<Line> LineAt(std::string_view bytes, std::size_t at) {
  const std::size_t lf = bytes.find('\n', at);
  if (lf == std::string_view::npos) return std::nullopt;
  Line line;
  line.size = lf + 1 - at;
  line.bare_lf = lf == at || bytes[lf - 1] != '\r';
  line.content = bytes.substr(at, lf - at - (line.bare_lf ? 0 : 1));
  return line;
}

// 0 when the line end and content hold no bare LF (unless allowed) and no bare CR.
int CheckLineEnds(const Line& line, const http::Limits& limits) {
  if (line.bare_lf && !limits.allow_bare_lf) return kBadRequest;
  if (line.content.find('\r') != std::string_view::npos) return kBadRequest;
  return 0;
}

// How reading one request ended.
struct Outcome {
  End end = End::kClean;  // kClean: accepted
  int status = 0;
};

Outcome Rejected(int status) {
  return {End::kRejected, status};
}
Outcome Incomplete() {
  return {End::kIncomplete, 0};
}

// The head of the request at the start of `bytes`: the request line (after at most one empty
// line) and the field section. Sets `head_size`.
Outcome ReadHead(std::string_view bytes, const http::Limits& limits, Request* r,
                 std::size_t* head_size) {
  std::size_t at = 0;
  std::optional<Line> line = LineAt(bytes, 0);
  if (line && line->content.empty()) {  // RFC 9112 section 2.2: one empty line is ignored
    if (const int status = CheckLineEnds(*line, limits)) return Rejected(status);
    at = line->size;
    line = LineAt(bytes, at);
  }
  // RFC 9112 section 3: a method longer than any the server implements gets 501, here as soon
  // as max_method + 1 token bytes have arrived, before anything else in the line is judged.
  const std::string_view method_start = bytes.substr(at, limits.max_method + 1);
  if (method_start.size() == limits.max_method + 1 && IsToken(method_start)) {
    return Rejected(kNotImplemented);
  }
  if (!line) {
    // Its line end can only make it longer.
    return bytes.size() - at >= limits.max_request_line ? Rejected(kUriTooLong) : Incomplete();
  }
  if (line->size > limits.max_request_line) return Rejected(kUriTooLong);
  if (const int status = CheckLineEnds(*line, limits)) return Rejected(status);
  if (line->content.empty()) return Rejected(kBadRequest);  // a second empty line
  if (const int status = ParseRequestLine(line->content, r)) return Rejected(status);
  at += line->size;

  HeadState state;
  std::size_t section = 0;
  std::size_t field_lines = 0;
  for (;;) {
    line = LineAt(bytes, at);
    if (!line) {
      return section + (bytes.size() - at) >= limits.max_header_section ? Rejected(kFieldsTooLarge)
                                                                        : Incomplete();
    }
    if (section + line->size > limits.max_header_section) return Rejected(kFieldsTooLarge);
    section += line->size;
    at += line->size;
    if (line->content.empty()) {
      if (const int status = CheckLineEnds(*line, limits)) return Rejected(status);
      break;
    }
    if (line->bare_lf && !limits.allow_bare_lf) return Rejected(kBadRequest);
    // A line starting with whitespace is obs-fold (RFC 9112 section 5.2), rejected; it would
    // continue a field line rather than be one, so it does not count toward max_fields.
    if (IsWs(line->content.front())) return Rejected(kBadRequest);
    if (++field_lines > limits.max_fields) return Rejected(kFieldsTooLarge);
    if (const int status = CheckLineEnds(*line, limits)) return Rejected(status);
    if (const int status = ParseFieldLine(line->content, r, &state)) {
      return Rejected(status);
    }
  }
  *head_size = at;
  if (const int status = OnEndOfHead(state, limits, r)) return Rejected(status);
  return {};
}

// chunked-body = *chunk last-chunk trailer-section CRLF, read byte by byte: a byte no valid body
// continues with rejects at once, and running out of bytes before the end is kIncomplete.
class ChunkedReader {
 public:
  ChunkedReader(std::string_view bytes, const http::Limits& limits)
      : bytes_(bytes), limits_(limits) {}

  ChunkedBody Read() {
    for (;;) {
      std::uint64_t size = 0;
      if (!ChunkSizeLine(&size)) return out_;
      if (size == 0) break;  // last-chunk
      if (!ChunkData(size)) return out_;
    }
    if (!TrailerSection()) return out_;
    out_.end = End::kClean;
    out_.size = at_;
    return out_;
  }

 private:
  static constexpr std::size_t kNoLimit = std::numeric_limits<std::size_t>::max();

  bool Incomplete() {
    out_.end = End::kIncomplete;
    return false;
  }
  bool Reject(int status) {
    out_.end = End::kRejected;
    out_.status = status;
    return false;
  }

  // The next byte without taking it; false (incomplete) when it has not arrived.
  bool Peek(char* c) {
    if (at_ == bytes_.size()) return Incomplete();
    *c = bytes_[at_];
    return true;
  }

  // Takes the next byte; false when it has not arrived or lies past the current byte budget.
  bool Take(char* c) {
    if (!Peek(c)) return false;
    if (at_ >= budget_end_) return Reject(budget_status_);
    ++at_;
    return true;
  }

  // Takes the next byte, which must be `expected`.
  bool Expect(char expected) {
    char c;
    if (!Peek(&c)) return false;
    if (c != expected) return Reject(kBadRequest);
    return Take(&c);
  }

  // BWS = *( SP / HTAB )
  // Like every rule below, false when the bytes end: something must follow.
  bool Bws() {
    for (;;) {
      char c;
      if (!Peek(&c)) return false;
      if (!IsWs(c)) return true;
      if (!Take(&c)) return false;
    }
  }

  // token = 1*tchar
  bool Token() {
    char c;
    if (!Peek(&c)) return false;
    if (!IsTchar(c)) return Reject(kBadRequest);
    for (;;) {
      if (!Take(&c) || !Peek(&c)) return false;
      if (!IsTchar(c)) return true;
    }
  }

  // quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE (RFC 9110 section 5.6.4)
  bool QuotedString() {
    if (!Expect('"')) return false;
    for (;;) {
      char c;
      if (!Take(&c)) return false;
      if (c == '"') return true;
      if (c == '\\') {
        if (!Take(&c)) return false;
        if (c != '\t' && c != ' ' && !IsVchar(c) && !IsObsText(c)) return Reject(kBadRequest);
      } else if (c != '\t' && c != ' ' && c != '!' && !(c >= 0x23 && c <= 0x5b) &&
                 !(c >= 0x5d && c <= 0x7e) && !IsObsText(c)) {
        return Reject(kBadRequest);
      }
    }
  }

  // chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] ), up to the CR.
  bool ChunkExtensions() {
    for (;;) {
      char c;
      if (!Peek(&c)) return false;
      if (c == '\r') return true;
      if (!Bws() || !Expect(';') || !Bws() || !Token()) return false;
      const std::size_t name_end = at_;
      if (!Bws() || !Peek(&c)) return false;
      if (c == '=') {
        if (!Take(&c) || !Bws() || !Peek(&c)) return false;
        if (!(c == '"' ? QuotedString() : Token())) return false;
      } else if (c == '\r' && at_ != name_end) {
        return Reject(kBadRequest);  // BWS right before the CRLF
      }
    }
  }

  // CRLF, exactly.
  bool Crlf() {
    char c;
    if (!Take(&c)) return false;
    if (c != '\r') return Reject(kBadRequest);
    if (!Take(&c)) return false;
    return c == '\n' || Reject(kBadRequest);
  }

  // chunk-size [ chunk-ext ] CRLF
  bool ChunkSizeLine(std::uint64_t* size) {
    char c;
    if (!Peek(&c)) return false;
    if (!IsHexDig(c)) return Reject(kBadRequest);
    *size = 0;
    for (;;) {
      if (!Peek(&c)) return false;
      if (!IsHexDig(c)) break;
      const auto digit = static_cast<std::uint64_t>(HexValue(c));
      if (*size > (std::numeric_limits<std::uint64_t>::max() - digit) / 16) {
        return Reject(kBadRequest);
      }
      *size = *size * 16 + digit;
      ++at_;
    }
    budget_end_ = at_ + limits_.max_chunk_extensions;
    budget_status_ = kBadRequest;
    if (!ChunkExtensions()) return false;
    budget_end_ = kNoLimit;
    if (!Crlf()) return false;
    if (*size > limits_.max_body - decoded_) return Reject(kContentTooLarge);
    decoded_ += *size;
    return true;
  }

  // chunk-data CRLF
  bool ChunkData(std::uint64_t size) {
    if (bytes_.size() - at_ < size) return Incomplete();
    out_.data.append(bytes_.substr(at_, size));
    at_ += size;
    return Crlf();
  }

  // trailer-section CRLF: field lines checked like the head's, then discarded. Every byte,
  // the final CRLF included, counts toward max_trailer_section.
  bool TrailerSection() {
    budget_end_ = at_ + limits_.max_trailer_section;
    budget_status_ = kFieldsTooLarge;
    for (;;) {
      char c;
      if (!Take(&c)) return false;
      if (c == '\r') {
        if (!Take(&c)) return false;
        return c == '\n' || Reject(kBadRequest);
      }
      if (!IsTchar(c)) return Reject(kBadRequest);  // obs-fold, bare LF, a bad name
      if (!TrailerFieldLine()) return false;
    }
  }

  // The rest of a field line after its first name byte, through its CRLF.
  bool TrailerFieldLine() {
    char c;
    do {
      if (!Take(&c)) return false;
    } while (IsTchar(c));
    if (c == '\r') {  // a name with no colon, or a bare CR
      if (!Take(&c)) return false;
      return Reject(kBadRequest);
    }
    if (c != ':') return Reject(kBadRequest);
    for (;;) {
      if (!Take(&c)) return false;
      if (c == '\r') break;
      if (!IsVchar(c) && !IsWs(c) && !IsObsText(c)) return Reject(kBadRequest);
    }
    if (!Take(&c)) return false;
    return c == '\n' || Reject(kBadRequest);
  }

  std::string_view bytes_;
  const http::Limits& limits_;
  std::size_t at_ = 0;
  std::uint64_t decoded_ = 0;
  std::size_t budget_end_ = kNoLimit;  // taking the byte at this offset exceeds a limit
  int budget_status_ = kBadRequest;
  ChunkedBody out_;
};

// One request from the start of `bytes`.
Outcome ReadRequest(std::string_view bytes, const http::Limits& limits, Request* r) {
  std::size_t head_size = 0;
  const Outcome head = ReadHead(bytes, limits, r, &head_size);
  if (head.end != End::kClean) return head;
  const std::string_view rest = bytes.substr(head_size);
  switch (r->framing) {
    case BodyFraming::kNone:
      r->size = head_size;
      return {};
    case BodyFraming::kContentLength:
      if (rest.size() < r->content_length) return Incomplete();
      r->body = rest.substr(0, r->content_length);
      r->size = head_size + r->content_length;
      return {};
    case BodyFraming::kChunked: {
      ChunkedBody body = ChunkedReader(rest, limits).Read();
      if (body.end != End::kClean) return {body.end, body.status};
      r->body = std::move(body.data);
      r->size = head_size + body.size;
      return {};
    }
  }
  return {};
}

}  // namespace

Reading Read(std::string_view bytes, const http::Limits& limits, std::size_t max_requests) {
  Reading reading;
  std::size_t at = 0;
  while (at < bytes.size()) {
    Request request;
    const Outcome outcome = ReadRequest(bytes.substr(at), limits, &request);
    if (outcome.end != End::kClean) {
      reading.end = outcome.end;
      reading.status = outcome.status;
      return reading;
    }
    at += request.size;
    reading.requests.push_back(std::move(request));
    if (reading.requests.size() == max_requests) {
      reading.end = End::kCapped;
      return reading;
    }
  }
  return reading;
}

ChunkedBody ReadChunked(std::string_view bytes, const http::Limits& limits) {
  return ChunkedReader(bytes, limits).Read();
}

std::string DecodedPath(const Request& request) {
  std::string_view path = request.target;
  if (request.target_form == TargetForm::kAbsolute) {
    std::string_view authority;
    if (!SplitAbsolute(request.target, &authority, &path)) return {};
  } else if (request.target_form != TargetForm::kOrigin) {
    return {};
  }
  path = path.substr(0, path.find('?'));
  std::string decoded;
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '%' && path.size() - i >= 3 && IsHexDig(path[i + 1]) && IsHexDig(path[i + 2])) {
      decoded.push_back(static_cast<char>(HexValue(path[i + 1]) * 16 + HexValue(path[i + 2])));
      i += 2;
    } else {
      decoded.push_back(path[i]);
    }
  }
  return decoded;
}

std::string Describe(const Reading& reading) {
  static constexpr const char* kFraming[] = {"none", "content-length", "chunked"};
  static constexpr const char* kEnd[] = {"clean", "incomplete", "rejected", "capped"};
  std::string text;
  std::size_t shown = 0;
  for (const Request& r : reading.requests) {
    if (++shown > 8) {
      text += "...\n";
      break;
    }
    text += "request: " + harness::ShowBytes(r.method, 40) + " " +
            harness::ShowBytes(r.target, 80) + " HTTP/1." + std::to_string(r.version_minor) + ", " +
            std::to_string(r.fields.size()) + " fields, framing " +
            kFraming[static_cast<int>(r.framing)] + ", body " + std::to_string(r.body.size()) +
            " bytes, " + std::to_string(r.size) + " bytes in all, keep-alive " +
            (r.keep_alive ? "yes" : "no") + "\n";
  }
  text += std::string("end: ") + kEnd[static_cast<int>(reading.end)];
  if (reading.end == End::kRejected) text += " " + std::to_string(reading.status);
  return text;
}

}  // namespace parley::fuzz::rfc
