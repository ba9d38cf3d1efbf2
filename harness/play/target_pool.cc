#include "harness/play/target_pool.h"

#include <signal.h>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "harness/text/bytes_text.h"

namespace parley::harness {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

std::string CommandLine(const std::vector<std::string>& argv) {
  std::string out;
  for (const std::string& a : argv) {
    if (!out.empty()) out += ' ';
    bool plain = !a.empty() && a.find_first_of(" \t\"'\\$") == std::string::npos;
    out += plain ? a : "'" + a + "'";
  }
  return out;
}

std::string StderrBlock(const std::string& text) {
  if (text.empty()) return "\n(it wrote nothing to stderr)";
  return "\nits stderr:\n" + text + (text.back() == '\n' ? "" : "\n");
}

Duration Scale(Duration d, double scale) {
  return Duration(static_cast<Duration::rep>(static_cast<double>(d.count()) * scale));
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
  Acquired result;
  Variables command_vars = vars;
  command_vars.Set("bin", options_.bin_dir);
  std::vector<std::string> argv;
  std::string error;
  for (const Template& part : spec.command) {
    auto arg = part.Render(command_vars, &error);
    if (!arg) {
      result.error = "cannot start target '" + spec.name + "': " + error;
      co_return result;
    }
    argv.push_back(std::move(*arg));
  }
  for (const Template& part : use.args) {
    auto arg = part.Render(command_vars, &error);
    if (!arg) {
      result.error = "cannot start target '" + spec.name + "': " + error;
      co_return result;
    }
    argv.push_back(std::move(*arg));
  }
  std::string command = CommandLine(argv);
  std::vector<std::string> environment;
  if (options_.environment && !options_.environment(spec.name, argv, &environment, &error)) {
    result.error = "cannot start target '" + spec.name + "' (" + command + "): " + error;
    co_return result;
  }
  auto process = ChildProcess::Start(executor_, argv, &error, environment);
  if (!process) {
    result.error = "cannot start target '" + spec.name + "' (" + command + "): " + error;
    co_return result;
  }
  started_.push_back(process);
  auto groups = co_await process->WaitForLine(
      *spec.ready, Scale(spec.ready_timeout, options_.timeout_scale), &error);
  if (!groups) {
    bool killed = false;
    co_await process->Stop(spec.stop_timeout, &killed);
    co_await process->WaitForOutputs(Clock::now() + std::chrono::seconds(1));
    result.error = "target '" + spec.name + "' did not become ready: " + error +
                   "\ncommand: " + command + "\nits stdout: \"" +
                   EscapeBytes(process->StdoutText().substr(0, 2000)) + "\"" +
                   StderrBlock(process->StderrSince(0));
    co_return result;
  }
  Lease lease;
  lease.name = spec.name;
  auto group = [&](int index) -> std::string {
    return index >= 1 && static_cast<std::size_t>(index) <= groups->size()
               ? (*groups)[static_cast<std::size_t>(index) - 1]
               : "";
  };
  lease.endpoint.host = group(spec.host_group);
  lease.endpoint.port = group(spec.port_group);
  lease.endpoint.tls = spec.tls;
  if (lease.endpoint.host == "0.0.0.0" || lease.endpoint.host.empty())
    lease.endpoint.host = "127.0.0.1";
  if (lease.endpoint.host == "::" || lease.endpoint.host == "[::]") lease.endpoint.host = "::1";
  if (lease.endpoint.host.size() > 2 && lease.endpoint.host.front() == '[') {
    lease.endpoint.host = lease.endpoint.host.substr(1, lease.endpoint.host.size() - 2);
  }
  lease.process = std::move(process);
  lease.own = true;
  lease.command = std::move(command);
  result.lease = std::move(lease);
  co_return result;
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
