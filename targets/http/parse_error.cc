#include "targets/http/parse_error.h"

#include <cstddef>
#include <iterator>

namespace parley::http {

namespace {

struct ErrorInfo {
  std::string_view text;
  int status;
};

// Indexed by the enum's value; the static_assert below keeps the two in step.
constexpr ErrorInfo kErrors[] = {
    {"none", 200},
    {"request-line-too-long", 414},
    {"method-too-long", 501},
    {"malformed-request-line", 400},
    {"invalid-method", 400},
    {"invalid-target", 400},
    {"invalid-target-form", 400},
    {"invalid-version", 400},
    {"unsupported-version", 505},
    {"bare-cr", 400},
    {"bare-lf", 400},
    {"header-section-too-large", 431},
    {"too-many-fields", 431},
    {"obs-fold", 400},
    {"invalid-field-name", 400},
    {"whitespace-before-colon", 400},
    {"missing-colon", 400},
    {"invalid-field-value", 400},
    {"missing-host", 400},
    {"duplicate-host", 400},
    {"invalid-host", 400},
    {"invalid-content-length", 400},
    {"content-length-overflow", 400},
    {"conflicting-content-length", 400},
    {"invalid-transfer-encoding", 400},
    {"chunked-not-final", 400},
    {"unsupported-transfer-coding", 501},
    {"transfer-encoding-in-http10", 400},
    {"content-length-with-transfer-encoding", 400},
    {"body-too-large", 413},
    {"invalid-chunk-size", 400},
    {"chunk-size-overflow", 400},
    {"invalid-chunk-extension", 400},
    {"chunk-extensions-too-long", 400},
    {"missing-chunk-data-crlf", 400},
    {"trailer-section-too-large", 431},
};

static_assert(std::size(kErrors) ==
                  static_cast<std::size_t>(ParseError::kTrailerSectionTooLarge) + 1,
              "kErrors must have one entry per ParseError");

constexpr ErrorInfo kUnknown = {"unknown-error", 400};

const ErrorInfo& Info(ParseError error) {
  const auto index = static_cast<std::size_t>(error);
  return index < std::size(kErrors) ? kErrors[index] : kUnknown;
}

}  // namespace

std::string_view ErrorText(ParseError error) {
  return Info(error).text;
}

int ErrorStatus(ParseError error) {
  return Info(error).status;
}

}  // namespace parley::http
