// `parley init [DIR]`: scaffolds a user's repository for parley: a targets.yaml for their
// server (every key explained in a comment), one example scenario and a GitHub Actions
// workflow. `parley validate` accepts what it writes, and the example plays green as written
// against a placeholder server that needs only python3. It never overwrites a file unless
// --force is given. docs/install.md describes what it writes.
#ifndef PARLEY_HARNESS_INIT_COMMAND_H_
#define PARLEY_HARNESS_INIT_COMMAND_H_

#include <string>
#include <vector>

namespace parley::harness {

struct InitOptions {
  std::string dir = ".";
  std::string target = "my-server";  // the target's name in targets.yaml and the scenario
  int port = 0;                      // 0: `port: auto`
  // The JSON Schema the example's `# yaml-language-server: $schema=` modeline points at; empty:
  // no modeline (the comment points at docs/install.md instead).
  std::string schema;
  bool force = false;
};

struct InitFile {
  std::string path;  // relative to InitOptions::dir
  std::string text;
};

// What `parley init` writes, in order: scenarios/targets.yaml, scenarios/example.yaml,
// .github/workflows/parley.yml. Pure: nothing is read or written.
std::vector<InitFile> InitFiles(const InitOptions& options);

// The installed schema beside a parley in PREFIX/bin (PREFIX/share/parley/scenario.schema.json),
// or "" when there is none (a build tree).
std::string InstalledSchemaPath();

// Writes InitFiles(options) under options.dir, creating folders as needed, and says so on
// stdout. Returns 0 when every file was written; 2 when a file exists and options.force is not
// set (nothing is written then); 1 when a folder or file cannot be written (stderr names it and
// the reason). Never throws.
int WriteInitFiles(const InitOptions& options);

// The command: parses [DIR] --force --name NAME --port N, then WriteInitFiles. Exit codes as
// WriteInitFiles, and 2 for a bad command line (program_options errors are thrown, as for the
// other commands).
int CommandInit(const std::vector<std::string>& args);

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_INIT_COMMAND_H_
