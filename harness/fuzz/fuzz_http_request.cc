// fuzz_http_request: raw bytes into the HTTP request parser (RequestParser, then BodyReader for
// each body), read as a connection of pipelined requests. Besides "no crash, no hang" it checks:
//   - the bytes cut into pieces (split points from a hash of the input) read exactly like the
//     bytes whole: same requests, same fields, same bodies, same error at the same place;
//   - every view the parser returns lies inside the buffer it parsed (http_stream.h);
//   - a head it accepts, re-serialized in canonical form, parses to the same fields;
//   - "grammar": the parser agrees with an RFC 9112 reading of the bytes (rfc_request.h, written
//     from the RFCs' ABNF and docs/http-parsing.md, not from the parser): the same requests
//     (method, target, version, fields, framing, decoded body, size, keep-alive, Expect), and the
//     same end: clean, incomplete, capped, or rejected with the same status (400, 413, 414, 431,
//     501, 505).
// The limits are the defaults, the defaults with allow_bare_lf, or small ones that short inputs
// can reach, chosen by the hash.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "harness/fuzz/fuzz_support.h"
#include "harness/fuzz/http_stream.h"
#include "harness/fuzz/rfc_request.h"
#include "harness/text/bytes_text.h"
#include "targets/http/limits.h"
#include "targets/http/parse_error.h"
#include "targets/http/request_parser.h"

namespace parley::fuzz {
namespace {

http::Limits LimitsFor(std::uint32_t hash) {
  http::Limits limits;
  switch ((hash / 64) % 3) {
    case 0:
      break;
    case 1:
      limits.allow_bare_lf = true;
      break;
    case 2:
      limits.max_request_line = 64;
      limits.max_header_section = 128;
      limits.max_fields = 4;
      limits.max_body = 64;
      limits.max_chunk_extensions = 16;
      limits.max_trailer_section = 32;
      break;
  }
  return limits;
}

// The canonical form of a head: single SPs, CRLF line ends, "name: value" field lines.
std::string Serialize(const ParsedRequest& r) {
  std::string out =
      r.method + " " + r.target + " HTTP/1." + std::to_string(r.version_minor) + "\r\n";
  for (const auto& [name, value] : r.fields)
    out += name + ": " + value + "\r\n";
  out += "\r\n";
  return out;
}

// Every head field of `b` equals that of `a` (sizes and bodies aside).
bool SameHead(const ParsedRequest& a, const ParsedRequest& b) {
  return a.method == b.method && a.target == b.target && a.target_form == b.target_form &&
         a.version_minor == b.version_minor && a.fields == b.fields && a.host == b.host &&
         a.framing == b.framing && a.content_length == b.content_length &&
         a.keep_alive == b.keep_alive && a.expect == b.expect;
}

void CheckReserialized(const ParsedRequest& request, http::Limits limits) {
  const std::string canonical = Serialize(request);
  // A head read with bare LFs grows by one byte per line once written with CRLF.
  limits.max_request_line += 1;
  limits.max_header_section += request.fields.size() + 1;
  http::RequestParser parser(limits);
  const http::ParseStatus status = parser.Parse(canonical);
  PARLEY_FUZZ_CHECK(
      status == http::ParseStatus::kComplete, "an accepted head, re-serialized, is accepted",
      canonical.substr(0, 2000) + "\nstatus " + std::to_string(static_cast<int>(status)) +
          ", error " + std::string(http::ErrorText(parser.error())));
  PARLEY_FUZZ_CHECK(parser.head_size() == canonical.size(),
                    "a re-serialized head is read to its end", canonical.substr(0, 2000));
  const ParsedRequest again = CopyHead(parser.head(), parser.head_size());
  PARLEY_FUZZ_CHECK(SameHead(request, again),
                    "an accepted head, re-serialized, parses to the same fields",
                    canonical.substr(0, 2000));
}

// Empty when the RFC reading has the same requests as the parser's reading, in the same order,
// and ends the same way; otherwise what differs first.
std::string Disagreement(const ParsedStream& parsed, const rfc::Reading& reading) {
  const std::size_t common = std::min(parsed.requests.size(), reading.requests.size());
  for (std::size_t i = 0; i < common; ++i) {
    const ParsedRequest& p = parsed.requests[i];
    const rfc::Request& r = reading.requests[i];
    const std::string which = "request " + std::to_string(i + 1) + ": ";
    if (p.method != r.method || p.target != r.target || p.target_form != r.target_form ||
        p.version_minor != r.version_minor) {
      return which + "request line";
    }
    if (p.fields != r.fields) return which + "fields";
    if (p.framing != r.framing || p.content_length != r.content_length) return which + "framing";
    if (p.body != r.body) return which + "body";
    if (p.size != r.size) return which + "size";
    if (p.keep_alive != r.keep_alive) return which + "keep-alive";
    if (p.expect != r.expect) return which + "expect";
  }
  if (parsed.requests.size() != reading.requests.size()) return "number of requests";
  switch (parsed.end) {
    case StreamEnd::kClean:
      return reading.end == rfc::End::kClean ? "" : "end";
    case StreamEnd::kIncomplete:
      return reading.end == rfc::End::kIncomplete ? "" : "end";
    case StreamEnd::kCapped:
      return reading.end == rfc::End::kCapped ? "" : "end";
    case StreamEnd::kError:
      if (reading.end != rfc::End::kRejected) return "end";
      return http::ErrorStatus(parsed.error) == reading.status ? "" : "status";
  }
  return "end";
}

void CheckGrammar(std::string_view input, const ParsedStream& parsed, const http::Limits& limits) {
  const rfc::Reading reading = rfc::Read(input, limits, kMaxRequests);
  const std::string disagreement = Disagreement(parsed, reading);
  PARLEY_FUZZ_CHECK(disagreement.empty(), "the parser agrees with an RFC 9112 reading",
                    disagreement + "\ninput: " + harness::ShowBytes(input, 2000) +
                        "\nlimits: " + std::to_string(limits.max_request_line) +
                        (limits.allow_bare_lf ? ", bare LF allowed" : "") + "\nparser:\n" +
                        Describe(parsed) + "\nRFC reading:\n" + rfc::Describe(reading));
}

}  // namespace
}  // namespace parley::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace parley::fuzz;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::uint32_t hash = InputHash(input);
  const parley::http::Limits limits = LimitsFor(hash);

  const ParsedStream whole = ReadWholeAndInPieces(
      input, hash, "the input in pieces reads exactly like the input whole",
      [&](const std::vector<std::string_view>& pieces) { return ReadRequests(pieces, limits); },
      [](const ParsedStream& s) { return Describe(s); });
  for (const ParsedRequest& request : whole.requests)
    CheckReserialized(request, limits);
  if (OracleEnabled("grammar")) CheckGrammar(input, whole, limits);
  return 0;
}
