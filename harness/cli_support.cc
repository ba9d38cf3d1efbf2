#include "harness/cli_support.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "harness/cli.h"

namespace parley::harness {
namespace {

namespace po = boost::program_options;

// --var NAME=VALUE
void ParseVars(const std::string& command, const Options& o, Loaded* loaded, RunRequest* request) {
  for (const std::string& v : o.vars) {
    std::string name;
    std::string value;
    if (!SplitNameValue(v, &name, &value) || !IsValidVariableName(name) ||
        name.find('.') != std::string::npos) {
      UsageError(command, "--var takes NAME=VALUE with a plain NAME (got '" + v + "')");
    }
    loaded->vars.Set(name, value);
    request->variables.push_back(name);
  }
}

// --target NAME=HOST:PORT or NAME=tls://HOST:PORT (HOST may be an [IPv6] address)
void ParseExternalTargets(const std::string& command, const Options& o, Loaded* loaded,
                          RunRequest* request) {
  for (const std::string& t : o.external) {
    std::string name;
    std::string address;
    std::size_t colon = std::string::npos;
    bool tls = false;
    if (SplitNameValue(t, &name, &address)) {
      tls = address.starts_with("tls://");
      if (tls) address.erase(0, 6);
      colon = address.rfind(':');
    }
    if (colon == std::string::npos || colon == 0 || colon + 1 == address.size()) {
      UsageError(command,
                 "--target takes NAME=HOST:PORT or NAME=tls://HOST:PORT (got '" + t + "')");
    }
    Endpoint e{address.substr(0, colon), address.substr(colon + 1), std::nullopt};
    if (tls) e.tls = TlsOptions{};  // the defaults: the system's CAs, SNI = HOST
    if (e.host.size() > 2 && e.host.front() == '[' && e.host.back() == ']') {
      e.host = e.host.substr(1, e.host.size() - 2);
    }
    loaded->external[name] = e;
    request->external_targets.insert(name);
  }
}

Selection ParseSelection(const std::string& command, const Options& o, int repeat) {
  Selection selection;
  selection.filters = o.filters;
  selection.tags = o.tags;
  selection.exclude_tags = o.exclude_tags;
  selection.repeat = repeat;
  std::string error;
  if (!o.shard.empty() &&
      !ParseShard(o.shard, &selection.shard_index, &selection.shard_count, &error)) {
    UsageError(command, error);
  }
  return selection;
}

}  // namespace

po::options_description SelectionOptions(Options* o) {
  po::options_description d("selecting scenarios");
  d.add_options()("filter", po::value(&o->filters)->composing(),
                  "only scenarios whose name matches this glob (repeatable)")(
      "tag", po::value(&o->tags)->composing(),
      "only scenarios with this tag (repeatable: any of them)")(
      "exclude-tag", po::value(&o->exclude_tags)->composing(),
      "leave out scenarios with this tag (repeatable)")(
      "exclude", po::value(&o->excludes)->composing(),
      "GLOB: leave out the files it matches: a file name (docker-compose.yml, *.draft.yaml) or a "
      "path or folder (scenarios/tls) (repeatable)")(
      "shard", po::value(&o->shard), "I/N: play only the I-th of N stable parts (1 <= I <= N)")(
      "var", po::value(&o->vars)->composing(),
      "NAME=VALUE: a variable for ${NAME} (repeatable; wins over 'vars:')")(
      "targets", po::value(&o->targets_file),
      "the targets file (default: the nearest targets.yaml at or above the first path)")(
      "target", po::value(&o->external)->composing(),
      "NAME=HOST:PORT or NAME=tls://HOST:PORT: play target NAME against a running server "
      "instead of starting it "
      "(repeatable)");
  return d;
}

[[noreturn]] void UsageError(const std::string& command, const std::string& message) {
  throw po::error(message + "\nTry 'parley " + command + " --help'.");
}

bool Parse(const std::string& command, const std::vector<std::string>& args,
           const po::options_description& options, Options* o) {
  po::options_description all;
  all.add(options);
  all.add_options()("help,h", "this help")("paths", po::value(&o->paths)->composing(), "");
  po::positional_options_description positional;
  positional.add("paths", -1);
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(all).positional(positional).run(), vm);
  if (vm.count("help")) {
    std::cout << "usage: parley " << command << " [OPTIONS] [PATHS...]\n\n" << options << "\n";
    return false;
  }
  po::notify(vm);
  return true;
}

std::string SelfDirectory() {
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return ".";
  return self.parent_path().string();
}

bool SplitNameValue(const std::string& text, std::string* name, std::string* value) {
  std::size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0) return false;
  *name = text.substr(0, eq);
  *value = text.substr(eq + 1);
  return true;
}

void PrintSetupError(const RunSetupError& error) {
  if (!error.message.empty()) {
    std::fprintf(stderr, "parley: %s\n", error.message.c_str());
    return;
  }
  for (const LoadError& e : error.errors)
    std::fprintf(stderr, "%s\n", e.ToString().c_str());
  std::fprintf(stderr, "parley: %zu error%s; nothing was played\n", error.errors.size(),
               error.errors.size() == 1 ? "" : "s");
}

int Load(const std::string& command, const Options& o, Loaded* loaded, int repeat) {
  RunRequest request;
  ParseVars(command, o, loaded, &request);
  ParseExternalTargets(command, o, loaded, &request);
  request.selection = ParseSelection(command, o, repeat);
  request.paths = o.paths.empty() ? std::vector<std::string>{"scenarios"} : o.paths;
  request.targets_file = o.targets_file;
  request.excludes = o.excludes;
  RunSetupError error;
  const bool ok = SetUpRun(request, &loaded->setup, &error);
  for (const std::string& warning : loaded->setup.catalog.warnings)
    std::fprintf(stderr, "parley: warning: %s\n", warning.c_str());
  if (!ok) {
    PrintSetupError(error);
    return kExitUsage;
  }
  return kExitPassed;
}

bool WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) {
    std::fprintf(stderr, "parley: cannot write %s\n", path.c_str());
    return false;
  }
  return true;
}

}  // namespace parley::harness
