#include "harness/netfuzz/campaign.h"

#include <signal.h>

#include <algorithm>
#include <cstdio>

#include "harness/scenario/payload.h"

namespace parley::harness {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

double Seconds(Clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

// A scenario that only opens a connection to `target` and closes it: the default liveness
// check (the kernel completes a TCP handshake only while the process holds its socket).
Scenario ProbeScenario(const std::string& target, Duration timeout) {
  Scenario s;
  s.name = "liveness probe of " + target;
  s.file = "(liveness probe)";
  s.target = target;
  s.targets.push_back(TargetUse{target, {}, false, {}});
  s.timeout = timeout;
  Step connect;
  connect.keyword = "connect";
  connect.timeout = timeout;
  ConnectStep probe;
  probe.name = "fuzz_probe";
  probe.target = target;
  connect.action = probe;
  s.steps.push_back(connect);
  Step close;
  close.keyword = "close";
  close.timeout = timeout;
  close.action = CloseStep{"fuzz_probe", CloseStep::How::kBoth};
  s.steps.push_back(close);
  return s;
}

// What splicing takes pieces of: the payloads of the fuzz points as written (those that need
// no variable to render).
std::vector<std::string> Splices(const std::vector<FuzzPoint>& points) {
  std::vector<std::string> splices;
  for (const FuzzPoint& p : points) {
    std::string bytes;
    std::string error;
    const auto& send = std::get<SendStep>(p.mutated().action);
    if (RenderPayload(send.payload, Variables(), &bytes, &error) && !bytes.empty()) {
      splices.push_back(std::move(bytes));
    }
  }
  return splices;
}

// How long a replay waits for a target to die after the bytes were sent and the probe played.
constexpr auto kDyingTime = std::chrono::milliseconds(100);

std::string FirstLine(const std::string& text) {
  return text.substr(0, text.find('\n'));
}

}  // namespace

Campaign::Campaign(asio::any_io_executor executor, TargetPool* pool, std::vector<FuzzPoint> points,
                   CampaignOptions options, FindingBook* book, Log log)
    : executor_(executor),
      pool_(pool),
      points_(std::move(points)),
      options_(std::move(options)),
      log_(std::move(log)),
      mutator_(options_.mutator, options_.dictionary, Splices(points_)),
      book_(book),
      queues_(points_.size()) {}

void Campaign::Requeue(std::size_t index, FuzzInput input) {
  // Its edges are not known until it is played again: it is favored for none.
  if (index < queues_.size() && queues_[index].inputs.size() < options_.most_queued)
    queues_[index].Add(std::move(input), {});
}

void Campaign::Queue::Add(FuzzInput input, const std::vector<std::uint32_t>& trace) {
  const std::size_t index = inputs.size();
  inputs.push_back(std::move(input));
  bool changed = false;
  for (std::uint32_t edge : trace) {
    auto [it, fresh] = best.emplace(edge, index);
    if (!fresh && inputs[it->second].bytes.size() > inputs[index].bytes.size()) {
      it->second = index;
      changed = true;
    }
    changed = changed || fresh;
  }
  if (!changed) return;
  favored.clear();
  std::vector<bool> named(inputs.size(), false);
  for (const auto& [edge, i] : best) {
    if (!named[i]) favored.push_back(i);
    named[i] = true;
  }
}

const FuzzInput* Campaign::Queue::Pick(std::mt19937_64& random) const {
  if (inputs.empty() || random() % 4 == 0) return nullptr;
  if (!favored.empty() && random() % 10 != 0) return &inputs[favored[random() % favored.size()]];
  return &inputs[random() % inputs.size()];
}

void Campaign::Interrupt() {
  interrupted_ = true;
  if (playing_ != nullptr) playing_->Interrupt();
}

std::vector<std::pair<std::string, std::shared_ptr<ChildProcess>>> Campaign::Processes(
    const FuzzPoint& point) const {
  std::vector<std::pair<std::string, std::shared_ptr<ChildProcess>>> out;
  for (const TargetUse& use : point.played.targets) {
    if (auto process = pool_->SharedProcess(use.name)) out.emplace_back(use.name, process);
  }
  return out;
}

asio::awaitable<void> Campaign::Run() {
  started_ = Clock::now();
  const Clock::time_point deadline = started_ + options_.time;
  Clock::time_point next_log = started_ + std::chrono::seconds(5);
  stats_.stop_reason = "time";
  if (points_.empty()) {
    stats_.stop_reason = "no send step may be mutated";
    stats_.gave_up = true;
    co_return;
  }
  if (options_.coverage != nullptr) co_await Calibrate();
  while (!interrupted_ && !stats_.gave_up) {
    const Clock::time_point now = Clock::now();
    if (now >= deadline) break;
    if (options_.max_iterations != 0 && stats_.iterations >= options_.max_iterations) {
      stats_.stop_reason = "iterations";
      break;
    }
    if (options_.max_findings != 0 && book_->size() >= options_.max_findings) {
      stats_.stop_reason = "findings";
      break;
    }
    if (options_.log_status && now >= next_log) {
      next_log = now + std::chrono::seconds(5);
      const double s = Seconds(now - started_);
      char line[200];
      std::snprintf(line, sizeof(line),
                    "%.0f s: %llu iterations (%.0f/s), %zu finding%s, %llu prefix failure%s", s,
                    static_cast<unsigned long long>(stats_.iterations), stats_.iterations / s,
                    book_->size(), book_->size() == 1 ? "" : "s",
                    static_cast<unsigned long long>(stats_.prefix_failures),
                    stats_.prefix_failures == 1 ? "" : "s");
      std::string text = line;
      if (options_.coverage != nullptr && options_.coverage->active()) {
        text += ", " + std::to_string(stats_.edges) + " edges, " + std::to_string(stats_.queued) +
                " queued";
      }
      log_(text);
    }
    FuzzPoint& point = points_[mutator_.random()() % points_.size()];
    co_await Iterate(point);
  }
  if (interrupted_) stats_.stop_reason = "interrupted";
  stats_.elapsed = Clock::now() - started_;
}

asio::awaitable<void> Campaign::Iterate(FuzzPoint& point) {
  std::map<std::string, std::size_t> marks;  // stderr bytes of each process before the iteration
  for (const auto& [name, process] : Processes(point))
    marks[name] = process->stderr_total();

  Player player(executor_, pool_, &options_.play);
  FuzzInput sent;
  std::string applied;
  bool mutated = false;
  const Step* mutated_step = &point.mutated();
  player.SetSendHook(
      [&](const Step& step, std::string* bytes, std::vector<std::size_t>* split, Duration* delay) {
        if (&step != mutated_step) return;
        FuzzInput base{*bytes, *split, *delay};
        // Grey-box: most mutations start from an input that showed new coverage.
        const Queue& queue = queues_[static_cast<std::size_t>(&point - points_.data())];
        if (const FuzzInput* queued = queue.Pick(mutator_.random())) base = *queued;
        sent = mutator_.Mutate(base, &applied);
        BoundDelayedPieces(std::get<SendStep>(step.action), &sent);
        *bytes = sent.bytes;
        *split = sent.split;
        *delay = sent.delay;
        mutated = true;
      });
  playing_ = &player;
  if (options_.coverage != nullptr) options_.coverage->Clear();
  ScenarioResult result = co_await player.Play(point.played, 0);
  playing_ = nullptr;
  if (interrupted_) co_return;
  ++stats_.iterations;
  if (result.undrained && stats_.undrained++ == 0) {
    log_(
        "the target had not closed the connection when the drain time ran out (--drain): it "
        "may keep connections open after the client's end, which costs that time on each "
        "iteration");
  }
  ++stats_.per_point[point.label];

  if (result.status == ScenarioResult::Status::kTargetError) {
    stats_.gave_up = true;
    stats_.stop_reason = "a target could not be started: " + result.message;
    co_return;
  }
  const bool failed = result.status == ScenarioResult::Status::kFailed;
  bool died = failed && result.message.find("exited unexpectedly") != std::string::npos;
  std::size_t failed_step =
      failed && result.failed_at ? point.StepAt(*result.failed_at) : point.played.steps.size();
  std::string message = result.message;
  FuzzPoint* culprit = &point;
  if (!mutated) {
    // The iteration failed before its mutated send. A target that died or stopped answering
    // then was most likely broken by the previous iteration's input (a hang often shows only
    // once the target has read that input, after the liveness check was served).
    if (!died) {
      if (failed) ++stats_.prefix_failures;
      if (!failed || last_.point == nullptr) co_return;
    } else if (last_.point == nullptr) {  // a seed's prefix kills it, before any mutation
      stats_.gave_up = true;
      stats_.stop_reason = "the target died before the first mutated send: " + FirstLine(message);
      co_return;
    }
    culprit = last_.point;
    sent = last_.input;
    applied = last_.mutations;
    for (const auto& [name, mark] : last_.marks) {
      if (marks.count(name) != 0) marks[name] = std::min(marks[name], mark);
    }
    message = "found at the start of the next iteration:\n" + message;
  } else {
    last_ = Last{&point, sent, applied, marks};
  }
  if (mutated && !died && failed && failed_step > point.at &&
      failed_step < point.played.steps.size()) {
    auto* expect = std::get_if<ExpectStep>(&point.played.steps[failed_step].action);
    if (expect != nullptr && expect->invariant) {
      ++stats_.invariant_failures;
      Finding f;
      f.kind = Finding::Kind::kInvariant;
      const SourcePosition& w = point.played.steps[failed_step].where;
      f.signature = "invariant | " + point.seed->file + ":" + std::to_string(w.line);
      f.message = message;
      f.point = &point;
      f.input = sent;
      f.failed_step = failed_step;
      f.mutations = applied;
      co_await Record(std::move(f));
    }
  }
  bool hung = false;
  const bool probe = failed || options_.probe_every <= 1 ||
                     stats_.iterations % static_cast<std::uint64_t>(options_.probe_every) == 0;
  if (!died && !probe) {
    for (const auto& [name, process] : Processes(point)) {
      if (!process->running()) {
        died = true;
        message = "target '" + name + "' exited after the iteration";
      }
    }
  }
  if (!died && probe) {
    std::string liveness = co_await CheckLiveness(point, result);
    if (interrupted_) co_return;
    if (!liveness.empty()) {
      message = mutated ? liveness : message + "\n" + liveness;
      died = false;
      for (const auto& [name, process] : Processes(point))
        died = died || !process->running();
      hung = !died;
    }
  }
  if (!died && !hung) {
    deaths_in_a_row_ = 0;
    NoteCoverage(point, mutated, sent);
    co_return;
  }
  Finding f;
  f.point = culprit;
  f.input = sent;
  f.mutations = applied;
  f.message = message;
  if (hung) {
    ++stats_.hangs;
    f.kind = Finding::Kind::kHang;
    f.signature = "hang | " + culprit->label;
    f.health = HealthOf(*culprit);
    // A hung target serves no further iteration: stop it, so that the next one starts another.
    for (const auto& [name, process] : Processes(point)) {
      process->Signal(SIGKILL);
      co_await process->WaitForExit(Clock::now() + std::chrono::seconds(2));
    }
  } else {
    ++stats_.deaths;
    f.kind = Finding::Kind::kDeath;
    f.crash = co_await DeathReport(point, marks, result);
    f.signature = f.crash.Signature();
    if (++deaths_in_a_row_ >= options_.most_deaths_in_a_row) {
      stats_.gave_up = true;
      stats_.stop_reason = "the target died after each of the last " +
                           std::to_string(deaths_in_a_row_) +
                           " iterations (a seed alone may kill it: play the suite with parley "
                           "run); the last: " +
                           FirstLine(f.crash.kind);
    }
  }
  co_await Record(std::move(f));
}

asio::awaitable<void> Campaign::Calibrate() {
  for (FuzzPoint& point : points_) {
    if (interrupted_) co_return;
    Player player(executor_, pool_, &options_.play);
    playing_ = &player;
    options_.coverage->Clear();
    ScenarioResult result = co_await player.Play(point.played, 0);
    playing_ = nullptr;
    ++stats_.replays;
    if (result.status == ScenarioResult::Status::kTargetError) co_return;  // Run says why
    // Black-box after all (no target started with instrumentation): nothing to calibrate, and
    // playing every seed first would only delay the first mutation.
    if (!options_.coverage->active()) co_return;
    options_.coverage->Merge();
  }
  stats_.edges = options_.coverage->edges();
  if (options_.coverage->active())
    stats_.edges_over_time.emplace_back(Seconds(Clock::now() - started_), stats_.edges);
}

void Campaign::NoteCoverage(const FuzzPoint& point, bool mutated, const FuzzInput& input) {
  if (options_.coverage == nullptr || !options_.coverage->Merge()) return;
  stats_.edges = options_.coverage->edges();
  const double now = Seconds(Clock::now() - started_);
  // One sample per tenth of a second is plenty for a chart.
  if (!stats_.edges_over_time.empty() && now - stats_.edges_over_time.back().first < 0.1) {
    stats_.edges_over_time.back().second = stats_.edges;
  } else {
    stats_.edges_over_time.emplace_back(now, stats_.edges);
  }
  if (!mutated) return;
  Queue& queue = queues_[static_cast<std::size_t>(&point - points_.data())];
  if (queue.inputs.size() >= options_.most_queued) return;
  queue.Add(input, options_.coverage->trace());
  ++stats_.queued;
}

asio::awaitable<CrashReport> Campaign::DeathReport(const FuzzPoint& point,
                                                   std::map<std::string, std::size_t>& marks,
                                                   const ScenarioResult& result) {
  std::string stderr_text;
  std::string ending;
  for (const auto& [name, process] : Processes(point)) {
    if (process->running()) continue;
    co_await process->WaitForOutputs(Clock::now() + std::chrono::seconds(2));
    stderr_text += process->StderrSince(marks.count(name) ? marks[name] : 0);
    if (auto status = process->Poll()) ending = status->ToString();
  }
  for (const TargetRecord& record : result.targets) {
    if (stderr_text.empty()) stderr_text = record.stderr_text;
  }
  co_return ClassifyCrash(stderr_text, ending);
}

asio::awaitable<std::string> Campaign::Replay(const FuzzPoint& point, const FuzzInput& input) {
  std::map<std::string, std::size_t> marks;
  for (const auto& [name, process] : Processes(point))
    marks[name] = process->stderr_total();
  Player player(executor_, pool_, &options_.play);
  const Step* mutated_step = &point.mutated();
  bool sent = false;
  player.SetSendHook(
      [&](const Step& step, std::string* bytes, std::vector<std::size_t>* split, Duration* delay) {
        if (&step != mutated_step) return;
        *bytes = input.bytes;
        *split = input.split;
        *delay = input.delay;
        sent = true;
      });
  playing_ = &player;
  ScenarioResult result = co_await player.Play(point.played, 0);
  playing_ = nullptr;
  ++stats_.replays;
  if (interrupted_ || !sent) co_return "";
  bool died = result.message.find("exited unexpectedly") != std::string::npos;
  if (!died) {
    // The probe may be served while the process is still on its way out: give it a moment.
    co_await CheckLiveness(point, result);
    for (const auto& [name, process] : Processes(point)) {
      if (!died) died = (co_await process->WaitForExit(Clock::now() + kDyingTime)).has_value();
    }
  }
  if (!died) co_return "";
  co_return (co_await DeathReport(point, marks, result)).Signature();
}

asio::awaitable<void> Campaign::Minimize(Finding* f) {
  constexpr int kMostReplays = 64;
  int replays = 0;
  FuzzInput best = f->input;
  // First without the split (one write is simpler to read), then ever smaller cuts.
  if (!best.split.empty()) {
    FuzzInput whole{best.bytes, {}, Duration(0)};
    ++replays;
    if (co_await Replay(*f->point, whole) == f->signature) best = whole;
  }
  for (std::size_t cut = best.bytes.size() / 2; cut > 0 && replays < kMostReplays && !interrupted_;
       cut /= 2) {
    for (std::size_t at = 0; at < best.bytes.size() && replays < kMostReplays && !interrupted_;) {
      FuzzInput smaller = best;
      smaller.bytes.erase(at, cut);
      smaller.split.clear();
      smaller.delay = Duration(0);
      if (smaller.bytes.empty()) break;
      ++replays;
      if (co_await Replay(*f->point, smaller) == f->signature) {
        best = smaller;  // try the same place again
      } else {
        at += cut;
      }
    }
  }
  if (best.bytes.size() < f->input.bytes.size() || best.split.size() < f->input.split.size()) {
    f->message += "\n(minimized from " + std::to_string(f->input.bytes.size()) + " to " +
                  std::to_string(best.bytes.size()) + " bytes in " + std::to_string(replays) +
                  " replays)";
    f->input = best;
  }
}

const Scenario* Campaign::HealthOf(const FuzzPoint& point) const {
  if (options_.health != nullptr) return options_.health;
  auto it = options_.target_health.find(point.target);
  return it == options_.target_health.end() ? nullptr : it->second;
}

asio::awaitable<std::string> Campaign::CheckLiveness(const FuzzPoint& point,
                                                     const ScenarioResult&) {
  for (const auto& [name, process] : Processes(point)) {
    if (!process->running()) co_return "target '" + name + "' exited";
  }
  // A target started afresh for each iteration (`shared: false`) has nothing left to check.
  if (point.target.empty() || !pool_->Persists(point.target)) co_return "";
  const Scenario* health = HealthOf(point);
  Scenario probe =
      health != nullptr ? *health : ProbeScenario(point.target, options_.probe_timeout);
  Player player(executor_, pool_, &options_.play);
  playing_ = &player;
  ScenarioResult result = co_await player.Play(probe, 0);
  playing_ = nullptr;
  if (result.passed() || interrupted_) co_return "";
  // A refused probe often means the process is on its way out (a sanitizer report takes a
  // while): give it a moment to show as an exit.
  for (const auto& [name, process] : Processes(point)) {
    co_await process->WaitForExit(Clock::now() + std::chrono::seconds(1));
  }
  co_return "the liveness check failed after the iteration: " + result.message;
}

asio::awaitable<void> Campaign::Record(Finding finding) {
  finding.id = FindingId(finding.signature);
  finding.iteration = options_.first_iteration + stats_.iterations;
  finding.seconds = Seconds(Clock::now() - started_);
  if (!book_->Claim(finding.signature)) co_return;
  log_(std::string("new ") + KindName(finding.kind) + " " + finding.id + " at " +
       finding.point->label + ": " + FirstLine(finding.signature));
  if (finding.kind == Finding::Kind::kDeath) co_await Minimize(&finding);
  std::string error;
  if (!options_.out.empty() && !WriteFinding(finding, options_.out, &error)) {
    book_->AddWriteError(error);
    log_("cannot save finding " + finding.id + ": " + error);
  }
  book_->Add(std::move(finding));
}

CampaignStats MergeStats(const std::vector<const Campaign*>& workers) {
  CampaignStats merged;
  const CampaignStats* most_edges = nullptr;
  for (const Campaign* worker : workers) {
    const CampaignStats& s = worker->stats();
    merged.iterations += s.iterations;
    merged.prefix_failures += s.prefix_failures;
    merged.deaths += s.deaths;
    merged.hangs += s.hangs;
    merged.invariant_failures += s.invariant_failures;
    merged.replays += s.replays;
    merged.queued += s.queued;
    merged.undrained += s.undrained;
    merged.elapsed = std::max(merged.elapsed, s.elapsed);
    for (const auto& [label, n] : s.per_point)
      merged.per_point[label] += n;
    if (s.gave_up && !merged.gave_up) {
      merged.gave_up = true;
      merged.stop_reason = s.stop_reason;
    }
    if (merged.stop_reason.empty()) merged.stop_reason = s.stop_reason;
    if (most_edges == nullptr || s.edges > most_edges->edges) most_edges = &s;
  }
  if (most_edges != nullptr) {
    merged.edges = most_edges->edges;
    merged.edges_over_time = most_edges->edges_over_time;
  }
  return merged;
}

}  // namespace parley::harness
