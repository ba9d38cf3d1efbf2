// Reading an `expect` step from YAML: what must arrive on a connection (a line, lines, bytes,
// contains, a datagram, an HTTP response), what must not (silence), how the peer ends it
// (closed, reset), or a target's exit code. Texts are matched exact, by contains or by regex;
// a regex is compiled here (to check it, and once for play when it has no variables), and
// `capture` names its groups, which later steps may then use as variables.
//
// Failures throw YamlFailure at the offending node, as everywhere in the loader.
#ifndef PARLEY_HARNESS_SCENARIO_EXPECT_LOADER_H_
#define PARLEY_HARNESS_SCENARIO_EXPECT_LOADER_H_

#include "harness/scenario/load_scope.h"
#include "harness/scenario/scenario.h"
#include "harness/scenario/yaml_tree.h"

namespace parley::harness {

// The expectation written as `node` (the value of `expect:`), checked against `scope`: the
// connection must be open and read, an exit needs a target (which then gets a process of the
// scenario's own). Sets the step's timeout and retries; defines the captured variables.
ExpectStep LoadExpect(const YamlNode& node, Step* step, LoadScope& scope);

// A text to match: a string (exact) or a mapping with one of exact, contains or regex (compiled
// now when it has no variables). `what` names it in errors.
TextMatch LoadTextMatch(const YamlNode& node, std::string_view what, LoadScope& scope);

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_SCENARIO_EXPECT_LOADER_H_
