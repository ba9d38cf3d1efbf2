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

// Spots the HTTP requests written on one connection, so the response reader knows which
// responses answer a HEAD: a request line `METHOD SP target SP HTTP/x.y` at the start of the
// stream or right after an empty line. Bodies that are not line-shaped can hide a request; a
// scenario then names the methods itself.
class RequestSniffer {
 public:
  // The methods of the requests whose request line ends in `bytes`, in order.
  std::vector<std::string> Feed(std::string_view bytes);

 private:
  bool at_message_start_ = true;
  std::string partial_;  // a line not yet ended, at most a few KiB
};

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_SCENARIO_PAYLOAD_H_
