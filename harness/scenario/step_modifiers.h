// The keys any action that waits may carry inside its mapping: `timeout` (the step's own, in
// place of the scenario's) and `retry` (a count, or {times, delay}). Connect, send and expect
// read them; each calls LoadModifiers where its other keys are checked, so errors keep the
// order in which the keys are judged.
#ifndef PARLEY_HARNESS_SCENARIO_STEP_MODIFIERS_H_
#define PARLEY_HARNESS_SCENARIO_STEP_MODIFIERS_H_

#include "harness/scenario/scenario.h"
#include "harness/scenario/yaml_tree.h"

namespace parley::harness {

// Sets step->timeout, retries and retry_delay from `timeout` and `retry` in `map`, when there.
// Throws YamlFailure on a bad value.
void LoadModifiers(const YamlNode& map, Step* step);

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_SCENARIO_STEP_MODIFIERS_H_
