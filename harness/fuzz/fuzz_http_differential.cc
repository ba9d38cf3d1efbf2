// fuzz_http_differential: parley's request parser against Boost.Beast's request_parser on the
// same bytes (the first request of the input, head and body).
//   - both accept: method, target, version, header fields, body, framing, keep-alive and the
//     request's size in bytes must agree (the size decides where the next request starts:
//     a disagreement there is request smuggling);
//   - one accepts or waits for more while the other rejects, or they disagree on a field: the case
//     must be one of the intended differences in known_differences.h, else the fuzzer aborts.
// And parley against itself: the parser reads every request of the input alike with each field
// scan this CPU runs (targets/http/field_scan.h: SSE2, SSSE3, AVX2 and a plain loop), the input
// whole and cut into pieces (split points from a hash of the input).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "harness/fuzz/beast_reading.h"
#include "harness/fuzz/fuzz_support.h"
#include "harness/fuzz/http_stream.h"
#include "harness/fuzz/known_differences.h"
#include "targets/http/field_scan.h"
#include "targets/http/limits.h"

namespace parley::fuzz {
namespace {

// Beast counts the request line and the fields together; parley limits each. Beast gets room for
// both, so a head parley accepts is never too long for Beast.
std::size_t BeastHeaderLimit(const http::Limits& limits) {
  return limits.max_request_line + limits.max_header_section + 2;
}

std::string OutcomeText(const FirstRequest& ours) {
  switch (ours.outcome) {
    case FirstRequest::Outcome::kComplete:
      return "accepted";
    case FirstRequest::Outcome::kIncomplete:
      return "incomplete";
    case FirstRequest::Outcome::kError:
      return "rejected (" + std::string(http::ErrorText(ours.error)) + ")";
  }
  return "?";
}

std::string OutcomeText(const BeastReading& beast) {
  switch (beast.outcome) {
    case BeastReading::Outcome::kComplete:
      return "accepted";
    case BeastReading::Outcome::kIncomplete:
      return "incomplete";
    case BeastReading::Outcome::kError:
      return "rejected (" + beast.error + ")";
  }
  return "?";
}

// Every field scan but the widest reads the input as the widest does.
void CheckEveryFieldScanReadsAlike(std::string_view input, const http::Limits& limits) {
  using http::internal::FieldScanIsa;
  const FieldScanIsa best = http::internal::BestFieldScanIsa();
  const std::vector<std::size_t> points = SplitPoints(input, InputHash(input));
  const std::vector<std::string_view> pieces = Pieces(input, points);
  const ParsedStream expected = ReadRequests(pieces, limits, kMaxRequests, best);
  for (FieldScanIsa isa :
       {FieldScanIsa::kPortable, FieldScanIsa::kSse2, FieldScanIsa::kSsse3, FieldScanIsa::kAvx2}) {
    if (isa == best || http::internal::FieldScanFor(isa) == nullptr) continue;
    const ParsedStream read = ReadRequests(pieces, limits, kMaxRequests, isa);
    PARLEY_FUZZ_CHECK(read == expected, "every field scan reads the requests alike",
                      std::string(http::internal::FieldScanIsaName(best)) + ":\n" +
                          Describe(expected) + "\n" +
                          std::string(http::internal::FieldScanIsaName(isa)) + ":\n" +
                          Describe(read) + "\nin " + std::to_string(pieces.size()) + " pieces");
  }
}

}  // namespace
}  // namespace parley::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace parley::fuzz;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const parley::http::Limits limits;
  const FirstRequest ours = FirstOf(ReadRequests({input}, limits));
  const BeastReading beast = ReadWithBeast(input, BeastHeaderLimit(limits), limits.max_body);
  CheckEveryFieldScanReadsAlike(input, limits);

  const bool ours_ok = ours.outcome == FirstRequest::Outcome::kComplete;
  const bool beast_ok = beast.outcome == BeastReading::Outcome::kComplete;
  std::string disagreement;
  if (ours_ok && beast_ok) {
    disagreement = CompareAccepted(ours.request, beast);
  } else if ((ours_ok && !beast_ok) || (beast_ok && !ours_ok)) {
    // Accepted against rejected, or against "incomplete" (then the two disagree on where the
    // request ends). A rejection against "incomplete" is no disagreement: one parser judges
    // each line as it arrives, the other the whole head.
    disagreement = "parley: " + OutcomeText(ours) + ", Beast: " + OutcomeText(beast);
  }
  if (disagreement.empty()) return 0;
  const auto known = KnownDifference(input, ours, beast, limits);
  PARLEY_FUZZ_CHECK(known.has_value(), "parley and Beast agree, or differ in a known, intended way",
                    disagreement);
  return 0;
}
