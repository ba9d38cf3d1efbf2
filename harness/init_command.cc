#include "harness/init_command.h"

#include <boost/program_options.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string_view>
#include <utility>

#include "harness/cli.h"
#include "harness/cli_support.h"
#include "harness/scenario/template.h"

namespace parley::harness {
namespace {

namespace po = boost::program_options;
namespace fs = std::filesystem;

// @name@ is the target's name, @port@ its `port:` value, @port_comment@ says what that value
// means.
constexpr std::string_view kTargets =
    R"(# The servers your scenarios talk to: how parley starts each one and how it knows that it
# is ready. A scenario names its server with `target: @name@`. parley's docs/runner.md
# ("Targets") describes every key; docs/install.md how this file was made.
#
# The command below is a placeholder that needs nothing but python3 (its http.server serves
# this folder): replace it with your server's command line.
targets:
  @name@:
    # command: the program and its arguments (searched in PATH unless it holds a /). It may use
    # ${port} and ${host} (below), ${targets_dir} (this file's folder), ${bin} (parley's own
    # folder, or `parley run --bin-dir DIR`), ${config}, ${tmp}, ${env.NAME} and
    # ${env.NAME:-default}. A scenario's `target: {name: @name@, args: [...]}` adds arguments.
    command: [python3, -m, http.server, --bind, "${host}", --directory, "${targets_dir}",
              "${port}"]
    # host: where the server listens and where connections go; default 127.0.0.1.
    host: 127.0.0.1
    # port: @port_comment@
    # Without `port`, the ready line must say where the server listens (below).
    port: @port@
    # ready: how parley knows the server is ready; one of
    #   ready: {connect: true}          a TCP connect to host:port succeeds (needs port)
    #   ready: 'REGEX'                  a line on stdout matches (same as {stdout: 'REGEX'});
    #                                   without port, the groups (?P<host>...) and (?P<port>...)
    #                                   capture where it listens
    #   ready: {stderr: 'REGEX'}        a line on stderr matches (many servers log there)
    #   ready: {scenario: ready.yaml}   a scenario beside this file passes against it: it
    #                                   really serves, not only listens (needs port)
    ready: {connect: true}
    # ready_timeout: how long it may take to become ready (times --timeout-scale); default 10s.
    ready_timeout: 10s
    # stop_timeout: parley stops it with SIGTERM, then SIGKILL after this; default 2s.
    stop_timeout: 3s
    # shared: true: one process serves every scenario and is stopped at the end of the run.
    # shared: false (the default): each scenario gets a fresh process, which must then exit
    # with code 0 on SIGTERM, or the scenario fails (so a crash or a sanitizer report at
    # shutdown is caught). python3's http.server dies of SIGTERM instead, so the placeholder
    # is shared; make yours exit cleanly and choose either. A scenario with `fresh: true`, a
    # `signal` step or an `exit` check always gets a process of its own.
    shared: true
    # env: variables added to (or replacing) parley's environment for the server.
    # env: {LANG: C, APP_ENV: test}
    # cwd: its working folder; a relative one is taken from this file's folder; default
    # parley's. ${tmp} is a private folder made for each start and removed after it.
    # cwd: "${tmp}"
    # config: a template file beside this one, rendered at each start (${port}, ${host},
    # ${env.NAME}... filled in) into ${tmp}; its path is ${config}, for the command line:
    #   command: [my-server, --config, "${config}"]
    # config: my-server.conf
    # tls: every connection to the server speaks TLS; relative files are from this folder.
    # tls: {ca: certs/ca.pem}
    # health: a scenario file that `parley fuzz` plays to check the server is still alive.
    # health: alive.yaml
)";

// @modeline@ is the editor's schema line, @name@ the target.
constexpr std::string_view kExample = R"(@modeline@
# A first scenario: one HTTP request to @name@. `parley validate scenarios` checks it,
# `parley run scenarios` plays it; parley's docs/scenarios.md lists every step and check.
# Keys stay as written: `on` is a string in YAML 1.2, which parley reads. For a line protocol
# instead of HTTP, the steps would read:
#   - send: {on: c, text: "HELLO\n"}
#   - expect: {on: c, line: "WELCOME"}
name: @name@ answers GET /
tags: [smoke]
target: @name@
timeout: 5s
steps:
  - connect: c
  # ${target.address} is where the target listens (host:port).
  - send: {on: c, text: "GET / HTTP/1.1\r\nHost: ${target.address}\r\nConnection: close\r\n\r\n"}
  - expect:
      on: c
      http:
        status: 200
        headers:
          Content-Type: {regex: '^text/html'}
)";

constexpr std::string_view kWorkflow =
    R"(# Plays the scenarios under scenarios/ on every push and pull request, and keeps the JUnit
# report. Written by `parley init`; parley's docs/install.md explains it.
name: parley
on:
  push:
  pull_request:
permissions:
  contents: read
jobs:
  scenarios:
    runs-on: ubuntu-latest
    timeout-minutes: 30
    # parley's .deb is built on Debian 12 against its libraries: the job runs in Debian 12.
    container: debian:12
    env:
      # The URL of parley's .deb, e.g. the asset of a release:
      #   https://github.com/OWNER/REPO/releases/download/v0.1.0/parley_0.1.0_amd64.deb
      # Alternatives: commit the .deb and install it with `apt-get install -y ./PATH.deb`, or
      # build parley from source in this step (see parley's docs/install.md).
      PARLEY_DEB_URL: ""
    steps:
      - uses: actions/checkout@v4
      - name: Install parley
        run: |
          if [ -z "$PARLEY_DEB_URL" ]; then
            echo "::error::set PARLEY_DEB_URL in .github/workflows/parley.yml"
            exit 1
          fi
          apt-get update
          # python3: the placeholder server of scenarios/targets.yaml; add what yours needs.
          apt-get install -y --no-install-recommends ca-certificates curl python3
          curl -fsSL -o /tmp/parley.deb "$PARLEY_DEB_URL"
          apt-get install -y /tmp/parley.deb
          parley --version
      - name: Validate the scenarios
        run: parley validate scenarios
      - name: Play the scenarios
        run: parley run scenarios --junit parley-junit.xml
      - name: Keep the JUnit report
        if: always()
        uses: actions/upload-artifact@v4
        with:
          name: parley-junit
          path: parley-junit.xml
          if-no-files-found: ignore
)";

std::string Fill(std::string_view text,
                 const std::vector<std::pair<std::string_view, std::string>>& values) {
  std::string out(text);
  for (const auto& [token, value] : values) {
    for (std::size_t at = out.find(token); at != std::string::npos;
         at = out.find(token, at + value.size())) {
      out.replace(at, token.size(), value);
    }
  }
  return out;
}

// The rule targets.yaml holds a target's name to (RequireName).
bool ValidTargetName(const std::string& name) {
  return !name.empty() && name.size() <= 64 && IsValidVariableName(name) &&
         name.find('.') == std::string::npos;
}

// Writes one file; "" or what went wrong, with the reason.
std::string WriteOne(const fs::path& path, const std::string& text) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  if (ec) return "cannot create folder " + path.parent_path().string() + ": " + ec.message();
  std::FILE* file = std::fopen(path.c_str(), "w");
  if (file == nullptr) return "cannot write " + path.string() + ": " + std::strerror(errno);
  bool written = std::fwrite(text.data(), 1, text.size(), file) == text.size();
  int saved = errno;
  if (std::fclose(file) != 0 && written) {
    written = false;
    saved = errno;
  }
  if (!written) return "cannot write " + path.string() + ": " + std::strerror(saved);
  return "";
}

}  // namespace

std::vector<InitFile> InitFiles(const InitOptions& o) {
  std::string port = o.port == 0 ? "auto" : std::to_string(o.port);
  std::string port_comment =
      o.port == 0 ? "auto: a free port, picked at each start and passed as ${port}; or a "
                    "fixed number."
                  : "the server's fixed port, passed as ${port}; `auto` picks a free one at "
                    "each start.";
  std::string modeline = o.schema.empty()
                             ? "# Editors: parley's docs/install.md shows how to check this file "
                               "against parley's JSON Schema."
                             : "# yaml-language-server: $schema=" + o.schema;
  return {
      {"scenarios/targets.yaml",
       Fill(kTargets, {{"@name@", o.target}, {"@port_comment@", port_comment}, {"@port@", port}})},
      {"scenarios/example.yaml", Fill(kExample, {{"@modeline@", modeline}, {"@name@", o.target}})},
      {".github/workflows/parley.yml", std::string(kWorkflow)},
  };
}

std::string InstalledSchemaPath() {
  std::error_code ec;
  fs::path schema = fs::path(SelfDirectory()) / ".." / "share" / "parley" / "scenario.schema.json";
  if (!fs::is_regular_file(schema, ec)) return "";
  fs::path canonical = fs::canonical(schema, ec);
  return ec ? schema.lexically_normal().string() : canonical.string();
}

int WriteInitFiles(const InitOptions& options) {
  const std::vector<InitFile> files = InitFiles(options);
  const fs::path dir(options.dir);
  if (!options.force) {
    std::string existing;
    for (const InitFile& f : files) {
      std::error_code ec;
      if (fs::exists(dir / f.path, ec) || fs::is_symlink(dir / f.path, ec))
        existing += (existing.empty() ? "" : ", ") + (dir / f.path).string();
    }
    if (!existing.empty()) {
      std::fprintf(stderr,
                   "parley init: %s already exist%s; nothing was written (--force overwrites)\n",
                   existing.c_str(), existing.find(", ") == std::string::npos ? "s" : "");
      return kExitUsage;
    }
  }
  for (const InitFile& f : files) {
    if (std::string error = WriteOne(dir / f.path, f.text); !error.empty()) {
      std::fprintf(stderr, "parley init: %s\n", error.c_str());
      return kExitFailed;
    }
    std::printf("wrote %s\n", (dir / f.path).string().c_str());
  }
  std::string scenarios = (dir / "scenarios").string();
  std::printf(
      "\nnext: put your server's command in %s/targets.yaml (the placeholder needs python3), "
      "then\n  parley validate %s\n  parley run %s\nand fill in PARLEY_DEB_URL in "
      "%s/.github/workflows/parley.yml\n",
      scenarios.c_str(), scenarios.c_str(), scenarios.c_str(), dir.string().c_str());
  return kExitPassed;
}

int CommandInit(const std::vector<std::string>& args) {
  InitOptions o;
  po::options_description options("init");
  options.add_options()("help,h", "this help")("force", po::bool_switch(&o.force),
                                               "overwrite files that exist")(
      "name", po::value(&o.target)->value_name("NAME"),
      "the target's name in targets.yaml and the example (default: my-server)")(
      "port", po::value(&o.port)->value_name("N"),
      "a fixed port for the server (default: auto, a free port picked at each start)");
  po::options_description hidden;
  hidden.add_options()("dir", po::value(&o.dir));
  po::options_description all;
  all.add(options).add(hidden);
  po::positional_options_description positional;
  positional.add("dir", 1);
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(all).positional(positional).run(), vm);
  if (vm.count("help")) {
    std::cout << "usage: parley init [DIR] [--force] [--name NAME] [--port N]\n\n"
                 "Scaffolds DIR (default: the current folder) for parley:\n"
                 "  scenarios/targets.yaml        how to start your server (every key explained)\n"
                 "  scenarios/example.yaml        a first scenario\n"
                 "  .github/workflows/parley.yml  CI: install parley's .deb, play, keep JUnit\n"
                 "The example plays as written against a placeholder server (python3).\n\n"
              << options << "\n";
    return kExitPassed;
  }
  po::notify(vm);
  if (!ValidTargetName(o.target)) {
    UsageError("init",
               "--name must be a word of letters, digits, _ and - (starting with a "
               "letter), at most 64 characters (got '" +
                   o.target + "')");
  }
  if (vm.count("port") && (o.port < 1 || o.port > 65535))
    UsageError("init", "--port must be between 1 and 65535");
  o.schema = InstalledSchemaPath();
  return WriteInitFiles(o);
}

}  // namespace parley::harness
