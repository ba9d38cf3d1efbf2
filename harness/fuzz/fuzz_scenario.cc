// fuzz_scenario: any text into the YAML scenario loader (harness/scenario/loader.h). Whatever the
// bytes, the loader returns scenarios or one error located in the text, never crashes, never
// throws, never hangs (the engine's -timeout catches a hang). Checks:
//   - an error has a message, and its line and column lie within the text (line 0 only for
//     errors about the whole file);
//   - a success holds at least one scenario, each named and placed within the text.
// Payload files are not looked up (LoadOptions::check_files is off): the fuzzer touches no disk.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "harness/fuzz/fuzz_support.h"
#include "harness/scenario/loader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace parley;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  harness::LoadOptions options;
  options.check_files = false;
  const harness::LoadResult result = harness::LoadScenarios(text, "fuzz.yaml", options);
  // A position may point just past the last line (an error at the end of the text).
  const auto lines = static_cast<int>(std::count(text.begin(), text.end(), '\n')) + 2;
  if (!result.ok()) {
    const harness::LoadError& error = *result.error;
    PARLEY_FUZZ_CHECK(!error.message.empty(), "an error has a message", error.ToString());
    PARLEY_FUZZ_CHECK(error.line >= 0 && error.line <= lines && error.column >= 0,
                      "an error is located within the text", error.ToString());
    PARLEY_FUZZ_CHECK(error.file == "fuzz.yaml" && error.ToString().starts_with("fuzz.yaml:"),
                      "an error names the file", error.ToString());
    return 0;
  }
  PARLEY_FUZZ_CHECK(!result.scenarios.empty(), "a loaded file holds a scenario", "");
  for (const harness::Scenario& scenario : result.scenarios) {
    PARLEY_FUZZ_CHECK(!scenario.name.empty(), "every scenario is named", "");
    PARLEY_FUZZ_CHECK(scenario.where.line >= 1 && scenario.where.line <= lines,
                      "every scenario is placed within the text", scenario.name);
  }
  return 0;
}
