// fuzz_http_chunked: the chunked transfer coding decoder on its own. Checks, beside "no crash, no
// hang":
//   - the input cut into pieces (split points from a hash of the input) decodes exactly like the
//     input whole: same data, same end, same error, same number of bytes used;
//   - every step consumes only its input, hands out data inside it, and makes progress;
//   - a body it accepts, re-encoded with other chunk boundaries, decodes to the same data;
//   - "grammar": the decoder agrees with an RFC 9112 section 7.1 reading of the bytes
//     (rfc_request.h, written from the ABNF, not from the decoder): it ends the body where the
//     reading does, with the same data, or rejects it with the same status (400, 413, 431), or
//     both wait for more bytes.
// The limits are the defaults or small ones that short inputs can reach, chosen by the hash.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "harness/fuzz/fuzz_support.h"
#include "harness/fuzz/rfc_request.h"
#include "harness/text/bytes_text.h"
#include "targets/http/chunked_decoder.h"
#include "targets/http/limits.h"
#include "targets/http/parse_error.h"

namespace parley::fuzz {
namespace {

using http::ChunkedStatus;

struct Decoded {
  ChunkedStatus status = ChunkedStatus::kIncomplete;
  http::ParseError error = http::ParseError::kNone;
  std::string data;
  std::size_t consumed = 0;  // bytes used through the end of the body (or the error)

  bool operator==(const Decoded&) const = default;
};

std::string Describe(const Decoded& d) {
  return "status " + std::to_string(static_cast<int>(d.status)) + ", error " +
         std::string(http::ErrorText(d.error)) + ", " + std::to_string(d.data.size()) +
         " data bytes, " + std::to_string(d.consumed) + " consumed";
}

Decoded Decode(const std::vector<std::string_view>& pieces, const http::Limits& limits) {
  http::ChunkedDecoder decoder(limits);
  Decoded out;
  ReceivedBytes bytes(pieces);  // a read past the piece at hand is caught
  for (std::string_view piece : pieces) {
    std::string_view input = bytes.Receive(piece.size());
    while (!input.empty()) {
      const http::ChunkedStep step = decoder.Decode(input);
      PARLEY_FUZZ_CHECK(step.consumed <= input.size(), "a step consumes only its input",
                        std::to_string(step.consumed) + " of " + std::to_string(input.size()));
      PARLEY_FUZZ_CHECK(Within(step.data, input), "decoded data lies inside the input", "");
      PARLEY_FUZZ_CHECK(step.status != ChunkedStatus::kIncomplete || step.consumed > 0,
                        "an incomplete step makes progress", "nothing consumed");
      out.data.append(step.data);
      out.consumed += step.consumed;
      input.remove_prefix(step.consumed);
      if (step.status != ChunkedStatus::kIncomplete) {
        PARLEY_FUZZ_CHECK(
            (step.status == ChunkedStatus::kError) == (step.error != http::ParseError::kNone),
            "an error step, and only one, names its error",
            std::string(http::ErrorText(step.error)));
        out.status = step.status;
        out.error = step.error;
        return out;
      }
    }
  }
  return out;
}

http::Limits LimitsFor(std::uint32_t hash) {
  http::Limits limits;
  if ((hash / 64) % 2 == 1) {
    limits.max_body = 64;
    limits.max_chunk_extensions = 16;
    limits.max_trailer_section = 32;
  }
  return limits;
}

// `data` as chunks cut at `points` (chunks of zero bytes skipped), then the last chunk.
std::string Encode(std::string_view data, const std::vector<std::size_t>& points) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::string_view chunk : Pieces(data, points)) {
    if (chunk.empty()) continue;
    std::string size;
    for (std::size_t n = chunk.size(); n > 0; n /= 16)
      size.insert(size.begin(), kHex[n % 16]);
    out += size + "\r\n";
    out += chunk;
    out += "\r\n";
  }
  out += "0\r\n\r\n";
  return out;
}

bool SameAsRfcReading(const Decoded& decoded, const rfc::ChunkedBody& reading) {
  switch (decoded.status) {
    case ChunkedStatus::kDone:
      return reading.end == rfc::End::kClean && reading.data == decoded.data &&
             reading.size == decoded.consumed;
    case ChunkedStatus::kError:
      return reading.end == rfc::End::kRejected &&
             reading.status == http::ErrorStatus(decoded.error);
    case ChunkedStatus::kIncomplete:
      return reading.end == rfc::End::kIncomplete;
  }
  return false;
}

void CheckGrammar(std::string_view input, const Decoded& decoded, const http::Limits& limits) {
  static constexpr const char* kEnd[] = {"done", "incomplete", "rejected", "capped"};
  const rfc::ChunkedBody reading = rfc::ReadChunked(input, limits);
  PARLEY_FUZZ_CHECK(
      SameAsRfcReading(decoded, reading), "the chunked decoder agrees with an RFC 9112 reading",
      "input: " + harness::ShowBytes(input, 2000) + "\nlimits: max_body " +
          std::to_string(limits.max_body) + "\ndecoder: " + Describe(decoded) +
          "\nRFC reading: " + kEnd[static_cast<int>(reading.end)] + " " +
          std::to_string(reading.status) + ", " + std::to_string(reading.data.size()) +
          " data bytes, " + std::to_string(reading.size) + " bytes");
}

}  // namespace
}  // namespace parley::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace parley::fuzz;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::uint32_t hash = InputHash(input);
  const parley::http::Limits limits = LimitsFor(hash);

  const Decoded whole = ReadWholeAndInPieces(
      input, hash, "the input in pieces decodes exactly like the input whole",
      [&](const std::vector<std::string_view>& pieces) { return Decode(pieces, limits); },
      [](const Decoded& d) { return Describe(d); });
  if (OracleEnabled("grammar")) CheckGrammar(input, whole, limits);
  if (whole.status == parley::http::ChunkedStatus::kDone) {
    const std::string encoded = Encode(whole.data, SplitPoints(whole.data, hash / 3));
    const Decoded again = Decode({encoded}, limits);
    PARLEY_FUZZ_CHECK(again.status == parley::http::ChunkedStatus::kDone &&
                          again.data == whole.data && again.consumed == encoded.size(),
                      "decoded data, re-encoded, decodes to the same data", Describe(again));
  }
  return 0;
}
