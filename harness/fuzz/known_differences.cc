#include "harness/fuzz/known_differences.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace parley::fuzz {
namespace {

using Fields = std::vector<std::pair<std::string, std::string>>;
using http::ParseError;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool IsToken(std::string_view s) {
  static constexpr std::string_view kSpecials = "!#$%&'*+-.^_`|~";
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) ||
           kSpecials.find(c) != std::string_view::npos;
  });
}

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

// The comma-separated elements of every field named `name` (case-insensitive), OWS trimmed,
// empty elements dropped.
std::vector<std::string> Elements(const Fields& fields, std::string_view name) {
  std::vector<std::string> out;
  for (const auto& [n, v] : fields) {
    if (Lower(n) != name) continue;
    std::string_view rest = v;
    while (true) {
      const std::size_t comma = rest.find(',');
      const std::string_view element = TrimOws(rest.substr(0, comma));
      if (!element.empty()) out.emplace_back(element);
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  return out;
}

std::size_t Count(const Fields& fields, std::string_view name) {
  return static_cast<std::size_t>(std::count_if(
      fields.begin(), fields.end(), [&](const auto& f) { return Lower(f.first) == name; }));
}

// RFC 3986 characters allowed in a path and query (pchar, "/" and "?"), percent escapes checked.
bool IsPlainOriginForm(std::string_view target) {
  static constexpr std::string_view kAllowed = "-._~!$&'()*+,;=:@/?";
  if (target.empty() || target.front() != '/') return false;
  for (std::size_t i = 0; i < target.size(); ++i) {
    const char c = target[i];
    if (c == '%') {
      if (i + 2 >= target.size() || !std::isxdigit(static_cast<unsigned char>(target[i + 1])) ||
          !std::isxdigit(static_cast<unsigned char>(target[i + 2]))) {
        return false;
      }
      i += 2;
    } else if (!std::isalnum(static_cast<unsigned char>(c)) &&
               kAllowed.find(c) == std::string_view::npos) {
      return false;
    }
  }
  return true;
}

// RFC 3986 IPv6address: eight groups of 1-4 hex digits, "::" once for a run of zero groups,
// the last two groups possibly an IPv4 address.
bool IsIpv4(std::string_view s) {
  int parts = 0;
  while (true) {
    std::size_t digits = 0;
    int value = 0;
    while (digits < s.size() && digits < 4 && std::isdigit(static_cast<unsigned char>(s[digits]))) {
      value = value * 10 + (s[digits] - '0');
      ++digits;
    }
    if (digits == 0 || digits > 3 || value > 255 || (digits > 1 && s[0] == '0')) return false;
    s.remove_prefix(digits);
    if (++parts == 4) return s.empty();
    if (s.empty() || s.front() != '.') return false;
    s.remove_prefix(1);
  }
}

bool IsIpv6(std::string_view s) {
  const std::size_t gap = s.find("::");
  if (gap != std::string_view::npos && s.find("::", gap + 1) != std::string_view::npos) {
    return false;
  }
  auto groups = [](std::string_view part, int* count) {
    if (part.empty()) return true;
    while (true) {
      const std::size_t colon = part.find(':');
      const std::string_view group = part.substr(0, colon);
      if (colon == std::string_view::npos && group.find('.') != std::string_view::npos) {
        *count += 2;
        return IsIpv4(group);
      }
      if (group.empty() || group.size() > 4 || !std::all_of(group.begin(), group.end(), [](char c) {
            return std::isxdigit(static_cast<unsigned char>(c));
          })) {
        return false;
      }
      ++*count;
      if (colon == std::string_view::npos) return true;
      part.remove_prefix(colon + 1);
    }
  };
  int count = 0;
  if (gap == std::string_view::npos) return groups(s, &count) && count == 8;
  return groups(s.substr(0, gap), &count) && groups(s.substr(gap + 2), &count) && count < 8;
}

// uri-host [":" port]: a registered name, an IPv4 address or a bracketed IPv6 address.
bool IsPlainHost(std::string_view value) {
  static constexpr std::string_view kRegName = "-._~!$&'()*+,;=%";
  std::string_view host = value;
  std::string_view port;
  bool has_port = false;
  if (!host.empty() && host.front() == '[') {
    const std::size_t close = host.find(']');
    if (close == std::string_view::npos || !IsIpv6(host.substr(1, close - 1))) return false;
    const std::string_view rest = host.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') return false;
    has_port = !rest.empty();
    if (has_port) port = rest.substr(1);
  } else {
    const std::size_t colon = host.find(':');
    has_port = colon != std::string_view::npos;
    if (has_port) {
      port = host.substr(colon + 1);
      host = host.substr(0, colon);
    }
    if (host.empty()) return false;
    for (std::size_t i = 0; i < host.size(); ++i) {
      const char c = host[i];
      if (c == '%') {
        if (i + 2 >= host.size() || !std::isxdigit(static_cast<unsigned char>(host[i + 1])) ||
            !std::isxdigit(static_cast<unsigned char>(host[i + 2]))) {
          return false;
        }
        i += 2;
      } else if (!std::isalnum(static_cast<unsigned char>(c)) &&
                 kRegName.find(c) == std::string_view::npos) {
        return false;
      }
    }
  }
  if (!has_port) return true;
  if (port.empty() || port.size() > 5 ||
      !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return false;
  }
  return std::stoul(std::string(port)) <= 65535;
}

// The head's bytes: through the first empty line (CRLF CRLF).
std::string_view HeadOf(std::string_view bytes) {
  const std::size_t end = bytes.find("\r\n\r\n");
  return end == std::string_view::npos ? bytes : bytes.substr(0, end + 4);
}

// A line in `bytes` that starts with `name` (case-insensitive), optional whitespace and ':'.
// The token that starts the request line (after one ignored empty line, if any).
std::string_view MethodOf(std::string_view bytes) {
  if (bytes.starts_with("\r\n")) bytes.remove_prefix(2);
  std::size_t size = 0;
  while (size < bytes.size() && IsToken(bytes.substr(size, 1)))
    ++size;
  return bytes.substr(0, size);
}

bool HasFieldLine(std::string_view bytes, std::string_view name) {
  const std::string lower = Lower(bytes);
  for (std::size_t at = lower.find(name); at != std::string::npos; at = lower.find(name, at + 1)) {
    if (at > 0 && lower[at - 1] != '\n') continue;
    std::size_t i = at + name.size();
    while (i < lower.size() && (lower[i] == ' ' || lower[i] == '\t'))
      ++i;
    if (i < lower.size() && lower[i] == ':') return true;
  }
  return false;
}

// RFC 9112 section 7.1.1: *( BWS ";" BWS name [ BWS "=" BWS ( token / quoted-string ) ] ).
bool IsValidChunkExtension(std::string_view ext) {
  std::size_t i = 0;
  auto bws = [&] {
    while (i < ext.size() && (ext[i] == ' ' || ext[i] == '\t'))
      ++i;
  };
  auto token = [&] {
    const std::size_t begin = i;
    while (i < ext.size() && IsToken(ext.substr(i, 1)))
      ++i;
    return i > begin;
  };
  while (true) {
    bws();
    if (i == ext.size()) return true;
    if (ext[i++] != ';') return false;
    bws();
    if (!token()) return false;
    const std::size_t before = i;
    bws();
    if (i < ext.size() && ext[i] == '=') {
      ++i;
      bws();
      if (i < ext.size() && ext[i] == '"') {
        for (++i;; ++i) {
          if (i >= ext.size()) return false;
          const auto c = static_cast<unsigned char>(ext[i]);
          if (c == '"') break;
          if (c == '\\') {
            ++i;
            if (i >= ext.size()) return false;
            const auto q = static_cast<unsigned char>(ext[i]);
            if (q != '\t' && (q < 0x20 || q == 0x7f)) return false;
          } else if (c != '\t' && (c < 0x20 || c == 0x7f)) {
            return false;
          }
        }
        ++i;
      } else if (!token()) {
        return false;
      }
    } else {
      i = before;
    }
  }
}

// A chunked body walked by its chunk-size lines, as far as the sizes can be read.
struct ChunkWalk {
  std::vector<std::string_view> extensions;  // of every chunk-size line reached
  std::string_view trailers;                 // after the last-chunk line; empty if not reached
};

ChunkWalk WalkChunks(std::string_view body) {
  ChunkWalk walk;
  while (!body.empty()) {
    const std::size_t eol = body.find("\r\n");
    if (eol == std::string_view::npos) break;
    const std::string_view line = body.substr(0, eol);
    std::size_t digits = 0;
    std::uint64_t size = 0;
    while (digits < line.size() && std::isxdigit(static_cast<unsigned char>(line[digits]))) {
      if (size > (UINT64_MAX >> 4)) return walk;
      size = size * 16 +
             static_cast<std::uint64_t>(std::stoi(std::string(1, line[digits]), nullptr, 16));
      ++digits;
    }
    if (digits == 0) break;
    walk.extensions.push_back(line.substr(digits));
    body.remove_prefix(eol + 2);
    if (size == 0) {
      walk.trailers = body;
      break;
    }
    if (body.size() < size + 2) break;
    body.remove_prefix(size + 2);
  }
  return walk;
}

bool IsOneOf(ParseError error, std::initializer_list<ParseError> errors) {
  return std::find(errors.begin(), errors.end(), error) != errors.end();
}

// parley rejects, Beast accepts: which parley rule Beast does not have.
std::optional<std::string_view> StricterRule(std::string_view bytes, ParseError error,
                                             const BeastReading& beast,
                                             const http::Limits& limits) {
  // Beast's fields after the head's are trailers; the head's are those before them.
  const Fields& fields = beast.fields;
  if (error == ParseError::kMissingHost && beast.version == 11 && Count(fields, "host") == 0) {
    return "host-required";
  }
  if (error == ParseError::kDuplicateHost && Count(fields, "host") >= 2) return "host-required";
  if (error == ParseError::kInvalidHost && Count(fields, "host") >= 1) {
    for (const auto& [name, value] : fields) {
      if (Lower(name) == "host" && !IsPlainHost(value)) return "host-required";
    }
  }
  if (IsOneOf(error, {ParseError::kInvalidTarget, ParseError::kInvalidTargetForm}) &&
      (!IsPlainOriginForm(beast.target) || beast.method == "CONNECT")) {
    return "target-grammar";
  }
  if (IsOneOf(error, {ParseError::kInvalidTransferEncoding, ParseError::kChunkedNotFinal,
                      ParseError::kUnsupportedTransferCoding})) {
    const std::vector<std::string> codings = Elements(fields, "transfer-encoding");
    const bool only_chunked = codings.size() == 1 && Lower(codings[0]) == "chunked";
    const bool all_tokens = std::all_of(codings.begin(), codings.end(), IsToken);
    // A Transfer-Encoding line that names no coding at all is an error to parley.
    const bool empty_line = std::any_of(fields.begin(), fields.end(), [](const auto& f) {
      return Lower(f.first) == "transfer-encoding" && Elements({f}, "transfer-encoding").empty();
    });
    if (!only_chunked || !all_tokens || codings.empty() || empty_line) {
      return "transfer-coding-list";
    }
  }
  // Beast unfolds obs-fold, in the head and in trailers; parley rejects it (or, in the head,
  // the line before it when that line is incomplete without its continuation).
  auto folds = [](std::string_view text) {
    return text.find("\r\n ") != std::string_view::npos ||
           text.find("\r\n\t") != std::string_view::npos;
  };
  if (folds(HeadOf(bytes)) || (error == ParseError::kObsFold && folds(bytes))) {
    return "obs-fold-rejected";
  }
  if (error == ParseError::kTransferEncodingInHttp10 && beast.version == 10 &&
      Count(fields, "transfer-encoding") > 0) {
    return "no-transfer-encoding-in-http10";
  }
  if (error == ParseError::kContentLengthWithTransferEncoding &&
      Count(fields, "content-length") > 0 && Count(fields, "transfer-encoding") > 0) {
    return "content-length-with-transfer-encoding";
  }
  if (error == ParseError::kTooManyFields && fields.size() > limits.max_fields) return "limits";
  if (error == ParseError::kMethodTooLong && MethodOf(bytes).size() > limits.max_method) {
    return "limits";
  }
  if (IsOneOf(error, {ParseError::kRequestLineTooLong, ParseError::kHeaderSectionTooLarge}) &&
      HeadOf(bytes).size() > std::min(limits.max_request_line, limits.max_header_section)) {
    return "limits";
  }
  if (error == ParseError::kChunkExtensionsTooLong && beast.chunked) {
    for (std::string_view ext : WalkChunks(bytes.substr(HeadOf(bytes).size())).extensions) {
      if (ext.size() > limits.max_chunk_extensions) return "limits";
    }
  }
  if (error == ParseError::kTrailerSectionTooLarge && beast.chunked &&
      bytes.size() - HeadOf(bytes).size() > limits.max_trailer_section) {
    return "limits";
  }
  // A line end inside an extension's quoted string is a bare CR or LF to parley.
  if (IsOneOf(error,
              {ParseError::kInvalidChunkExtension, ParseError::kBareCr, ParseError::kBareLf}) &&
      beast.chunked) {
    for (std::string_view ext : WalkChunks(bytes.substr(HeadOf(bytes).size())).extensions) {
      if (!IsValidChunkExtension(ext)) return "chunk-extension-grammar";
    }
  }
  return std::nullopt;
}

// parley accepts, Beast rejects: where Beast is stricter or reads differently.
std::optional<std::string_view> LenientRule(std::string_view bytes, const ParsedRequest& ours,
                                            const BeastReading& beast) {
  if (bytes.starts_with("\r\n")) return "leading-empty-line";
  if (ours.version_minor >= 2) return "http-1x-versions";
  const std::string_view after_head =
      bytes.substr(std::min(bytes.size(), ours.head_size), ours.size - ours.head_size);
  if (ours.framing == http::BodyFraming::kChunked &&
      (HasFieldLine(after_head, "transfer-encoding") ||
       HasFieldLine(after_head, "content-length") || HasFieldLine(after_head, "connection"))) {
    return "trailer-fields";
  }
  if (beast.error == "bad value") {
    for (const std::string& option : Elements(ours.fields, "connection")) {
      if (!IsToken(option)) return "connection-options";
    }
  }
  return std::nullopt;
}

}  // namespace

FirstRequest FirstOf(const ParsedStream& stream) {
  FirstRequest first;
  if (!stream.requests.empty()) {
    first.outcome = FirstRequest::Outcome::kComplete;
    first.request = stream.requests.front();
  } else if (stream.end == StreamEnd::kError) {
    first.outcome = FirstRequest::Outcome::kError;
    first.error = stream.error;
  }
  return first;
}

std::string CompareAccepted(const ParsedRequest& ours, const BeastReading& beast) {
  if (ours.method != beast.method)
    return "method: parley " + ours.method + ", Beast " + beast.method;
  if (ours.target != beast.target)
    return "target: parley " + ours.target + ", Beast " + beast.target;
  if (static_cast<unsigned>(10 + ours.version_minor) != beast.version) {
    return "version: parley 1." + std::to_string(ours.version_minor) + ", Beast " +
           std::to_string(beast.version);
  }
  // Beast keeps repeated field names together; parley keeps the order received. Compare the
  // fields grouped by name, each name's values in order.
  const bool chunked = ours.framing == http::BodyFraming::kChunked;
  if (beast.fields.size() != ours.fields.size()) {
    return "field count: parley " + std::to_string(ours.fields.size()) + ", Beast " +
           std::to_string(beast.fields.size());
  }
  auto by_name = [](Fields fields) {
    std::stable_sort(fields.begin(), fields.end(),
                     [](const auto& a, const auto& b) { return Lower(a.first) < Lower(b.first); });
    return fields;
  };
  const Fields a = by_name(ours.fields);
  const Fields b = by_name(beast.fields);
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i]) {
      return "field: parley [" + a[i].first + ": " + a[i].second + "], Beast [" + b[i].first +
             ": " + b[i].second + "]";
    }
  }
  if (chunked != beast.chunked) return "chunked: parley and Beast differ";
  const bool has_length = ours.framing == http::BodyFraming::kContentLength;
  if (has_length != beast.content_length.has_value() ||
      (has_length && ours.content_length != *beast.content_length)) {
    return "content length: parley and Beast differ";
  }
  if (ours.size != beast.size) {
    return "request size: parley " + std::to_string(ours.size) + " bytes, Beast " +
           std::to_string(beast.size);
  }
  if (ours.body != beast.body) return "body: parley and Beast differ";
  if (ours.keep_alive != beast.keep_alive) {
    return std::string("keep-alive: parley ") + (ours.keep_alive ? "yes" : "no") + ", Beast " +
           (beast.keep_alive ? "yes" : "no");
  }
  return "";
}

std::optional<std::string_view> KnownDifference(std::string_view bytes, const FirstRequest& ours,
                                                const BeastReading& beast,
                                                const http::Limits& limits) {
  const bool ours_ok = ours.outcome == FirstRequest::Outcome::kComplete;
  const bool beast_ok = beast.outcome == BeastReading::Outcome::kComplete;
  if (ours_ok && beast_ok) {
    // HTTP/1.0 with both "keep-alive" and "close": RFC 9112 section 9.3 lets close win.
    const std::vector<std::string> options = Elements(ours.request.fields, "connection");
    auto has = [&](std::string_view o) {
      return std::any_of(options.begin(), options.end(),
                         [&](const std::string& e) { return Lower(e) == o; });
    };
    if (ours.request.version_minor == 0 && !ours.request.keep_alive && beast.keep_alive &&
        has("close") && has("keep-alive") &&
        CompareAccepted(ours.request, beast).starts_with("keep-alive")) {
      return "close-wins-in-http10";
    }
    // A Connection field in the trailer section: Beast merges trailer fields into the header
    // and lets them decide keep-alive; parley ignores trailer fields, as RFC 9110 section 6.5.1
    // requires for fields that control the connection.
    if (ours.request.framing == http::BodyFraming::kChunked &&
        CompareAccepted(ours.request, beast).starts_with("keep-alive") &&
        HasFieldLine(WalkChunks(bytes.substr(ours.request.head_size,
                                             ours.request.size - ours.request.head_size))
                         .trailers,
                     "connection")) {
      return "connection-in-trailer";
    }
    return std::nullopt;
  }
  if (ours.outcome == FirstRequest::Outcome::kError && beast_ok) {
    return StricterRule(bytes, ours.error, beast, limits);
  }
  if (ours_ok && beast.outcome == BeastReading::Outcome::kError) {
    return LenientRule(bytes, ours.request, beast);
  }
  return std::nullopt;
}

}  // namespace parley::fuzz
