// The intended differences between parley's request parser and Boost.Beast's, as a classifier
// for fuzz_http_differential. docs/fuzzing.md lists them with examples.
//
// Each difference is a predicate on the input, written independently of both parsers: it holds
// only when the bytes really contain what the difference is about (a byte parley's target
// grammar forbids, a second Host line, ...). A disagreement that no predicate explains is a bug in
// one of the two parsers, and the fuzzer aborts on it.
#ifndef PARLEY_HARNESS_FUZZ_KNOWN_DIFFERENCES_H_
#define PARLEY_HARNESS_FUZZ_KNOWN_DIFFERENCES_H_

#include <optional>
#include <string>
#include <string_view>

#include "harness/fuzz/beast_reading.h"
#include "harness/fuzz/http_stream.h"
#include "targets/http/limits.h"

namespace parley::fuzz {

// How parley read the first request of the input.
struct FirstRequest {
  enum class Outcome : std::uint8_t { kComplete, kIncomplete, kError };
  Outcome outcome = Outcome::kIncomplete;
  http::ParseError error = http::ParseError::kNone;
  ParsedRequest request;  // when kComplete
};

FirstRequest FirstOf(const ParsedStream& stream);

// Where both accept: a description of the first field on which they disagree, or "" when they
// agree on method, target, version, header fields, body, framing, keep-alive and request size.
std::string CompareAccepted(const ParsedRequest& ours, const BeastReading& beast);

// Where one accepts (or waits for more) and the other rejects, or both accept but disagree:
// the name of the known difference that explains it, or nullopt.
std::optional<std::string_view> KnownDifference(std::string_view bytes, const FirstRequest& ours,
                                                const BeastReading& beast,
                                                const http::Limits& limits);

}  // namespace parley::fuzz

#endif  // PARLEY_HARNESS_FUZZ_KNOWN_DIFFERENCES_H_
