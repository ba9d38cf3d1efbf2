// Reading one step of a scenario from YAML: a mapping with one action (connect, send, expect,
// close, shutdown, pause, resume, sleep, signal), checked against what the steps before it set
// up (the LoadScope) and recorded there for the steps after it.
//
// Failures throw YamlFailure at the offending node, as everywhere in the loader.
#ifndef PARLEY_HARNESS_SCENARIO_STEP_LOADER_H_
#define PARLEY_HARNESS_SCENARIO_STEP_LOADER_H_

#include "harness/scenario/load_scope.h"
#include "harness/scenario/scenario.h"
#include "harness/scenario/yaml_tree.h"

namespace parley::harness {

// The step written as `node` (an item of `steps`). Its timeout is the scenario's unless the
// action sets its own.
Step LoadStep(const YamlNode& node, LoadScope& scope);

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_SCENARIO_STEP_LOADER_H_
