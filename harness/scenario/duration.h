// Durations as scenario files and command lines spell them: "250ms", "2s", "1.5s", "1m".
// A number without a unit is rejected: "2" could mean seconds or milliseconds, and a scenario
// that guesses wrong either flakes or waits forever.
#ifndef PARLEY_HARNESS_SCENARIO_DURATION_H_
#define PARLEY_HARNESS_SCENARIO_DURATION_H_

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace parley::harness {

using Duration = std::chrono::milliseconds;

// Accepts a non-negative decimal number followed by `ms`, `s` or `m`, with no spaces, e.g.
// "250ms", "1.5s", "2m". The result is rounded to whole milliseconds and at most 24 hours.
// On failure returns nullopt and sets `*error` to a sentence naming what is wrong.
std::optional<Duration> ParseDuration(std::string_view text, std::string* error);

// The shortest exact spelling ParseDuration reads back: "250ms", "2s", "1.5s", "2m".
std::string FormatDuration(Duration d);

// A duration in milliseconds with a fixed number of decimals for reports, e.g. "12.3ms",
// "1.52s".
std::string FormatElapsed(std::chrono::nanoseconds elapsed);

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_SCENARIO_DURATION_H_
