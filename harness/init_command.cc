#include "harness/init_command.h"

#include <boost/program_options.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "harness/cli.h"
#include "harness/cli_support.h"

namespace parley::harness {
namespace {

namespace po = boost::program_options;
namespace fs = std::filesystem;

constexpr const char* kTargets =
    R"(# The servers the scenarios talk to. A scenario names one with `target:`.
targets:
  my-server:
    # How to start the server; parley picks a free port for ${port}.
    command: [python3, -m, http.server, --bind, 127.0.0.1, "${port}"]
    port: auto
    ready: {connect: true}
)";

constexpr const char* kExample = R"(name: the server answers GET /
target: my-server
steps:
  - connect: {name: c}
  - send: {on: c, text: "GET / HTTP/1.1\r\nHost: ${target.address}\r\nConnection: close\r\n\r\n"}
  - expect: {on: c, http: {status: 200}}
)";

}  // namespace

int CommandInit(const std::vector<std::string>& args) {
  std::string dir = ".";
  bool force = false;
  po::options_description options("init");
  options.add_options()("help,h", "this help")("force", po::bool_switch(&force),
                                               "overwrite files that exist");
  po::options_description hidden;
  hidden.add_options()("dir", po::value(&dir));
  po::options_description all;
  all.add(options).add(hidden);
  po::positional_options_description positional;
  positional.add("dir", 1);
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(all).positional(positional).run(), vm);
  if (vm.count("help")) {
    std::cout << "usage: parley init [DIR] [--force]\n\nWrites a targets.yaml and an example "
                 "scenario into DIR (default: the current folder).\n\n"
              << options << "\n";
    return kExitPassed;
  }
  po::notify(vm);
  const std::vector<std::pair<fs::path, const char*>> files = {
      {fs::path(dir) / "scenarios" / "targets.yaml", kTargets},
      {fs::path(dir) / "scenarios" / "example.yaml", kExample}};
  for (const auto& [path, text] : files) {
    if (!force && fs::exists(path)) UsageError("init", path.string() + " exists; use --force");
  }
  for (const auto& [path, text] : files) {
    std::error_code ec;
    fs::create_directories(path.parent_path(), ec);
    std::ofstream out(path);
    out << text;
    if (!out.flush()) {
      std::fprintf(stderr, "parley init: cannot write %s\n", path.string().c_str());
      return kExitFailed;
    }
    std::printf("wrote %s\n", path.string().c_str());
  }
  return kExitPassed;
}

}  // namespace parley::harness
