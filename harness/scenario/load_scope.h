// What loading one scenario has learnt so far, for checking the next step: the variables defined
// before it, the connections opened, paused, shut down and closed, and the targets used. The
// scenario-level keys set it up, each step is checked against it and records what it changes,
// and Finish() makes the checks that must wait for the last step.
//
// Every check fails by throwing YamlFailure (harness/scenario/yaml_checks.h) at the node it
// names, as the rest of the loader does; LoadScenarios catches it.
#ifndef PARLEY_HARNESS_SCENARIO_LOAD_SCOPE_H_
#define PARLEY_HARNESS_SCENARIO_LOAD_SCOPE_H_

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "harness/scenario/loader.h"
#include "harness/scenario/scenario.h"
#include "harness/scenario/template.h"
#include "harness/scenario/yaml_checks.h"
#include "harness/scenario/yaml_tree.h"

namespace parley::harness {

class LoadScope {
 public:
  // Defines the command-line variables of `options` and ${scenario.name, file, dir}.
  // REQUIRES: `options` and `*scenario` outlive the scope. The scope reads the scenario's dir,
  // target and timeout (set them before the steps are checked) and adds to its targets.
  LoadScope(const LoadOptions& options, Scenario* scenario);

  LoadScope(const LoadScope&) = delete;
  LoadScope& operator=(const LoadScope&) = delete;

  const Scenario& scenario() const { return *scenario_; }
  // Whether payload files must exist (LoadOptions::check_files); included files are read only
  // when it is set.
  bool check_files() const { return check_files_; }
  // How much YAML an included file may hold.
  const YamlLimits& limits() const { return limits_; }

  // --- variables
  void Define(const std::string& name) { defined_.insert(name); }
  // The template written in `node` (RequireTemplate), failing at `node` on a ${name} that is
  // not defined yet. ${env.*} is always defined; ${targets.NAME.FIELD} is checked by Finish().
  Template ReadTemplate(const YamlNode& node, std::string_view what, bool unescape);

  // --- targets
  // The scenario's own 'target': the default for connections, signals and exits, first among
  // the targets, and the one ${target.name, host, port, address} refer to.
  void UseDefaultTarget(TargetUse use);
  // Adds `name` to the scenario's targets unless it is there.
  void UseTarget(const std::string& name, SourcePosition at);
  // As UseTarget, and the target gets a process of the scenario's own (signals, exit codes).
  void UseFreshTarget(const std::string& name, SourcePosition at);

  // --- connections
  // Opens connection `name` (step at `line`); fails at `at` when it is open already.
  // `line_ending` ("\r\n", "\n" or "") is appended to the connection's text sends.
  void Open(const std::string& name, Transport transport, int line, const YamlNode& at,
            std::string line_ending = "");
  // The open connection a step acts on: `on` in the mapping `action`, or the only open
  // connection when `on` is left out. With `for_writing`, it must not be shut down for writing.
  std::string UseConnection(const YamlNode& action, bool for_writing);
  // As UseConnection(action, false), but a scalar `action` is the connection's name
  // (`close: alice`).
  std::string UseNamedConnection(const YamlNode& action);
  // REQUIRES: `name` came from UseConnection or UseNamedConnection.
  Transport TransportOf(const std::string& name) const { return connections_.at(name).transport; }
  // REQUIRES: as TransportOf. The connection's `line_ending`, "" when it has none.
  const std::string& LineEndingOf(const std::string& name) const {
    return connections_.at(name).line_ending;
  }
  // Fails at `at` when `name` is paused: nothing more arrives on it to expect.
  void RequireReading(const std::string& name, const YamlNode& at) const;
  // Pauses (or resumes) reading `name` at `line`; fails at `at` when it is paused already (or
  // not paused).
  void Pause(const std::string& name, bool resume, int line, const YamlNode& at);
  // Closes `name` at `line` as `how` says; fails at `at` when a UDP connection is to be shut
  // down or reset, or it is shut down for writing twice.
  void Close(const std::string& name, CloseStep::How how, int line, const YamlNode& at);

  // --- errors a load goes on after
  // Keeps `failure` of a step that later steps do not depend on; the load goes on.
  void Record(YamlFailure failure) { errors_.push_back(std::move(failure)); }
  std::vector<YamlFailure>& errors() { return errors_; }

  // After the last step: fails on a ${targets.NAME.FIELD} whose target the scenario does not
  // use or whose field does not exist.
  void Finish() const;

 private:
  struct Connection {
    bool open = false;
    bool write_shut = false;
    Transport transport = Transport::kTcp;
    int line = 0;         // where it was last opened or closed
    int paused_line = 0;  // where it was paused; 0 while it is read
    std::string line_ending;
  };

  void CheckVariables(const Template& t, const YamlNode& at);
  // `on`: the node naming the connection, or nullptr for the only open one.
  std::string Use(const YamlNode* on, const YamlNode& at, bool for_writing);
  std::string OnlyOpenConnection(const YamlNode& at) const;

  Scenario* scenario_;
  bool check_files_;
  YamlLimits limits_;
  std::set<std::string> defined_;
  std::map<std::string, Connection> connections_;
  std::vector<YamlFailure> errors_;
  // ${targets.NAME.FIELD} references, checked once every target is known.
  std::vector<std::pair<std::string, SourcePosition>> target_references_;
};

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_SCENARIO_LOAD_SCOPE_H_
