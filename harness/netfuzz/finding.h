// A `parley fuzz` finding and the files it becomes: DIR/findings/<id>/scenario.yaml (a
// regression scenario: the seed's steps up to the mutated send, the offending bytes, and a
// check that the target stayed alive and answers, plus the broken invariant when that was the
// finding), input.bin (the bytes), and report.txt (what was seen: the kind, the target's stderr
// head, the mutations). `parley run` of scenario.yaml fails on the faulty target and passes
// once it is fixed.
#ifndef PARLEY_HARNESS_NETFUZZ_FINDING_H_
#define PARLEY_HARNESS_NETFUZZ_FINDING_H_

#include <cstdint>
#include <string>

#include "harness/netfuzz/crash_signature.h"
#include "harness/netfuzz/fuzz_plan.h"
#include "harness/netfuzz/mutator.h"

namespace parley::harness {

struct Finding {
  enum class Kind { kDeath, kHang, kInvariant };
  Kind kind = Kind::kDeath;
  std::string id;         // 12 hex digits from the signature
  std::string signature;  // what makes it unique (CrashReport::Signature, or the step and text)
  CrashReport crash;      // kDeath
  std::string message;    // what the runner said
  const FuzzPoint* point = nullptr;
  FuzzInput input;              // the bytes that were sent at the point
  std::size_t failed_step = 0;  // kInvariant: the index in point->played.steps
  std::string mutations;
  std::uint64_t iteration = 0;  // when it was first seen
  double seconds = 0;
  std::uint64_t hits = 1;  // iterations that found it
  // The campaign's health scenario, if any: a hang's regression scenario ends with its steps
  // (a hung server still completes TCP handshakes, so a bare connect would not see it).
  const Scenario* health = nullptr;
};

const char* KindName(Finding::Kind kind);  // "crash", "hang", "invariant"

// The id of a signature: 12 hex digits of a stable hash (FNV-1a), the same on every machine.
std::string FindingId(const std::string& signature);

// The regression scenario's YAML text; false with `*error` when the seed file cannot be read
// again.
bool FindingScenario(const Finding& finding, std::string* yaml, std::string* error);

// Writes the finding's folder under `dir` (made if needed); false with `*error` (e.g. a full
// disk), nothing half-written left under the final name.
bool WriteFinding(const Finding& finding, const std::string& dir, std::string* error);

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_NETFUZZ_FINDING_H_
