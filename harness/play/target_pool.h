// Where each target of a scenario listens, and the processes behind them. A target is either
// external (--target NAME=HOST:PORT: parley only connects to it) or started by parley from
// targets.yaml: on a free port (the command passes --port 0 and prints where it listens, or
// `port: auto` has parley pick one), with its environment, folder and rendered config, waiting
// until it is ready (play/readiness) with a deadline. A shared target is started once, by the first
// scenario that needs it, and stopped at the end of the run (or restarted if it died); a scenario
// with target arguments, a signal step or an exit expectation gets a process of its own, stopped
// when it ends.
//
// Used from the io_context's thread only.
#ifndef PARLEY_HARNESS_PLAY_TARGET_POOL_H_
#define PARLEY_HARNESS_PLAY_TARGET_POOL_H_

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "harness/play/process.h"
#include "harness/scenario/scenario.h"
#include "harness/scenario/target_config.h"
#include "harness/scenario/template.h"

namespace parley::harness {

struct Endpoint {
  std::string host;
  std::string port;
  std::optional<TlsOptions> tls;  // every connection to it speaks TLS (unless it says tls: false)
};

struct PoolOptions {
  std::string bin_dir;                       // ${bin} in commands
  std::map<std::string, Endpoint> external;  // --target NAME=HOST:PORT
  double timeout_scale = 1.0;                // applies to ready_timeout
  bool share_all = false;  // every plain use is served by one shared process (`parley fuzz`)
  // When set, asked at each start of a target for NAME=VALUE entries to add to its environment
  // (`parley fuzz` passes the coverage map of an instrumented target this way). Returns false
  // with `*error` set when the target must not start.
  std::function<bool(const std::string& target, const std::vector<std::string>& argv,
                     std::vector<std::string>* environment, std::string* error)>
      environment;
};

class TargetPool {
 public:
  struct Lease {
    std::string name;
    Endpoint endpoint;
    std::shared_ptr<ChildProcess> process;  // null for an external target
    bool own = false;                       // a process for this scenario alone
    std::size_t stderr_mark = 0;            // stderr bytes written before the lease began
    std::string command;                    // the command line, for reports
  };

  struct Acquired {
    std::optional<Lease> lease;
    std::string error;  // could not start: the reason, with the target's stderr
    std::string skip;   // the use cannot be served here (e.g. args for an external target)
  };

  struct Released {
    std::optional<ExitStatus> status;  // own processes: how it ended
    bool killed = false;               // it needed SIGKILL
    std::string stderr_text;           // what it wrote to stderr during the lease
  };

  // `config` may be null when every target is external; it must outlive the pool.
  TargetPool(boost::asio::any_io_executor executor, const TargetsConfig* config,
             PoolOptions options);
  TargetPool(const TargetPool&) = delete;
  TargetPool& operator=(const TargetPool&) = delete;

  // True when `name` is external or declared in the targets file.
  bool Knows(const std::string& name) const;
  bool IsExternal(const std::string& name) const { return options_.external.count(name) != 0; }
  // True when a plain use of `name` reaches a server that outlives the scenario: an external
  // one, or a shared process.
  bool Persists(const std::string& name) const;

  // `vars` renders the use's arguments (and ${scenario.dir} in the command).
  boost::asio::awaitable<Acquired> Acquire(const TargetUse& use, const Variables& vars);

  // Ends a lease: stops an own process; reports what the target wrote meanwhile. `lease` must
  // outlive the call. A lease without a process (an external target) needs no release.
  boost::asio::awaitable<Released> Release(const Lease& lease);

  // The process of a shared target, when one was started (it may have exited since); else null.
  std::shared_ptr<ChildProcess> SharedProcess(const std::string& name) const;

  // Stops the shared processes (at the end of a run).
  boost::asio::awaitable<void> StopShared();

  // Sends SIGTERM to every process the pool started, at once (parley was interrupted).
  void TerminateAll();

 private:
  struct Shared {
    enum class State { kIdle, kStarting, kReady, kFailed };
    State state = State::kIdle;
    Lease lease;
    std::string error;
  };

  // Starts a process of `spec` and waits until it is ready; a `port: auto` target that exits
  // first is started again on another port, a few times.
  boost::asio::awaitable<Acquired> Start(const TargetSpec& spec, const TargetUse& use,
                                         const Variables& vars);
  // One try; `*exited` tells whether the process exited by itself before it was ready.
  boost::asio::awaitable<Acquired> StartOnce(const TargetSpec& spec, const TargetUse& use,
                                             const Variables& vars, bool* exited);
  // Stops a process that did not become ready and says why, with its command, folder, exit
  // status and the last lines of its output.
  boost::asio::awaitable<std::string> NotReady(const TargetSpec& spec, const std::string& command,
                                               const std::string& cwd,
                                               std::shared_ptr<ChildProcess> process,
                                               const std::string& reason, bool* exited);

  boost::asio::any_io_executor executor_;
  const TargetsConfig* config_;
  PoolOptions options_;
  std::map<std::string, Shared> shared_;
  boost::asio::steady_timer shared_changed_;
  std::vector<std::weak_ptr<ChildProcess>> started_;
  bool terminating_ = false;
};

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_PLAY_TARGET_POOL_H_
