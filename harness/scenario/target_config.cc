#include "harness/scenario/target_config.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "harness/scenario/tls_loader.h"
#include "harness/scenario/yaml_checks.h"

namespace parley::harness {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kMaxConfigBytes = 1 << 20;

// An error located in another file than the targets file (a config template, a ready
// scenario): reported with that file's line and column.
struct ElsewhereFailure {
  LoadError error;
};

// The variables a target's templates may use, given what the target declares.
struct Available {
  bool port = false;
  bool config = false;  // false inside the config template itself

  // Empty when `name` may be used; else why not.
  std::string Check(const std::string& name) const {
    static const std::set<std::string> always = {"bin", "scenario.dir", "targets_dir", "host",
                                                 "tmp"};
    if (always.count(name) != 0 || name.compare(0, 4, "env.") == 0) return "";
    if (name == "port") return port ? "" : "${port} needs 'port: auto' (or a port number)";
    if (name == "config") return config ? "" : "${config} needs 'config:', a template file";
    return "${" + name +
           "} is not available here (use ${bin}, ${env.NAME}, ${targets_dir}, ${host}, "
           "${port}, ${config}, ${tmp} or ${scenario.dir})";
  }
};

Template ParseTemplate(const YamlNode& node, std::string_view what, const Available& available) {
  Template t = RequireTemplate(node, what, false);
  for (const Template::Part& part : t.parts()) {
    if (!part.is_variable) continue;
    std::string why = available.Check(part.text);
    if (!why.empty()) Fail(node, why);
  }
  return t;
}

bool Uses(const Template& t, std::string_view name) {
  return std::any_of(t.parts().begin(), t.parts().end(), [&](const Template::Part& part) {
    return part.is_variable && part.text == name;
  });
}

fs::path Beside(std::string_view file, const std::string& relative) {
  fs::path path(relative);
  if (path.is_relative()) path = fs::path(file).parent_path() / path;
  return path.lexically_normal();
}

SourcePosition PositionIn(std::string_view text, std::size_t offset) {
  SourcePosition at;
  at.line = 1;
  at.column = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++at.line;
      at.column = 1;
    } else {
      ++at.column;
    }
  }
  return at;
}

// Reads and checks the config template: it exists, is a template, and uses only what the
// target provides. Its mistakes are located in the template file.
Template LoadConfigTemplate(const YamlNode& node, const std::string& path,
                            const Available& available) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) Fail(node, "no such config template: " + path);
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  if (!in) Fail(node, "cannot read the config template " + path);
  const std::string text = buffer.str();
  if (text.size() > kMaxConfigBytes) Fail(node, "the config template " + path + " exceeds 1 MiB");
  auto fail_at = [&](std::size_t offset, std::string message) {
    SourcePosition at = PositionIn(text, offset);
    throw ElsewhereFailure{LoadError{path, at.line, at.column, std::move(message)}};
  };
  Template::ParseError error;
  auto t = Template::Parse(text, false, &error);
  if (!t) fail_at(error.offset, error.message);
  // Template keeps no offsets: find each reference again to say where it is.
  for (std::size_t i = text.find('$'); i != std::string::npos; i = text.find('$', i + 1)) {
    if (text.compare(i, 3, "$${") == 0) {
      i += 2;
      continue;
    }
    if (text.compare(i, 2, "${") != 0) continue;
    std::size_t end = text.find('}', i);
    std::string why = available.Check(text.substr(i + 2, end - i - 2));
    if (!why.empty()) fail_at(i, why);
  }
  return std::move(*t);
}

// `ready: {scenario: FILE}`: one scenario, played against this target alone.
std::shared_ptr<const Scenario> LoadReadyScenario(const YamlNode& node, const std::string& path,
                                                  const std::string& target) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) Fail(node, "no such scenario file: " + path);
  LoadResult loaded = LoadScenarioFile(path);
  if (!loaded.ok()) throw ElsewhereFailure{*loaded.error};
  if (loaded.scenarios.size() != 1) {
    Fail(node, "the ready scenario " + path + " holds " + std::to_string(loaded.scenarios.size()) +
                   " scenarios; it must hold one");
  }
  const Scenario& s = loaded.scenarios.front();
  if (!s.skip.empty()) {
    throw ElsewhereFailure{LoadError{path, s.where.line, s.where.column,
                                     "a ready scenario cannot be skipped: it must pass"}};
  }
  for (const TargetUse& use : s.targets) {
    if (use.name == target && use.args.empty() && !use.fresh) continue;
    throw ElsewhereFailure{LoadError{path, use.where.line, use.where.column,
                                     "a ready scenario plays against the process being started: "
                                     "target '" +
                                         target + "', without args or fresh"}};
  }
  return std::make_shared<const Scenario>(s);
}

void SetEndpointGroups(const YamlNode& node, const TargetSpec& spec, ReadySpec* ready) {
  if (spec.has_port()) return;  // the endpoint is host:port; groups are the user's own
  int host = ready->regex->GroupIndex("host");
  int port = ready->regex->GroupIndex("port");
  if ((host < 0) != (port < 0)) Fail(node, "'ready' names only one of the groups host and port");
  if (host >= 0) {
    ready->host_group = host;
    ready->port_group = port;
  } else if (ready->regex->groups() >= 2) {
    ready->host_group = 1;
    ready->port_group = 2;
  } else {
    Fail(node,
         "'ready' needs two groups, host and port, e.g. (?P<host>[^:]+):(?P<port>\\d+) (or the "
         "target needs 'port: auto')");
  }
}

Regex CompileReady(const YamlNode& node, std::string_view what) {
  std::string error;
  auto regex = Regex::Compile(RequireString(node, what), &error);
  if (!regex) Fail(node, "bad regex: " + error);
  return std::move(*regex);
}

ReadySpec ParseReady(const YamlNode& node, const TargetSpec& spec, std::string_view file) {
  ReadySpec ready;
  if (node.is_scalar()) {
    ready.regex = CompileReady(node, "'ready'");
    SetEndpointGroups(node, spec, &ready);
    return ready;
  }
  if (!node.is_map() || node.entries.size() != 1) {
    Fail(node,
         "'ready' is a regex for a stdout line, or one of {stdout: RE}, {stderr: RE}, "
         "{connect: true}, {scenario: FILE}");
  }
  CheckKeys(node, {"stdout", "stderr", "connect", "scenario"}, "'ready'");
  const auto& [key, value] = node.entries.front();
  const std::string& kind = key.scalar;
  if (kind == "stdout" || kind == "stderr") {
    ready.kind = kind == "stdout" ? ReadySpec::Kind::kStdout : ReadySpec::Kind::kStderr;
    ready.regex = CompileReady(value, "'" + kind + "'");
    SetEndpointGroups(value, spec, &ready);
    return ready;
  }
  if (!spec.has_port()) {
    Fail(node, "'ready: {" + kind + ": ...}' needs the target's 'port' (auto or a number)");
  }
  if (kind == "connect") {
    if (!RequireBool(value, "'connect'")) Fail(value, "'connect' can only be true");
    ready.kind = ReadySpec::Kind::kConnect;
    return ready;
  }
  ready.kind = ReadySpec::Kind::kScenario;
  const std::string& path = RequireString(value, "'scenario'");
  if (path.empty()) Fail(value, "'scenario' names a scenario file");
  ready.scenario_file = Beside(file, path).string();
  ready.scenario = LoadReadyScenario(value, ready.scenario_file, spec.name);
  return ready;
}

void ParsePort(const YamlNode& node, TargetSpec* spec) {
  if (node.is_scalar() && !node.quoted && node.scalar == "auto") {
    spec->port_mode = TargetSpec::Port::kAuto;
    return;
  }
  if (!node.is_scalar() || node.scalar.empty() || !std::isdigit(node.scalar[0])) {
    Fail(node, "'port' must be auto or a port number");
  }
  spec->port_mode = TargetSpec::Port::kFixed;
  spec->port = static_cast<int>(RequireInt(node, "'port'", 1, 65535));
}

void ParseEnv(const YamlNode& node, const Available& available, TargetSpec* spec) {
  RequireMap(node, "'env'");
  for (const auto& [key, value] : node.entries) {
    const std::string& name = RequireString(key, "a variable name");
    bool valid = !name.empty() && !std::isdigit(static_cast<unsigned char>(name[0])) &&
                 std::all_of(name.begin(), name.end(), [](char c) {
                   return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
                 });
    if (!valid) Fail(key, "an environment variable name is letters, digits and _: " + Quote(name));
    spec->env.emplace_back(name, ParseTemplate(value, "'" + name + "'", available));
  }
}

void ParseCommand(const YamlNode& node, const YamlNode* command, const Available& available,
                  TargetSpec* spec) {
  if (command == nullptr) Fail(node, "target '" + spec->name + "' needs a 'command'");
  if (!command->is_sequence() || command->items.empty()) {
    Fail(*command, "'command' must be a list: the program, then its arguments");
  }
  for (const YamlNode& arg : command->items)
    spec->command.push_back(ParseTemplate(arg, "a command argument", available));
}

// A `port: auto` nobody passes on is a mistake: the server would listen elsewhere.
void CheckPortIsPassed(const YamlNode& port, const TargetSpec& spec) {
  if (spec.port_mode != TargetSpec::Port::kAuto) return;
  bool used = Uses(spec.config_text, "port") || (spec.cwd && Uses(*spec.cwd, "port"));
  for (const Template& arg : spec.command)
    used = used || Uses(arg, "port");
  for (const auto& [name, value] : spec.env)
    used = used || Uses(value, "port");
  if (!used) {
    Fail(port,
         "'port: auto' picks a free port, but nothing passes ${port} to the server (use it "
         "in the command, env or config)");
  }
}

bool UsesTmp(const TargetSpec& spec) {
  if (!spec.config.empty() || Uses(spec.config_text, "tmp") || (spec.cwd && Uses(*spec.cwd, "tmp")))
    return true;
  for (const Template& arg : spec.command)
    if (Uses(arg, "tmp")) return true;
  for (const auto& [name, value] : spec.env)
    if (Uses(value, "tmp")) return true;
  return false;
}

std::optional<TlsOptions> ParseTls(const YamlNode& tls, std::string_view file) {
  const std::string dir = fs::path(file).parent_path().string();
  return LoadTlsOptions(tls, dir, [](const YamlNode& n, std::string_view what) {
    Template::ParseError error;
    auto t = Template::Parse(RequireString(n, what), false, &error);
    if (!t) Fail(n, std::string(what) + ": " + error.message);
    for (const Template::Part& part : t->parts()) {
      if (part.is_variable && part.text.compare(0, 4, "env.") != 0) {
        Fail(n, "${" + part.text + "} is not available here (use ${env.NAME})");
      }
    }
    return std::move(*t);
  });
}

TargetSpec ParseSpec(const YamlNode& key, const YamlNode& node, std::string_view file) {
  TargetSpec spec;
  spec.name = RequireName(key, "a target name");
  spec.where = PositionOf(key);
  RequireMap(node, "a target");
  CheckKeys(node,
            {"command", "env", "cwd", "host", "port", "config", "ready", "ready_timeout",
             "stop_timeout", "shared", "health", "tls"},
            "a target");
  spec.targets_dir = fs::absolute(fs::path(file)).parent_path().lexically_normal().string();
  if (const YamlNode* host = node.Find("host")) {
    spec.host = RequireString(*host, "'host'");
    if (spec.host.empty()) Fail(*host, "'host' is an address or name, e.g. 127.0.0.1");
  }
  const YamlNode* port = node.Find("port");
  if (port != nullptr) ParsePort(*port, &spec);
  Available available{spec.has_port(), false};
  if (const YamlNode* config = node.Find("config")) {
    const std::string& name = RequireString(*config, "'config'");
    if (name.empty()) Fail(*config, "'config' names a template file");
    spec.config = Beside(file, name).string();
    spec.config_text = LoadConfigTemplate(*config, spec.config, available);
    available.config = true;
  }
  ParseCommand(node, node.Find("command"), available, &spec);
  if (const YamlNode* env = node.Find("env")) ParseEnv(*env, available, &spec);
  if (const YamlNode* cwd = node.Find("cwd")) {
    spec.cwd = ParseTemplate(*cwd, "'cwd'", available);
    if (spec.cwd->empty()) Fail(*cwd, "'cwd' names a folder");
  }
  if (port != nullptr) CheckPortIsPassed(*port, spec);
  spec.uses_tmp = UsesTmp(spec);
  const YamlNode* ready = node.Find("ready");
  if (ready == nullptr) {
    Fail(node, "target '" + spec.name +
                   "' needs 'ready': a regex for its ready line, or {connect: true}, ...");
  }
  spec.ready = ParseReady(*ready, spec, file);
  if (const YamlNode* t = node.Find("ready_timeout"))
    spec.ready_timeout = RequireDuration(*t, "'ready_timeout'");
  if (const YamlNode* t = node.Find("stop_timeout"))
    spec.stop_timeout = RequireDuration(*t, "'stop_timeout'");
  if (const YamlNode* s = node.Find("shared")) spec.shared = RequireBool(*s, "'shared'");
  if (const YamlNode* h = node.Find("health")) {
    const std::string& path = RequireString(*h, "'health'");
    if (path.empty()) Fail(*h, "'health' names a scenario file");
    spec.health = Beside(file, path).string();
  }
  if (const YamlNode* tls = node.Find("tls")) spec.tls = ParseTls(*tls, file);
  return spec;
}

}  // namespace

std::string ReadySpec::Describe() const {
  switch (kind) {
    case Kind::kStdout:
      return "a line matching /" + regex->pattern() + "/ on stdout";
    case Kind::kStderr:
      return "a line matching /" + regex->pattern() + "/ on stderr";
    case Kind::kConnect:
      return "a TCP connect";
    case Kind::kScenario:
      return "the scenario " + scenario_file + " passing";
  }
  return "";
}

bool LoadTargets(std::string_view text, std::string_view file, TargetsConfig* config,
                 LoadError* error) noexcept {
  config->file.assign(file);
  config->targets.clear();
  try {
    std::vector<YamlNode> documents;
    YamlError yaml_error;
    if (!ParseYaml(text, YamlLimits(), &documents, &yaml_error)) {
      *error = LoadError{config->file, yaml_error.line, yaml_error.column, yaml_error.message};
      return false;
    }
    if (documents.size() != 1 || !documents[0].is_map()) {
      *error = LoadError{config->file, 1, 1, "a targets file is one mapping with a 'targets' key"};
      return false;
    }
    const YamlNode& root = documents[0];
    CheckKeys(root, {"targets"}, "a targets file");
    const YamlNode* targets = root.Find("targets");
    if (targets == nullptr) Fail(root, "a targets file needs 'targets'");
    RequireMap(*targets, "'targets'");
    for (const auto& [key, value] : targets->entries) {
      TargetSpec spec = ParseSpec(key, value, file);
      config->targets.emplace(spec.name, std::move(spec));
    }
    return true;
  } catch (const YamlFailure& f) {
    *error = LoadError{config->file, f.line, f.column, f.message};
  } catch (const ElsewhereFailure& f) {
    *error = f.error;
  } catch (const std::exception& e) {
    *error = LoadError{config->file, 0, 0, e.what()};
  }
  config->targets.clear();
  return false;
}

bool LoadTargetsFile(const std::string& path, TargetsConfig* config, LoadError* error) noexcept {
  try {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      *error = LoadError{path, 0, 0, "cannot read the targets file"};
      return false;
    }
    std::stringstream text;
    text << in.rdbuf();
    return LoadTargets(text.str(), path, config, error);
  } catch (const std::exception& e) {
    *error = LoadError{path, 0, 0, e.what()};
    return false;
  }
}

}  // namespace parley::harness
