// Plays a planned list of scenarios, `jobs` at a time, as coroutines on one io_context
// thread, and collects their results in plan order. Fail-fast stops starting new scenarios
// after the first failure; Interrupt() ends the running ones at once and stops the targets.
#ifndef PARLEY_HARNESS_PLAY_RUNNER_H_
#define PARLEY_HARNESS_PLAY_RUNNER_H_

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <vector>

#include "harness/play/deadlines.h"
#include "harness/play/player.h"
#include "harness/play/result.h"
#include "harness/play/target_pool.h"
#include "harness/scenario/plan.h"

namespace parley::harness {

struct RunOptions {
  int jobs = 1;
  bool fail_fast = false;
  PlayOptions play;
};

class Runner {
 public:
  // Called as each scenario finishes, with the count finished so far.
  using OnResult = std::function<void(const ScenarioResult&, std::size_t done, std::size_t total)>;

  Runner(boost::asio::any_io_executor executor, TargetPool* pool, RunOptions options,
         OnResult on_result);
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  // Plays `plan` and then stops the shared targets. Scenarios not started (fail-fast, an
  // interrupt) are reported as skipped or interrupted. `plan` must outlive the call. A runner
  // may play several plans, one after the other (--rerun-failed plays the failures again).
  boost::asio::awaitable<std::vector<ScenarioResult>> Run(const std::vector<PlannedRun>& plan);

  void Interrupt();
  bool interrupted() const { return interrupted_; }

  // The players at work now (at most `jobs`), for a progress line. Valid until the next
  // suspension of the io_context's thread.
  const std::vector<Player*>& active() const { return active_; }

 private:
  boost::asio::awaitable<void> Worker(const std::vector<PlannedRun>* plan);

  boost::asio::any_io_executor executor_;
  TargetPool* pool_;
  RunOptions options_;
  OnResult on_result_;
  std::vector<ScenarioResult> results_;
  std::vector<bool> done_;
  std::size_t next_ = 0;
  std::size_t finished_ = 0;
  int workers_ = 0;
  bool stop_starting_ = false;
  bool interrupted_ = false;
  std::vector<Player*> active_;  // at most `jobs`
  boost::asio::steady_timer workers_done_;
  Deadlines deadlines_;  // one timer bounds the waits of every scenario
};

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_PLAY_RUNNER_H_
