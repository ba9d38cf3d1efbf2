// Values a scenario can use without defining them, made fresh for each play so that repeats and
// scenarios played at once against one shared server do not collide:
//
//   ${unique}       "u" and 7 hex digits, different for every scenario played by this parley
//                   process (and, very likely, from those of another process): a nick, a
//                   channel, a user name. 8 characters, so it fits IRC's nick limit of 9.
//   ${repeat}       which play of the scenario this is under --repeat: 1, 2, ...
//   ${random.hexN}  N random hex digits (1 <= N <= 64), drawn once per play and kept.
#ifndef PARLEY_HARNESS_SCENARIO_GENERATED_VALUES_H_
#define PARLEY_HARNESS_SCENARIO_GENERATED_VALUES_H_

#include <optional>
#include <string>
#include <string_view>

namespace parley::harness {

// True for `unique`, `repeat` and `random.hexN` with N in range. When `name` starts with
// `random.` but is not one, returns false and says why in `*error`.
bool IsGeneratedName(std::string_view name, std::string* error);

// The value of a generated name for the `repeat`-th play (0-based), made now; nullopt for a
// name that is not generated. Thread-safe.
std::optional<std::string> GenerateValue(std::string_view name, int repeat);

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_SCENARIO_GENERATED_VALUES_H_
