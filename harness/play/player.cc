#include "harness/play/player.h"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "harness/play/expectation.h"
#include "harness/play/tls_play.h"
#include "harness/scenario/generated_values.h"
#include "harness/scenario/payload.h"

namespace parley::harness {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

// The sizes of the pieces a send with a split is written in.
std::vector<std::size_t> Pieces(const SendStep& send, std::size_t total) {
  std::vector<std::size_t> pieces;
  std::size_t left = total;
  for (std::size_t i = 0; left > 0; ++i) {
    std::size_t size =
        i < send.split.size() ? send.split[i] : (send.repeat_last ? send.split.back() : left);
    size = std::min(size, left);
    pieces.push_back(size);
    left -= size;
  }
  if (pieces.empty()) pieces.push_back(0);
  return pieces;
}

}  // namespace

Player::Player(asio::any_io_executor executor, TargetPool* pool, const PlayOptions* options,
               Deadlines deadlines)
    : executor_(executor),
      pool_(pool),
      options_(options),
      deadlines_(std::move(deadlines)),
      sleep_timer_(executor) {}

Player::Player(asio::any_io_executor executor, TargetPool* pool, const PlayOptions* options)
    : Player(executor, pool, options, Deadlines(executor)) {
  own_deadlines_ = true;
}

Duration Player::Scaled(Duration d) const {
  return Duration(
      static_cast<Duration::rep>(static_cast<double>(d.count()) * options_->timeout_scale));
}

void Player::Interrupt() {
  interrupted_ = true;
  for (auto& [name, connection] : connections_)
    connection->Close();
  sleep_timer_.cancel();
}

asio::awaitable<ScenarioResult> Player::Play(const Scenario& scenario, int repeat) {
  scenario_ = &scenario;
  repeat_ = repeat;
  started_ = Clock::now();
  ScenarioResult result;
  result.scenario = &scenario;
  result.repeat = repeat;
  if (!scenario.skip.empty()) {
    result.status = ScenarioResult::Status::kSkipped;
    result.message = scenario.skip;
    co_return result;
  }

  vars_ = Variables([this](const std::string& name) { return ProvidedValue(name); });
  for (const TargetUse& use : scenario.targets) {
    TargetPool::Acquired acquired = co_await pool_->Acquire(use, vars_);
    if (!acquired.skip.empty()) {
      result.status = ScenarioResult::Status::kSkipped;
      result.message = acquired.skip;
      co_await Finish(&result);
      co_return result;
    }
    if (!acquired.lease) {
      result.status = interrupted_ ? ScenarioResult::Status::kInterrupted
                                   : ScenarioResult::Status::kTargetError;
      result.message = acquired.error;
      co_await Finish(&result);
      co_return result;
    }
    leases_.emplace(use.name, std::move(*acquired.lease));
  }
  for (const auto& [name, value] : scenario.vars) {
    std::string error;
    auto rendered = value.Render(vars_, &error);
    if (!rendered) {
      result.status = ScenarioResult::Status::kFailed;
      result.message = "variable " + name + ": " + error;
      co_await Finish(&result);
      co_return result;
    }
    // Command-line values win over the scenario's defaults.
    if (options_->variables.Find(name) == nullptr) vars_.Set(name, *rendered);
  }

  for (const Step& step : scenario.steps) {
    std::string failure;
    current_step_ = &step;
    step_started_ = Clock::now();
    for (int attempt = 0;; ++attempt) {
      failure = co_await RunStep(step);
      if (failure.empty() || interrupted_ || attempt >= step.retries) break;
      for (auto& t : transcripts_)
        t->Note("step at line " + std::to_string(step.where.line) +
                " failed; retrying: " + failure.substr(0, failure.find('\n')));
      co_await Sleep(step.retry_delay);
    }
    retained_.reset();
    current_step_ = nullptr;
    if (interrupted_) {
      result.status = ScenarioResult::Status::kInterrupted;
      result.message = "interrupted";
      result.failed_at = step.where;
      result.failed_file = step.file;
      result.failed_step = step.keyword;
      break;
    }
    std::string dead = DeadTarget();
    if (!failure.empty() && dead.empty()) {
      // A crash often shows first as a closed connection or a silent server while the process
      // is still dying (a sanitizer report takes a while to symbolize): wait as long as a
      // target shows it is dying, and no longer.
      for (auto& [name, lease] : leases_) {
        if (lease.process && may_exit_.count(name) == 0) {
          auto status = co_await lease.process->WaitForExitWhileReporting(
              lease.stderr_mark, Scaled(kDyingQuiet), Scaled(kDyingLinger),
              Clock::now() + Scaled(kDyingLimit));
          if (status) break;
        }
      }
      dead = DeadTarget();
    }
    if (!dead.empty()) failure = failure.empty() ? dead : dead + "\n" + failure;
    if (!failure.empty()) {
      result.status = ScenarioResult::Status::kFailed;
      result.message = failure;
      result.failed_at = step.where;
      result.failed_file = step.file;
      result.failed_step = step.keyword;
      result.failed_connection = CurrentConnection(step);
      break;
    }
  }
  if (options_->drain > Duration(0) && !interrupted_) co_await Drain(&result);
  co_await Finish(&result);
  co_return result;
}

asio::awaitable<void> Player::Drain(ScenarioResult* result) {
  const TimePoint until = Clock::now() + Scaled(options_->drain);
  std::vector<std::shared_ptr<Connection>> draining;
  for (auto& [name, connection] : connections_) {
    if (!Drainable(*connection)) continue;
    connection->ShutdownWrite();
    draining.push_back(connection);
  }
  for (auto& connection : draining)
    co_await WaitForPeerClose(*connection, until);
  result->undrained = undrained_;
}

bool Player::Drainable(Connection& connection) {
  return connection.transport() == Transport::kTcp && !connection.paused() &&
         !connection.closed_by_us() && connection.inbox().open();
}

asio::awaitable<void> Player::WaitForPeerClose(Connection& connection, TimePoint until) {
  Inbox& inbox = connection.inbox();
  for (;;) {
    inbox.Consume(inbox.size());
    if (!inbox.open() || interrupted_) break;
    if (!co_await connection.WaitForChange(until)) break;
  }
  if (inbox.open() && !interrupted_) undrained_ = true;
}

asio::awaitable<std::string> Player::DrainAndClose(const CloseStep& close) {
  auto it = connections_.find(close.on);
  if (it != connections_.end() && Drainable(*it->second)) {
    std::shared_ptr<Connection> connection = it->second;
    connection->ShutdownWrite();
    co_await WaitForPeerClose(*connection, Clock::now() + Scaled(options_->drain));
  }
  co_return Close(close);
}

// scenario.*, then target.* and targets.NAME.* once the target is leased, then the command
// line's --var values (which the scenario's own vars do not override).
std::optional<std::string> Player::ProvidedValue(const std::string& name) const {
  if (name == "scenario.name") return scenario_->name;
  if (name == "scenario.file") return scenario_->file;
  if (name == "scenario.dir") return scenario_->dir.empty() ? "." : scenario_->dir;
  std::string_view target;
  std::string_view field;
  std::string_view rest = name;
  if (rest.starts_with("target.")) {
    target = scenario_->target;
    field = rest.substr(7);
  } else if (rest.starts_with("targets.") && rest.rfind('.') > 7) {
    target = rest.substr(8, rest.rfind('.') - 8);
    field = rest.substr(rest.rfind('.') + 1);
  }
  if (auto lease = leases_.find(target); !field.empty() && lease != leases_.end()) {
    const Endpoint& endpoint = lease->second.endpoint;
    if (field == "name") return lease->first;
    if (field == "host") return endpoint.host;
    if (field == "port") return endpoint.port;
    if (field == "address") {
      if (endpoint.host.find(':') != std::string::npos) {
        return "[" + endpoint.host + "]:" + endpoint.port;
      }
      return endpoint.host + ":" + endpoint.port;
    }
  }
  if (const std::string* value = options_->variables.Find(name)) return *value;
  return GenerateValue(name, repeat_);
}

std::string Player::CurrentConnection(const Step& step) const {
  if (auto* c = std::get_if<ConnectStep>(&step.action)) return c->name;
  if (auto* s = std::get_if<SendStep>(&step.action)) return s->on;
  if (auto* e = std::get_if<ExpectStep>(&step.action)) return e->on;
  if (auto* c = std::get_if<CloseStep>(&step.action)) return c->on;
  if (auto* p = std::get_if<PauseStep>(&step.action)) return p->on;
  if (auto* s = std::get_if<StartTlsStep>(&step.action)) return s->on;
  return "";
}

std::string Player::DeadTarget() {
  for (auto& [name, lease] : leases_) {
    if (!lease.process || may_exit_.count(name) != 0) continue;
    if (auto status = lease.process->Poll()) {
      return "target '" + name + "' exited unexpectedly (" + status->ToString() + ")";
    }
  }
  return "";
}

asio::awaitable<void> Player::Finish(ScenarioResult* result) {
  for (auto& [name, connection] : connections_)
    connection->Close();
  connections_.clear();
  for (auto& [name, lease] : leases_) {
    TargetRecord record;
    record.name = name;
    record.address = lease.endpoint.host + ":" + lease.endpoint.port;
    record.own = lease.own;
    if (lease.own) record.command = lease.command;
    bool expected_exit = may_exit_.count(name) != 0;
    bool already_exited = lease.process && lease.process->Poll().has_value();
    TargetPool::Released released;
    if (lease.process) released = co_await pool_->Release(lease);  // else nothing to release
    record.stderr_text = std::move(released.stderr_text);
    if (released.status) {
      record.ending = released.status->ToString();
      if (lease.own && !already_exited)
        record.ending += released.killed ? " after SIGKILL" : " after SIGTERM";
    }
    if (result->status == ScenarioResult::Status::kPassed && lease.own && !expected_exit) {
      if (released.killed) {
        result->status = ScenarioResult::Status::kFailed;
        result->message = "target '" + name +
                          "' did not exit within its stop_timeout of SIGTERM "
                          "and was killed";
      } else if (released.status && !released.status->clean()) {
        result->status = ScenarioResult::Status::kFailed;
        result->message =
            "target '" + name + "' exited with " + released.status->ToString() + " when stopped";
      }
    }
    if (result->status == ScenarioResult::Status::kPassed && !lease.own && lease.process &&
        released.status) {
      result->status = ScenarioResult::Status::kFailed;
      result->message = "shared target '" + name + "' exited (" + released.status->ToString() +
                        ") while the scenario played";
    }
    result->targets.push_back(std::move(record));
  }
  leases_.clear();
  if (own_deadlines_) deadlines_.Disarm();
  result->transcripts = std::move(transcripts_);
  result->elapsed = Clock::now() - started_;
}

// Not a coroutine itself: it hands over the step's own coroutine, so that a step costs one
// coroutine frame. A step that needs no waiting runs here, at once.
asio::awaitable<std::string> Player::RunStep(const Step& step) {
  if (interrupted_) return Done("interrupted");
  if (auto* c = std::get_if<ConnectStep>(&step.action)) return Connect(step, *c);
  if (auto* s = std::get_if<SendStep>(&step.action)) return Send(step, *s);
  if (auto* e = std::get_if<ExpectStep>(&step.action)) {
    if (e->kind == ExpectStep::Kind::kExit) return ExpectExit(step, *e);
    if (e->kind == ExpectStep::Kind::kTls) return Done(ExpectTls(*e));
    return Expect(step, *e);
  }
  if (auto* c = std::get_if<CloseStep>(&step.action)) {
    // With a drain time, a close lets the peer read to the end first (see PlayOptions::drain).
    if (options_->drain > Duration(0) && c->how == CloseStep::How::kBoth) return DrainAndClose(*c);
    return Done(Close(*c));
  }
  if (auto* s = std::get_if<SleepStep>(&step.action)) return SleepFor(s->duration);
  if (auto* s = std::get_if<SignalStep>(&step.action)) return Done(Signal(*s));
  if (auto* p = std::get_if<PauseStep>(&step.action)) return Done(Pause(*p));
  if (auto* s = std::get_if<StartTlsStep>(&step.action)) return StartTls(step, *s);
  return Done("internal: unknown step");
}

asio::awaitable<std::string> Player::Done(std::string failure) {
  co_return failure;
}

asio::awaitable<std::string> Player::SleepFor(Duration duration) {
  co_await Sleep(duration);
  co_return "";
}

asio::awaitable<std::string> Player::Connect(const Step& step, const ConnectStep& connect) {
  std::string host;
  std::string port;
  std::string error;
  if (connect.address) {
    auto address = connect.address->Render(vars_, &error);
    if (!address) co_return error;
    std::size_t colon = address->rfind(':');
    if (colon == std::string::npos) co_return "address '" + *address + "' is not HOST:PORT";
    host = address->substr(0, colon);
    port = address->substr(colon + 1);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']')
      host = host.substr(1, host.size() - 2);
  } else {
    const TargetPool::Lease& lease = leases_.at(connect.target);
    host = lease.endpoint.host;
    port = lease.endpoint.port;
  }
  // TLS: the connection's own options, else its target's (targets.yaml, --target tls://).
  std::optional<TlsOptions> tls = connect.tls;
  if (!tls && !connect.plain && !connect.address) tls = leases_.at(connect.target).endpoint.tls;
  int n = ++opened_[connect.name];
  auto transcript = std::make_shared<Transcript>(
      n == 1 ? connect.name : connect.name + " (#" + std::to_string(n) + ")", started_);
  transcripts_.push_back(transcript);
  auto connection = std::make_shared<Connection>(executor_, connect.transport, options_->limits,
                                                 transcript, deadlines_);
  const TimePoint deadline = Clock::now() + Scaled(step.timeout);
  bool ok = co_await connection->Connect(host, port, connect.receive_buffer, deadline, &error);
  if (!ok) co_return error;
  connections_[connect.name] = connection;
  if (tls) co_return co_await Handshake(connection, host, *tls, connect.expect_failure, deadline);
  if (connect.expect_failure) {
    co_return "'expect_failure' is about a TLS handshake, and this connection has no TLS";
  }
  co_return "";
}

asio::awaitable<std::string> Player::Handshake(std::shared_ptr<Connection> connection,
                                               const std::string& host, const TlsOptions& tls,
                                               const std::optional<TextMatch>& expect_failure,
                                               TimePoint deadline) {
  std::string error;
  auto config = RenderTlsConfig(tls, host, vars_, &error);
  if (!config) co_return error;
  bool ok = co_await connection->StartTls(*config, deadline, &error);
  co_return JudgeHandshake(ok ? "" : error, expect_failure, connection->tls_summary(), vars_);
}

asio::awaitable<std::string> Player::StartTls(const Step& step, const StartTlsStep& starttls) {
  auto it = connections_.find(starttls.on);
  if (it == connections_.end()) co_return "connection '" + starttls.on + "' is not open";
  co_return co_await Handshake(it->second, it->second->host(), starttls.tls,
                               starttls.expect_failure, Clock::now() + Scaled(step.timeout));
}

std::string Player::ExpectTls(const ExpectStep& expect) {
  auto it = connections_.find(expect.on);
  if (it == connections_.end()) return "connection '" + expect.on + "' is not open";
  return JudgeTls(expect.tls, it->second->tls(), it->second->tls_summary(), vars_);
}

asio::awaitable<std::string> Player::Send(const Step& step, const SendStep& send) {
  auto it = connections_.find(send.on);
  if (it == connections_.end()) co_return "connection '" + send.on + "' is not open";
  std::shared_ptr<Connection> connection = it->second;
  std::string bytes;
  std::string error;
  if (!RenderPayload(send.payload, vars_, &bytes, &error)) co_return error;
  std::vector<std::size_t> pieces;  // empty: all of it at once
  Duration delay = send.delay;
  if (send_hook_) {
    SendStep changed;
    changed.split = send.split;
    changed.repeat_last = send.repeat_last;
    send_hook_(step, &bytes, &changed.split, &delay);
    if (changed.split != send.split) changed.repeat_last = false;
    if (!changed.split.empty()) pieces = Pieces(changed, bytes.size());
  } else if (!send.split.empty()) {
    pieces = Pieces(send, bytes.size());
  }
  if (send.methods) {
    connection->http().Sent(*send.methods);
  } else {
    connection->http().Sent(bytes);
  }
  std::size_t offset = 0;
  for (std::size_t i = 0; i < std::max<std::size_t>(pieces.size(), 1); ++i) {
    if (i > 0 && delay.count() > 0) co_await Sleep(delay);
    if (interrupted_) co_return "interrupted";
    std::size_t size = pieces.empty() ? bytes.size() : pieces[i];
    std::string_view piece = std::string_view(bytes).substr(offset, size);
    bool ok = co_await connection->Send(piece, Clock::now() + Scaled(step.timeout), &error);
    if (!ok) {
      if (send.allow_close) co_return "";
      co_return error + " (after " + std::to_string(offset) + " of " +
          std::to_string(bytes.size()) + " bytes)";
    }
    offset += size;
  }
  co_return "";
}

asio::awaitable<std::string> Player::Expect(const Step& step, const ExpectStep& expect) {
  auto it = connections_.find(expect.on);
  if (it == connections_.end()) co_return "connection '" + expect.on + "' is not open";
  std::shared_ptr<Connection> connection = it->second;
  if (!retained_ || retained_step_ != &step) {
    std::string error;
    retained_ = BindExpectation(expect, vars_, &error);
    if (!retained_) co_return error;
    retained_step_ = &step;
  }
  Expectation* expectation = retained_.get();
  // Silence and `never` pass when their time is up.
  bool silence =
      expect.kind == ExpectStep::Kind::kSilence || expect.kind == ExpectStep::Kind::kNever;
  Duration waited = silence ? expect.silence : Scaled(step.timeout);
  TimePoint deadline = Clock::now() + waited;
  for (;;) {
    Verdict verdict = expectation->Judge(connection->inbox(), connection->http());
    if (verdict.kind == Verdict::Kind::kPass) {
      for (std::size_t i = 0; i < expect.capture.size() && i < verdict.captures.size(); ++i) {
        vars_.Set(expect.capture[i], verdict.captures[i]);
      }
      co_return "";
    }
    if (verdict.kind == Verdict::Kind::kFail) co_return verdict.message;
    if (interrupted_) co_return "interrupted";
    bool changed = co_await connection->WaitForChange(deadline);
    if (!changed && Clock::now() >= deadline) {
      if (silence) co_return "";
      co_return expectation->DescribeTimeout(connection->inbox(), connection->http(), waited);
    }
  }
}

asio::awaitable<std::string> Player::ExpectExit(const Step& step, const ExpectStep& expect) {
  auto it = leases_.find(expect.target);
  if (it == leases_.end() || !it->second.process) {
    co_return "target '" + expect.target + "' is not a process parley started";
  }
  may_exit_.insert(expect.target);
  Duration waited = Scaled(step.timeout);
  auto status = co_await it->second.process->WaitForExit(Clock::now() + waited);
  if (!status) {
    co_return "target '" + expect.target + "' did not exit within " + FormatDuration(waited);
  }
  if (status->signaled || status->code != expect.exit_code) {
    co_return "target '" + expect.target + "' ended with " + status->ToString() +
        " (expected exit code " + std::to_string(expect.exit_code) + ")";
  }
  co_return "";
}

std::string Player::Close(const CloseStep& close) {
  auto it = connections_.find(close.on);
  if (it == connections_.end()) return "connection '" + close.on + "' is not open";
  switch (close.how) {
    case CloseStep::How::kWrite:
      it->second->ShutdownWrite();
      return "";
    case CloseStep::How::kReset:
      it->second->Reset();
      break;
    case CloseStep::How::kBoth:
      it->second->Close();
      break;
  }
  connections_.erase(it);
  return "";
}

std::string Player::Pause(const PauseStep& pause) {
  auto it = connections_.find(pause.on);
  if (it == connections_.end()) return "connection '" + pause.on + "' is not open";
  if (pause.resume) {
    it->second->Resume();
  } else {
    it->second->Pause();
  }
  return "";
}

std::string Player::Signal(const SignalStep& signal) {
  auto it = leases_.find(signal.target);
  if (it == leases_.end() || !it->second.process) {
    return "target '" + signal.target + "' is not a process parley started";
  }
  may_exit_.insert(signal.target);
  if (!it->second.process->Signal(signal.signal)) {
    return "target '" + signal.target + "' has already exited";
  }
  for (auto& t : transcripts_)
    t->Note("sent SIG" + signal.signal_name + " to target '" + signal.target + "'");
  return "";
}

asio::awaitable<void> Player::Sleep(Duration duration) {
  if (interrupted_) co_return;
  sleep_timer_.expires_after(duration);
  boost::system::error_code ec;
  co_await sleep_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

}  // namespace parley::harness
