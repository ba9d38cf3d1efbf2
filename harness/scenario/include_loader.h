// Steps shared between scenarios: `- include: FILE` or
// `- include: {file: FILE, with: {PARAM: VALUE, ...}}` stands for the steps of FILE, a steps
// file:
//
//   params: [nick]                     # or a mapping: PARAM: default value
//   steps:
//     - send: {text: "NICK ${nick}"}
//
// Each `${PARAM}` in the file's strings is replaced by the value given under `with` (or the
// default) when the scenario is loaded, as text: in a regex it becomes part of the pattern. The
// value may itself use the scenario's variables (`with: {nick: "${unique}"}`); `${NAME}` that is
// not a parameter is left for the scenario. The included steps are then checked against the
// scenario as if written in its place, and keep their own file, line and column, for errors at
// load time and failures at play time. FILE is relative to the file that includes it; includes
// may nest (up to 8 deep) but not loop.
//
// Failures throw YamlFailure, naming the included file when they are inside it.
#ifndef PARLEY_HARNESS_SCENARIO_INCLUDE_LOADER_H_
#define PARLEY_HARNESS_SCENARIO_INCLUDE_LOADER_H_

#include <vector>

#include "harness/scenario/load_scope.h"
#include "harness/scenario/scenario.h"
#include "harness/scenario/yaml_tree.h"

namespace parley::harness {

// Loads the items of `list` (a scenario's `steps`) into `*steps`, expanding includes.
void LoadStepList(const YamlNode& list, LoadScope& scope, std::vector<Step>* steps);

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_SCENARIO_INCLUDE_LOADER_H_
