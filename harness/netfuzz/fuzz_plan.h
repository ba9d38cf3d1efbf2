// Where `parley fuzz` mutates. Every `send` step of a selected scenario that is not marked
// `fuzz: false` is a fuzz point. An iteration at a point plays the scenario as written up to
// that send (the prefix that reaches a protocol state), writes a mutated payload in its place,
// and then plays what still means something after it: sends (the peer may close first),
// closes, pauses, sleeps, signals and expectations marked `invariant: true`. The other
// expectations are left out, since their answers depend on the bytes that were changed.
#ifndef PARLEY_HARNESS_NETFUZZ_FUZZ_PLAN_H_
#define PARLEY_HARNESS_NETFUZZ_FUZZ_PLAN_H_

#include <cstddef>
#include <string>
#include <vector>

#include "harness/scenario/scenario.h"

namespace parley::harness {

struct FuzzPoint {
  const Scenario* seed = nullptr;   // as loaded
  std::size_t at = 0;               // the mutated send, in seed->steps and in played.steps
  Scenario played;                  // what an iteration plays
  std::vector<std::size_t> origin;  // for each step of `played`, its index in seed->steps
  std::string target;               // the target the mutated send's connection talks to
  std::string label;                // "file:line" of the mutated send

  const Step& mutated() const { return played.steps[at]; }
  // The index in played.steps of the step written at `where`; played.steps.size() if none.
  std::size_t StepAt(const SourcePosition& where) const;
};

// The fuzz points of the scenarios, in order. Skipped scenarios have none.
std::vector<FuzzPoint> FuzzPoints(const std::vector<const Scenario*>& scenarios);

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_NETFUZZ_FUZZ_PLAN_H_
