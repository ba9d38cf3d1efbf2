// A `parley fuzz` campaign: iterations over fuzz points until the time or iteration budget is
// spent or it is interrupted. An iteration picks a point (uniformly, from the seeded random
// source), plays its scenario with the point's send mutated (Mutator), and judges three
// oracles:
//   death      a target parley started exited (seen during the iteration, or by the liveness
//              check right after it); its stderr names the finding (CrashReport);
//   liveness   after an iteration a fresh TCP connection must be accepted and, with a
//              health scenario, that scenario must pass, within the probe timeout: else a hang
//              (every probe_every-th iteration, and after any that failed past the mutation);
//   invariant  an expectation marked `invariant: true` after the mutated send failed.
// A prefix that fails (the state before the mutation was not reached) is counted and followed
// by the liveness check (a target broken by the previous input shows this way).
// With coverage maps (grey-box), each point keeps a queue of the inputs that showed new
// coverage, and most mutations start from one of them instead of the seed's bytes; the seeds
// are played once first (calibration) so that their own coverage is not taken for new. As in
// AFL, the queue's *favored* inputs are, for each edge, the shortest input that reached it;
// nine bases in ten are drawn from them, so the queue's noise (inputs that only changed a
// loop's hit count) does not drown the inputs that opened a new branch. Findings are de-duplicated
// by signature and written at once (finding.h); the shared targets are restarted when they die
// (TargetPool), and the campaign stops when they die in every one of `most_deaths_in_a_row`
// iterations in a row.
//
// Used from the io_context's thread only; `pool` must outlive it.
#ifndef PARLEY_HARNESS_NETFUZZ_CAMPAIGN_H_
#define PARLEY_HARNESS_NETFUZZ_CAMPAIGN_H_

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "harness/netfuzz/coverage.h"
#include "harness/netfuzz/finding.h"
#include "harness/netfuzz/finding_book.h"
#include "harness/netfuzz/fuzz_plan.h"
#include "harness/netfuzz/mutator.h"
#include "harness/play/player.h"
#include "harness/play/target_pool.h"

namespace parley::harness {

struct CampaignOptions {
  Duration time{60000};
  std::uint64_t max_iterations = 0;  // 0: only the time bounds it
  std::size_t max_findings = 0;      // stop once the book holds this many (0: no bound)
  bool log_status = true;            // a status line every 5 s (off for --jobs workers)
  std::string out;                   // findings are written under it
  Mutator::Options mutator;
  std::vector<std::string> dictionary;
  const Scenario* health = nullptr;  // the liveness check of every target, when set
  // Else the check of the points whose target has one here (targets.yaml `health:`).
  std::map<std::string, const Scenario*> target_health;
  Duration probe_timeout{2000};  // for the liveness check
  // The liveness check runs after every probe_every-th iteration, and after any iteration in
  // which a step failed after the mutated send; the others only look whether the target
  // processes still run (a system call, not a connection).
  int probe_every = 1;
  int most_deaths_in_a_row = 10;
  PlayOptions play;
  std::uint64_t first_iteration = 0;  // a resumed campaign goes on counting from here
  CoverageMaps* coverage = nullptr;   // grey-box when set and active
  std::size_t most_queued = 1024;     // per fuzz point; no more are queued then
};

struct CampaignStats {
  std::uint64_t iterations = 0;
  std::uint64_t prefix_failures = 0;  // the state before the mutation was not reached
  std::uint64_t deaths = 0;           // iterations after which a target had died
  std::uint64_t hangs = 0;
  std::uint64_t invariant_failures = 0;
  std::uint64_t replays = 0;  // plays made to minimize crashes (not counted as iterations)
  std::chrono::steady_clock::duration elapsed{0};
  std::string stop_reason;  // "time", "iterations", "findings", "interrupted", or why it gave up
  bool gave_up = false;     // stopped for a reason other than its budget or an interrupt
  std::map<std::string, std::uint64_t> per_point;  // iterations by point label
  // Grey-box: edges seen, and inputs queued for showing new coverage.
  std::size_t edges = 0;
  std::uint64_t queued = 0;
  std::vector<std::pair<double, std::size_t>> edges_over_time;  // (seconds, edges)
  // Iterations whose connection the target had not closed when the drain time ran out.
  std::uint64_t undrained = 0;
};

class Campaign {
 public:
  using Log = std::function<void(const std::string&)>;

  // `book` receives the findings; the workers of one campaign (--jobs) share it.
  Campaign(boost::asio::any_io_executor executor, TargetPool* pool, std::vector<FuzzPoint> points,
           CampaignOptions options, FindingBook* book, Log log);
  Campaign(const Campaign&) = delete;
  Campaign& operator=(const Campaign&) = delete;

  boost::asio::awaitable<void> Run();
  void Interrupt();

  const CampaignStats& stats() const { return stats_; }
  const std::vector<FuzzPoint>& points() const { return points_; }
  // The inputs point `index` (of points()) queued for new coverage.
  const std::vector<FuzzInput>& queue(std::size_t index) const { return queues_[index].inputs; }
  // Puts an input of an earlier run back into point `index`'s queue (a resumed campaign).
  void Requeue(std::size_t index, FuzzInput input);

 private:
  struct Outcome {
    bool prefix_failed = false;
    bool target_died = false;
    std::string message;
    std::size_t failed_step = 0;
  };

  boost::asio::awaitable<void> Iterate(FuzzPoint& point);
  // Plays each point's seed once unmutated and merges its coverage.
  boost::asio::awaitable<void> Calibrate();
  // After an iteration without a finding: merges the coverage and queues `input` when it showed
  // new coverage (and was sent).
  void NoteCoverage(const FuzzPoint& point, bool mutated, const FuzzInput& input);
  // The names of the targets parley started for this point, with their processes.
  std::vector<std::pair<std::string, std::shared_ptr<ChildProcess>>> Processes(
      const FuzzPoint& point) const;
  // The health scenario of `point`'s target, or nullptr for a bare connect.
  const Scenario* HealthOf(const FuzzPoint& point) const;
  boost::asio::awaitable<std::string> CheckLiveness(const FuzzPoint& point,
                                                    const ScenarioResult& result);
  // Saves a finding, or counts a hit on the one with its signature. A new crash is minimized
  // first.
  boost::asio::awaitable<void> Record(Finding finding);
  // Shrinks f->input while replaying it still kills the target with the same signature
  // (bounded by kMostReplays replays); counts the replays in the stats.
  boost::asio::awaitable<void> Minimize(Finding* f);
  // Plays `point` once with `input` in place of its send; the crash signature when a target
  // parley started died, else empty.
  boost::asio::awaitable<std::string> Replay(const FuzzPoint& point, const FuzzInput& input);
  // What killed the target: its stderr since `marks` and how it ended.
  boost::asio::awaitable<CrashReport> DeathReport(const FuzzPoint& point,
                                                  std::map<std::string, std::size_t>& marks,
                                                  const ScenarioResult& result);

  boost::asio::any_io_executor executor_;
  TargetPool* pool_;
  std::vector<FuzzPoint> points_;
  CampaignOptions options_;
  Log log_;
  Mutator mutator_;
  CampaignStats stats_;
  FindingBook* book_;
  struct Queue {
    std::vector<FuzzInput> inputs;
    std::map<std::uint32_t, std::size_t> best;  // edge -> the shortest input that reached it
    std::vector<std::size_t> favored;           // the inputs named in `best`
    void Add(FuzzInput input, const std::vector<std::uint32_t>& trace);
    // A base for the next mutation, or nullptr for the seed's own bytes.
    const FuzzInput* Pick(std::mt19937_64& random) const;
  };
  std::vector<Queue> queues_;
  // The previous iteration's point and input: a target found dead before this iteration's
  // mutated send was most likely killed by them.
  struct Last {
    FuzzPoint* point = nullptr;
    FuzzInput input;
    std::string mutations;
    // Stderr bytes of each process before that iteration: a target that died of it wrote its
    // report before this iteration began.
    std::map<std::string, std::size_t> marks;
  };
  Last last_;
  Player* playing_ = nullptr;
  bool interrupted_ = false;
  int deaths_in_a_row_ = 0;
  std::chrono::steady_clock::time_point started_;
};

// The stats of a campaign's workers as one: counts added, the longest elapsed time, the first
// reason to give up (else the first worker's stop reason), and the coverage of the worker that
// saw the most edges (each worker has its own targets and maps).
CampaignStats MergeStats(const std::vector<const Campaign*>& workers);

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_NETFUZZ_CAMPAIGN_H_
