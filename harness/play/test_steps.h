// For the play/ tests: scenario steps written as YAML, the way users write them, loaded with
// the real loader.
#ifndef PARLEY_HARNESS_PLAY_TEST_STEPS_H_
#define PARLEY_HARNESS_PLAY_TEST_STEPS_H_

#include <gtest/gtest.h>

#include <string>

#include "harness/scenario/loader.h"

namespace parley::harness {

// Loads "expect: {on: c, <spec>}" after a connect of `c` (UDP with `udp`), in a scenario whose
// vars hold nick: bob, and returns the expectation. Payload files are not checked at load.
inline ExpectStep LoadExpectStep(const std::string& spec, bool udp = false) {
  LoadOptions options;
  options.check_files = false;
  const std::string text = "name: m\ntarget: t\nvars: {nick: bob}\nsteps:\n  - connect: " +
                           std::string(udp ? "{name: c, protocol: udp}" : "c") + "\n  - expect: {" +
                           spec + "}\n";
  LoadResult r = LoadScenarios(text, "m.yaml", options);
  EXPECT_TRUE(r.ok()) << (r.error ? r.error->ToString() : "");
  if (!r.ok()) return ExpectStep();
  return std::get<ExpectStep>(r.scenarios[0].steps[1].action);
}

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_PLAY_TEST_STEPS_H_
