#include "harness/scenario/load_scope.h"

#include <cstdlib>

#include "harness/scenario/generated_values.h"
#include "harness/scenario/yaml_checks.h"

namespace parley::harness {
namespace {

constexpr const char* kTargetFields[] = {"name", "host", "port", "address"};

bool IsTargetField(std::string_view field) {
  for (std::string_view f : kTargetFields) {
    if (field == f) return true;
  }
  return false;
}

std::string NotATargetField(const std::string& name) {
  return "${" + name + "} is not defined (a target has name, host, port and address)";
}

}  // namespace

LoadScope::LoadScope(const LoadOptions& options, Scenario* scenario)
    : scenario_(scenario), check_files_(options.check_files), limits_(options.limits) {
  for (const std::string& name : options.variables)
    Define(name);
  for (const char* name : {"scenario.name", "scenario.file", "scenario.dir"})
    Define(name);
}

Template LoadScope::ReadTemplate(const YamlNode& node, std::string_view what, bool unescape) {
  Template t = RequireTemplate(node, what, unescape);
  CheckVariables(t, node);
  return t;
}

void LoadScope::CheckVariables(const Template& t, const YamlNode& at) {
  for (const Template::Part& part : t.parts()) {
    if (!part.is_variable) continue;
    const std::string& name = part.text;
    if (name.starts_with("env.")) {
      if (!part.fallback && std::getenv(name.c_str() + 4) == nullptr) {
        Fail(at, "environment variable " + name.substr(4) + " is not set (used as ${" + name +
                     "}; set it, or give a default: ${" + name + ":-VALUE})");
      }
      continue;
    }
    if (defined_.count(name) != 0) continue;
    std::string generated_error;
    if (IsGeneratedName(name, &generated_error)) continue;
    if (!generated_error.empty()) Fail(at, generated_error);
    if (name.starts_with("targets.")) {
      target_references_.emplace_back(name, PositionOf(at));
      continue;
    }
    if (name.starts_with("target.")) {
      if (scenario_->target.empty()) {
        Fail(at, "${" + name + "} needs the scenario to name a 'target'");
      }
      Fail(at, NotATargetField(name));
    }
    Fail(at, "variable ${" + name +
                 "} is not defined (define it under 'vars', capture it in an earlier step, "
                 "or pass --var " +
                 name + "=VALUE)");
  }
}

void LoadScope::UseDefaultTarget(TargetUse use) {
  scenario_->target = use.name;
  scenario_->targets.push_back(std::move(use));
  for (const char* field : kTargetFields)
    Define("target." + std::string(field));
}

void LoadScope::UseTarget(const std::string& name, SourcePosition at) {
  if (scenario_->FindTarget(name) != nullptr) return;
  TargetUse use;
  use.name = name;
  use.where = at;
  scenario_->targets.push_back(std::move(use));
}

void LoadScope::UseFreshTarget(const std::string& name, SourcePosition at) {
  UseTarget(name, at);
  for (TargetUse& use : scenario_->targets) {
    if (use.name == name) use.fresh = true;
  }
}

void LoadScope::Open(const std::string& name, Transport transport, int line, const YamlNode& at,
                     std::string line_ending) {
  Connection& connection = connections_[name];
  if (connection.open) {
    Fail(at, "connection '" + name + "' is already open (since line " +
                 std::to_string(connection.line) + "); close it before connecting again");
  }
  connection = {true, false, transport, line, 0, std::move(line_ending)};
}

std::string LoadScope::UseConnection(const YamlNode& action, bool for_writing) {
  return Use(action.is_map() ? action.Find("on") : nullptr, action, for_writing);
}

std::string LoadScope::UseNamedConnection(const YamlNode& action) {
  if (!action.is_scalar()) return UseConnection(action, false);
  return Use(&action, action, false);
}

std::string LoadScope::Use(const YamlNode* on, const YamlNode& at, bool for_writing) {
  std::string name = on != nullptr ? RequireName(*on, "'on'") : OnlyOpenConnection(at);
  const YamlNode& where = on != nullptr ? *on : at;
  auto it = connections_.find(name);
  if (it == connections_.end()) {
    Fail(where, "no connection named '" + name + "' (connect it first)");
  }
  if (!it->second.open) {
    Fail(where, "connection '" + name + "' was closed at line " + std::to_string(it->second.line) +
                    "; connect it again first");
  }
  if (for_writing && it->second.write_shut) {
    Fail(where, "connection '" + name + "' was shut down for writing at line " +
                    std::to_string(it->second.line));
  }
  return name;
}

std::string LoadScope::OnlyOpenConnection(const YamlNode& at) const {
  std::vector<std::string> open;
  for (const auto& [name, connection] : connections_) {
    if (connection.open) open.push_back(name);
  }
  if (open.size() != 1) {
    Fail(at, open.empty() ? "no connection is open here; add a 'connect' step first"
                          : "say which connection with 'on:' (" + std::to_string(open.size()) +
                                " are open)");
  }
  return open[0];
}

void LoadScope::RequireReading(const std::string& name, const YamlNode& at) const {
  if (int paused = connections_.at(name).paused_line; paused != 0) {
    Fail(at, "connection '" + name + "' is paused (line " + std::to_string(paused) +
                 "): nothing more arrives on it; add '- resume: " + name +
                 "' before expecting on it");
  }
}

void LoadScope::Pause(const std::string& name, bool resume, int line, const YamlNode& at) {
  Connection& connection = connections_.at(name);
  if (!resume && connection.paused_line != 0) {
    Fail(at, "connection '" + name + "' is already paused (since line " +
                 std::to_string(connection.paused_line) + ")");
  }
  if (resume && connection.paused_line == 0) {
    Fail(at, "connection '" + name + "' is not paused; 'resume' follows a 'pause'");
  }
  connection.paused_line = resume ? 0 : line;
}

void LoadScope::Close(const std::string& name, CloseStep::How how, int line, const YamlNode& at) {
  Connection& connection = connections_.at(name);
  if (connection.transport == Transport::kUdp && how != CloseStep::How::kBoth) {
    Fail(at, "a UDP connection can only be closed, not shut down or reset");
  }
  if (how == CloseStep::How::kWrite) {
    if (connection.write_shut)
      Fail(at, "connection '" + name + "' is already shut down for writing");
    connection.write_shut = true;
  } else {
    connection.open = false;
  }
  connection.line = line;
}

void LoadScope::Finish() const {
  for (const auto& [name, at] : target_references_) {
    std::string rest = name.substr(8);
    std::size_t dot = rest.find('.');
    std::string target = rest.substr(0, dot);
    std::string field = dot == std::string::npos ? "" : rest.substr(dot + 1);
    if (scenario_->FindTarget(target) == nullptr) {
      FailAt(at, "${" + name + "}: the scenario does not use a target named " + Quote(target));
    }
    if (!IsTargetField(field)) FailAt(at, NotATargetField(name));
  }
}

}  // namespace parley::harness
