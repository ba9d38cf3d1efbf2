// Turning a scenario Payload into bytes: texts rendered with the scenario's variables, hex,
// files (read at play time, at most 64 MiB) and repeated units.
#ifndef PARLEY_HARNESS_SCENARIO_PAYLOAD_H_
#define PARLEY_HARNESS_SCENARIO_PAYLOAD_H_

#include <string>
#include <vector>

#include "harness/scenario/scenario.h"
#include "harness/scenario/template.h"

namespace parley::harness {

inline constexpr std::size_t kMaxPayloadBytes = 64 * 1024 * 1024;

// Appends the payload's bytes to `*out`. On failure (an undefined variable, an unreadable file,
// more than kMaxPayloadBytes) returns false with `*error` set.
bool RenderPayload(const Payload& payload, const Variables& vars, std::string* out,
                   std::string* error);

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_SCENARIO_PAYLOAD_H_
