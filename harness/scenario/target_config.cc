#include "harness/scenario/target_config.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "harness/scenario/tls_loader.h"
#include "harness/scenario/yaml_checks.h"

namespace parley::harness {
namespace {

TargetSpec ParseSpec(const YamlNode& key, const YamlNode& node, std::string_view file) {
  TargetSpec spec;
  spec.name = RequireName(key, "a target name");
  spec.where = PositionOf(key);
  RequireMap(node, "a target");
  CheckKeys(node, {"command", "ready", "ready_timeout", "stop_timeout", "shared", "health", "tls"},
            "a target");
  const YamlNode* command = node.Find("command");
  if (command == nullptr) Fail(node, "target '" + spec.name + "' needs a 'command'");
  if (!command->is_sequence() || command->items.empty()) {
    Fail(*command, "'command' must be a list: the program, then its arguments");
  }
  for (const YamlNode& arg : command->items) {
    Template::ParseError error;
    auto t = Template::Parse(RequireString(arg, "a command argument"), false, &error);
    if (!t) Fail(arg, "a command argument: " + error.message);
    for (const Template::Part& part : t->parts()) {
      if (part.is_variable && part.text != "bin" && part.text != "scenario.dir" &&
          part.text.compare(0, 4, "env.") != 0) {
        Fail(arg, "${" + part.text +
                      "} is not available here (use ${bin}, ${scenario.dir} or "
                      "${env.NAME})");
      }
    }
    spec.command.push_back(std::move(*t));
  }
  const YamlNode* ready = node.Find("ready");
  if (ready == nullptr)
    Fail(node, "target '" + spec.name + "' needs 'ready': a regex for its ready line");
  std::string error;
  spec.ready = Regex::Compile(RequireString(*ready, "'ready'"), &error);
  if (!spec.ready) Fail(*ready, "bad regex: " + error);
  int host = spec.ready->GroupIndex("host");
  int port = spec.ready->GroupIndex("port");
  if ((host < 0) != (port < 0)) Fail(*ready, "'ready' names only one of the groups host and port");
  if (host >= 0) {
    spec.host_group = host;
    spec.port_group = port;
  } else if (spec.ready->groups() < 2) {
    Fail(*ready, "'ready' needs two groups, host and port, e.g. (?P<host>[^:]+):(?P<port>\\d+)");
  }
  if (const YamlNode* t = node.Find("ready_timeout"))
    spec.ready_timeout = RequireDuration(*t, "'ready_timeout'");
  if (const YamlNode* t = node.Find("stop_timeout"))
    spec.stop_timeout = RequireDuration(*t, "'stop_timeout'");
  if (const YamlNode* s = node.Find("shared")) spec.shared = RequireBool(*s, "'shared'");
  if (const YamlNode* h = node.Find("health")) {
    std::filesystem::path path(RequireString(*h, "'health'"));
    if (path.empty()) Fail(*h, "'health' names a scenario file");
    if (path.is_relative()) path = std::filesystem::path(file).parent_path() / path;
    spec.health = path.lexically_normal().string();
  }
  if (const YamlNode* tls = node.Find("tls")) {
    const std::string dir = std::filesystem::path(file).parent_path().string();
    spec.tls = LoadTlsOptions(*tls, dir, [](const YamlNode& n, std::string_view what) {
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
  return spec;
}

}  // namespace

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
