// targets.yaml: how to start each target and how to tell that it is ready.
//
//   targets:
//     http:
//       command: ["${bin}/http-server", "--host", "127.0.0.1", "--port", "0"]
//       ready: '^listening on http://(?P<host>[^:]+):(?P<port>\d+)$'
//       ready_timeout: 10s   # default 10s
//       stop_timeout: 2s     # SIGTERM, then SIGKILL after this; default 2s
//       shared: true         # scenarios without their own args share one process
//     irc:
//       command: [ngircd, -n, -f, "${config}"]
//       port: auto           # parley picks a free port: ${port}
//       config: ngircd.conf  # a template beside this file, rendered into ${config}
//       env: {LANG: C}
//       cwd: "${tmp}"
//       ready: {connect: true}   # or {stdout: RE}, {stderr: RE}, {scenario: FILE}
//
// A target either says where it listens in its ready line (a `ready` regex with `host` and
// `port` groups, or groups 1 and 2), or is given a port (`port: auto` or a number) on `host`
// (default 127.0.0.1). Templates (command, env values, cwd, the config file) may use ${bin}
// (the folder of the built binaries), ${env.NAME}, ${targets_dir} (this file's folder),
// ${host}, ${tmp} (a private folder per process start, removed when the process stops),
// ${scenario.dir} (when a scenario starts the target), ${port} (with `port:`) and ${config}
// (with `config:`; not in the config itself).
#ifndef PARLEY_HARNESS_SCENARIO_TARGET_CONFIG_H_
#define PARLEY_HARNESS_SCENARIO_TARGET_CONFIG_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "harness/scenario/loader.h"
#include "harness/scenario/regex.h"
#include "harness/scenario/scenario.h"
#include "harness/scenario/template.h"

namespace parley::harness {

// How parley knows that a started target accepts connections.
struct ReadySpec {
  enum class Kind {
    kStdout,    // a line on stdout matches `regex`
    kStderr,    // a line on stderr matches `regex`
    kConnect,   // a TCP connect to host:port succeeds
    kScenario,  // `scenario` passes against host:port
  };
  Kind kind = Kind::kStdout;
  std::optional<Regex> regex;
  // 1-based indices into the regex's groups for the endpoint; 0 when the target's `port` says
  // where it listens instead.
  int host_group = 0;
  int port_group = 0;
  std::string scenario_file;                 // resolved against the targets file's folder
  std::shared_ptr<const Scenario> scenario;  // loaded with the targets file

  // "a line matching /RE/ on stdout", "a TCP connect", "the scenario FILE passing": for
  // messages.
  std::string Describe() const;
};

struct TargetSpec {
  enum class Port { kFromReadyLine, kAuto, kFixed };

  std::string name;
  std::vector<Template> command;
  std::vector<std::pair<std::string, Template>> env;  // NAME, value: set in its environment
  std::optional<Template> cwd;                        // relative: to targets_dir
  std::string host = "127.0.0.1";
  Port port_mode = Port::kFromReadyLine;
  int port = 0;             // with Port::kFixed
  std::string config;       // `config:` the template file, resolved; empty for none
  Template config_text;     // its contents, rendered into ${config} at each start
  bool uses_tmp = false;    // a template refers to ${tmp} (a config always gets one)
  std::string targets_dir;  // the targets file's folder, absolute: ${targets_dir}
  ReadySpec ready;
  Duration ready_timeout{10000};
  Duration stop_timeout{2000};
  bool shared = false;
  // `parley fuzz`'s liveness check for this target: a scenario file (resolved against the
  // targets file's folder), empty for none.
  std::string health;
  std::optional<TlsOptions> tls;  // `tls:`: every connection to this target speaks TLS
  SourcePosition where;

  // True when parley gives the port (`port: auto` or a number) rather than reading it.
  bool has_port() const { return port_mode != Port::kFromReadyLine; }
};

struct TargetsConfig {
  std::string file;
  std::map<std::string, TargetSpec> targets;
};

// Never throws. On failure returns false with `*error` naming file, line and column (of the
// targets file, or of the config template or ready scenario the error is in).
bool LoadTargets(std::string_view text, std::string_view file, TargetsConfig* config,
                 LoadError* error) noexcept;
bool LoadTargetsFile(const std::string& path, TargetsConfig* config, LoadError* error) noexcept;

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_SCENARIO_TARGET_CONFIG_H_
