// `parley export-seeds`: every `send` payload of the selected scenarios written to a file, in
// one folder per target, as seed inputs for the fuzzers. Variables that only exist while a
// scenario plays (captures, where a target listens) get stand-in values.
#ifndef PARLEY_HARNESS_SCENARIO_SEEDS_H_
#define PARLEY_HARNESS_SCENARIO_SEEDS_H_

#include <string>
#include <vector>

#include "harness/scenario/scenario.h"
#include "harness/scenario/template.h"

namespace parley::harness {

struct Seed {
  std::string target;  // the connection's target; "other" for explicit addresses
  std::string name;    // a file name: <file stem>--<scenario>--L<line>
  std::string bytes;
};

// The payloads of every send step. `vars` are the command-line variables.
std::vector<Seed> CollectSeeds(const std::vector<const Scenario*>& scenarios,
                               const Variables& vars);

// Writes each seed to <out>/<target>/<name>; returns the number written or -1 with `*error`.
int WriteSeeds(const std::vector<Seed>& seeds, const std::string& out, std::string* error);

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_SCENARIO_SEEDS_H_
