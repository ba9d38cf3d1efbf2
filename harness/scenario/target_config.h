// targets.yaml: how to start each in-tree target and how to tell that it is ready.
//
//   targets:
//     http:
//       command: ["${bin}/http-server", "--host", "127.0.0.1", "--port", "0"]
//       ready: '^listening on http://(?P<host>[^:]+):(?P<port>\d+)$'
//       ready_timeout: 10s   # default 10s
//       stop_timeout: 2s     # SIGTERM, then SIGKILL after this; default 2s
//       shared: true         # scenarios without their own args share one process
//
// `ready` is matched against each line the target prints on stdout; its `host` and `port`
// groups (or groups 1 and 2) say where it listens. Commands may use ${bin} (the folder of
// the built binaries), ${env.NAME} and ${scenario.dir} (when a scenario starts the target).
#ifndef PARLEY_HARNESS_SCENARIO_TARGET_CONFIG_H_
#define PARLEY_HARNESS_SCENARIO_TARGET_CONFIG_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/scenario/loader.h"
#include "harness/scenario/regex.h"
#include "harness/scenario/scenario.h"
#include "harness/scenario/template.h"

namespace parley::harness {

struct TargetSpec {
  std::string name;
  std::vector<Template> command;
  std::optional<Regex> ready;
  int host_group = 1;  // indices into the ready regex's groups
  int port_group = 2;
  Duration ready_timeout{10000};
  Duration stop_timeout{2000};
  bool shared = false;
  // `parley fuzz`'s liveness check for this target: a scenario file (resolved against the
  // targets file's folder), empty for none.
  std::string health;
  std::optional<TlsOptions> tls;  // `tls:`: every connection to this target speaks TLS
  SourcePosition where;
};

struct TargetsConfig {
  std::string file;
  std::map<std::string, TargetSpec> targets;
};

// Never throws. On failure returns false with `*error` naming file, line and column.
bool LoadTargets(std::string_view text, std::string_view file, TargetsConfig* config,
                 LoadError* error) noexcept;
bool LoadTargetsFile(const std::string& path, TargetsConfig* config, LoadError* error) noexcept;

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_SCENARIO_TARGET_CONFIG_H_
