// The scenario loader: YAML text -> checked Scenarios, or the errors, each naming file, line
// and column. After an error it goes on where the rest can still be checked: with the next
// scenario of the file, and within a scenario past a step that changes nothing later steps
// depend on (send, sleep, signal, an expect without capture); at most kMaxErrorsPerFile. Besides
// the shape of every key it checks what can be known without playing: that connections are opened
// before use and not used after close, that every ${variable} is defined before it is used, that
// regexes compile and have the groups their captures need, and that payload files exist.
//
// The entry points never throw and never hang, whatever the text (the YAML is read through
// ParseYaml, which caps size, depth and alias expansion), so they are safe to fuzz.
#ifndef PARLEY_HARNESS_SCENARIO_LOADER_H_
#define PARLEY_HARNESS_SCENARIO_LOADER_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/scenario/scenario.h"
#include "harness/scenario/yaml_tree.h"

namespace parley::harness {

struct LoadError {
  std::string file;
  int line = 0;  // 1-based; 0 when the error is about the whole file
  int column = 0;
  std::string message;

  // "file:line:column: message"
  std::string ToString() const;
};

constexpr std::size_t kMaxErrorsPerFile = 50;

struct LoadOptions {
  // Names defined on the command line (--var NAME=VALUE); scenarios may use them.
  std::vector<std::string> variables;
  // Check that payload files exist. The fuzzer turns this off.
  bool check_files = true;
  // The file was found by searching a folder (not named by the user): a file that is plainly
  // not a scenario file is skipped (LoadResult::skipped), not an error.
  bool discovered = false;
  YamlLimits limits;
};

struct LoadResult {
  std::vector<Scenario> scenarios;
  std::optional<LoadError> error;  // the first of `errors`
  std::vector<LoadError> errors;   // every error found, in file order
  // Set when the file was skipped: it is a steps file (included by scenarios, not played on its
  // own: "steps file"), or, when discovered, plainly not a scenario file (why, for a warning).
  std::string skipped;
  bool steps_file = false;

  bool ok() const { return !error.has_value(); }
};

// Loads the scenarios in `text`. `file` names it in errors and in each Scenario; payload files
// resolve against its folder. A file holds one scenario (a mapping) or several (a list), in one
// or more YAML documents.
LoadResult LoadScenarios(std::string_view text, std::string_view file,
                         const LoadOptions& options = LoadOptions()) noexcept;

// Reads and loads a file. A missing or unreadable file is an error at line 0.
LoadResult LoadScenarioFile(const std::string& path,
                            const LoadOptions& options = LoadOptions()) noexcept;

// The signal number for "TERM", "SIGTERM", "int", ...; 0 for an unknown name.
int SignalNumber(std::string_view name);

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_SCENARIO_LOADER_H_
