#include "harness/play/target_pool.h"

#include <signal.h>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <filesystem>
#include <fstream>

#include "harness/play/readiness.h"
#include "harness/text/bytes_text.h"

namespace parley::harness {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

// Starts of a `port: auto` target that exited before it was ready, each on a new port: another
// process may have bound the picked port before the server did.
constexpr int kPortAttempts = 3;
constexpr std::size_t kStdoutLines = 20;
constexpr std::size_t kStderrLines = 40;

Duration Scale(Duration d, double scale) {
  return Duration(static_cast<Duration::rep>(static_cast<double>(d.count()) * scale));
}

// Each line escaped (CR, control bytes and bad UTF-8 made visible), indented.
std::string ShowLines(const std::string& text) {
  std::string out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t lf = text.find('\n', start);
    std::size_t end = lf == std::string::npos ? text.size() : lf;
    out += "  " + EscapeBytes(std::string_view(text).substr(start, end - start)) + "\n";
    start = end + 1;
  }
  return out;
}

std::string OutputBlock(const std::string& stream, const std::string& text, std::size_t lines) {
  if (text.empty()) return "\n(it wrote nothing to " + stream + ")";
  return "\nits " + stream + " (the last lines):\n" + ShowLines(LastLines(text, lines));
}

std::string StderrBlock(const std::string& text) {
  if (text.empty()) return "\n(it wrote nothing to stderr)";
  return "\nits stderr:\n" + text + (text.back() == '\n' ? "" : "\n");
}

// What a start renders from the spec: the command line, environment, folder and files.
struct Launch {
  std::vector<std::string> argv;
  std::vector<std::string> environment;  // the spec's NAME=VALUE entries
  std::string cwd;
  OwnedDir dir;         // ${tmp}, with the rendered config in it
  Endpoint planned;     // host and port, when the spec gives the port
  std::string command;  // for messages and reports
};

bool RenderAll(const std::vector<Template>& parts, const Variables& vars,
               std::vector<std::string>* out, std::string* error) {
  for (const Template& part : parts) {
    auto text = part.Render(vars, error);
    if (!text) return false;
    out->push_back(std::move(*text));
  }
  return true;
}

bool WriteFile(const fs::path& path, const std::string& text, std::string* error) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) *error = "cannot write " + path.string();
  return static_cast<bool>(out);
}

// Picks the port, makes the folder, renders the config into it and the command, environment
// and folder with it all. `vars` has the use's variables.
bool Prepare(const TargetSpec& spec, const TargetUse& use, Variables vars, Launch* launch,
             std::string* error) {
  vars.Set("targets_dir", spec.targets_dir);
  vars.Set("host", spec.host);
  launch->planned.host = spec.host;
  launch->planned.tls = spec.tls;
  if (spec.has_port()) {
    int port = spec.port;
    if (spec.port_mode == TargetSpec::Port::kAuto) {
      auto picked = PickFreePort(spec.host, error);
      if (!picked) return false;
      port = *picked;
    }
    launch->planned.port = std::to_string(port);
    vars.Set("port", launch->planned.port);
  }
  if (spec.uses_tmp) {
    launch->dir = OwnedDir::Create("parley-" + spec.name, error);
    if (launch->dir.empty()) return false;
    vars.Set("tmp", launch->dir.path());
  }
  if (!spec.config.empty()) {
    auto text = spec.config_text.Render(vars, error);
    if (!text) {
      *error = spec.config + ": " + *error;
      return false;
    }
    fs::path path = fs::path(launch->dir.path()) / fs::path(spec.config).filename();
    if (!WriteFile(path, *text, error)) return false;
    vars.Set("config", path.string());
  }
  if (!RenderAll(spec.command, vars, &launch->argv, error) ||
      !RenderAll(use.args, vars, &launch->argv, error)) {
    return false;
  }
  for (const auto& [name, value] : spec.env) {
    auto text = value.Render(vars, error);
    if (!text) return false;
    launch->environment.push_back(name + "=" + *text);
  }
  if (spec.cwd) {
    auto cwd = spec.cwd->Render(vars, error);
    if (!cwd) return false;
    fs::path folder = (fs::path(spec.targets_dir) / *cwd).lexically_normal();
    if (folder.filename().empty() && folder.has_parent_path()) folder = folder.parent_path();
    launch->cwd = folder.string();
  }
  launch->command = ShellCommand(launch->argv, launch->environment);
  return true;
}

}  // namespace

TargetPool::TargetPool(asio::any_io_executor executor, const TargetsConfig* config,
                       PoolOptions options)
    : executor_(executor),
      config_(config),
      options_(std::move(options)),
      shared_changed_(executor, Clock::time_point::max()) {}

bool TargetPool::Knows(const std::string& name) const {
  return IsExternal(name) || (config_ != nullptr && config_->targets.count(name) != 0);
}

asio::awaitable<TargetPool::Acquired> TargetPool::Acquire(const TargetUse& use,
                                                          const Variables& vars) {
  Acquired result;
  auto external = options_.external.find(use.name);
  if (external != options_.external.end()) {
    if (use.fresh) {
      result.skip = "needs its own '" + use.name +
                    "' process (target args, a signal or an exit "
                    "check), but '" +
                    use.name + "' is the external server " + external->second.host + ":" +
                    external->second.port;
      co_return result;
    }
    Lease lease;
    lease.name = use.name;
    lease.endpoint = external->second;
    // The target's TLS options from the targets file still apply (the same kind of server,
    // elsewhere); tls:// forces TLS, with those options when there are some.
    if (config_ != nullptr && config_->targets.count(use.name) != 0) {
      const std::optional<TlsOptions>& declared = config_->targets.at(use.name).tls;
      if (declared) lease.endpoint.tls = declared;
    }
    result.lease = std::move(lease);
    co_return result;
  }
  if (config_ == nullptr || config_->targets.count(use.name) == 0) {
    result.error = "unknown target '" + use.name + "'";
    co_return result;
  }
  const TargetSpec& spec = config_->targets.at(use.name);
  if (use.fresh || (!spec.shared && !options_.share_all)) {
    co_return co_await Start(spec, use, vars);
  }

  for (;;) {
    if (terminating_) {
      result.error = "parley is stopping";
      co_return result;
    }
    Shared& shared = shared_[use.name];
    switch (shared.state) {
      case Shared::State::kReady:
        if (shared.lease.process->running()) {
          Lease lease = shared.lease;
          lease.stderr_mark = lease.process->stderr_total();
          result.lease = std::move(lease);
          co_return result;
        }
        shared.state = Shared::State::kIdle;  // it died: start another
        continue;
      case Shared::State::kFailed:
        result.error = shared.error;
        co_return result;
      case Shared::State::kStarting: {
        // Every waiter waits on the same never-expiring timer; cancel() wakes them all.
        boost::system::error_code ec;
        co_await shared_changed_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        continue;
      }
      case Shared::State::kIdle: {
        shared.state = Shared::State::kStarting;
        Variables start_vars;  // a shared process must not depend on one scenario's variables
        start_vars.Set("bin", options_.bin_dir);
        TargetUse plain;
        plain.name = use.name;
        Acquired started = co_await Start(spec, plain, start_vars);
        Shared& after = shared_[use.name];
        if (started.lease) {
          after.state = Shared::State::kReady;
          after.lease = *started.lease;
          after.lease.own = false;
        } else {
          after.state = Shared::State::kFailed;
          after.error = started.error;
        }
        shared_changed_.cancel();
        continue;
      }
    }
  }
}

bool TargetPool::Persists(const std::string& name) const {
  if (IsExternal(name)) return true;
  if (config_ == nullptr || config_->targets.count(name) == 0) return false;
  return options_.share_all || config_->targets.at(name).shared;
}

std::shared_ptr<ChildProcess> TargetPool::SharedProcess(const std::string& name) const {
  auto it = shared_.find(name);
  if (it == shared_.end() || it->second.state != Shared::State::kReady) return nullptr;
  return it->second.lease.process;
}

asio::awaitable<TargetPool::Acquired> TargetPool::Start(const TargetSpec& spec,
                                                        const TargetUse& use,
                                                        const Variables& vars) {
  const int attempts = spec.port_mode == TargetSpec::Port::kAuto ? kPortAttempts : 1;
  Acquired result;
  for (int attempt = 1;; ++attempt) {
    bool exited = false;
    result = co_await StartOnce(spec, use, vars, &exited);
    if (result.lease || !exited || terminating_) break;
    if (attempt == attempts) {
      if (attempts > 1) {
        result.error += "\n(started " + std::to_string(attempts) +
                        " times, each on a new free port, in case another process had taken "
                        "the port)";
      }
      break;
    }
  }
  co_return result;
}

asio::awaitable<TargetPool::Acquired> TargetPool::StartOnce(const TargetSpec& spec,
                                                            const TargetUse& use,
                                                            const Variables& vars, bool* exited) {
  Acquired result;
  Variables start_vars = vars;
  std::error_code ec;
  start_vars.Set("bin", options_.bin_dir.empty()
                            ? options_.bin_dir
                            : fs::absolute(options_.bin_dir, ec).lexically_normal().string());
  Launch launch;
  std::string error;
  if (!Prepare(spec, use, start_vars, &launch, &error)) {
    result.error = "cannot start target '" + spec.name + "': " + error;
    co_return result;
  }
  ProcessOptions process_options;
  process_options.environment = launch.environment;
  process_options.cwd = launch.cwd;
  process_options.dir = std::move(launch.dir);
  if (options_.environment &&
      !options_.environment(spec.name, launch.argv, &process_options.environment, &error)) {
    result.error = "cannot start target '" + spec.name + "' (" + launch.command + "): " + error;
    co_return result;
  }
  auto process = ChildProcess::Start(executor_, launch.argv, &error, std::move(process_options));
  if (!process) {
    result.error = "cannot start target '" + spec.name + "' (" + launch.command + "): " + error;
    co_return result;
  }
  started_.push_back(process);
  auto endpoint = co_await WaitUntilReady(executor_, process, spec, launch.planned,
                                          Scale(spec.ready_timeout, options_.timeout_scale),
                                          options_.timeout_scale, &error);
  if (!endpoint) {
    result.error = co_await NotReady(spec, launch.command, launch.cwd, process, error, exited);
    co_return result;
  }
  Lease lease;
  lease.name = spec.name;
  lease.endpoint = std::move(*endpoint);
  lease.process = std::move(process);
  lease.own = true;
  lease.command = std::move(launch.command);
  result.lease = std::move(lease);
  co_return result;
}

asio::awaitable<std::string> TargetPool::NotReady(const TargetSpec& spec,
                                                  const std::string& command,
                                                  const std::string& cwd,
                                                  std::shared_ptr<ChildProcess> process,
                                                  const std::string& reason, bool* exited) {
  std::optional<ExitStatus> status = process->Poll();
  *exited = status.has_value();
  std::string ending;
  if (status) {
    ending = status->ToString();
  } else {
    bool killed = false;
    ExitStatus stopped = co_await process->Stop(spec.stop_timeout, &killed);
    ending = "still running, so parley stopped it (" + stopped.ToString() + ")";
  }
  co_await process->WaitForOutputs(Clock::now() + std::chrono::seconds(1));
  std::error_code ec;
  co_return "target '" + spec.name + "' did not become ready: " + reason + "\ncommand: " + command +
      "\ncwd: " + (cwd.empty() ? fs::current_path(ec).string() + " (parley's)" : cwd) +
      "\nexit status: " + ending + OutputBlock("stdout", process->StdoutEnd(), kStdoutLines) +
      StderrBlock(LastLines(process->StderrSince(0), kStderrLines));
}

asio::awaitable<TargetPool::Released> TargetPool::Release(const Lease& lease) {
  Released released;
  if (!lease.process) co_return released;
  if (lease.own) {
    const TargetSpec& spec = config_->targets.at(lease.name);
    released.status = co_await lease.process->Stop(spec.stop_timeout, &released.killed);
  } else if (auto status = lease.process->Poll()) {
    released.status = status;
  }
  if (released.status) {
    co_await lease.process->WaitForOutputs(Clock::now() + std::chrono::seconds(1));
  }
  released.stderr_text = lease.process->StderrSince(lease.stderr_mark);
  co_return released;
}

asio::awaitable<void> TargetPool::StopShared() {
  for (auto& [name, shared] : shared_) {
    if (shared.state != Shared::State::kReady) continue;
    bool killed = false;
    co_await shared.lease.process->Stop(config_->targets.at(name).stop_timeout, &killed);
    shared.state = Shared::State::kIdle;
    shared.lease = Lease();
  }
}

void TargetPool::TerminateAll() {
  terminating_ = true;
  for (auto& weak : started_) {
    if (auto process = weak.lock()) process->Signal(SIGTERM);
  }
  shared_changed_.cancel();
}

}  // namespace parley::harness
