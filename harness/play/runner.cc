#include "harness/play/runner.h"

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdio>
#include <exception>

namespace parley::harness {

namespace asio = boost::asio;

Runner::Runner(asio::any_io_executor executor, TargetPool* pool, RunOptions options,
               OnResult on_result)
    : executor_(executor),
      pool_(pool),
      options_(std::move(options)),
      on_result_(std::move(on_result)),
      workers_done_(executor, std::chrono::steady_clock::time_point::max()),
      deadlines_(executor) {}

void Runner::Interrupt() {
  interrupted_ = true;
  stop_starting_ = true;
  for (Player* player : active_)
    player->Interrupt();
  pool_->TerminateAll();
}

asio::awaitable<std::vector<ScenarioResult>> Runner::Run(const std::vector<PlannedRun>& plan) {
  results_.assign(plan.size(), ScenarioResult());
  done_.assign(plan.size(), false);
  next_ = 0;
  finished_ = 0;
  int jobs = std::max(1, std::min<int>(options_.jobs, static_cast<int>(plan.size())));
  workers_ = plan.empty() ? 0 : jobs;
  for (int i = 0; i < workers_; ++i) {
    asio::co_spawn(executor_, Worker(&plan), [this](std::exception_ptr e) {
      if (e) {
        // A bug, not a scenario failure: stop cleanly rather than hang.
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& ex) {
          fprintf(stderr, "parley: internal error: %s\n", ex.what());
        } catch (...) {
          fprintf(stderr, "parley: internal error\n");
        }
        stop_starting_ = true;
      }
      if (--workers_ == 0) workers_done_.cancel();
    });
  }
  while (workers_ > 0) {
    boost::system::error_code ec;
    co_await workers_done_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  deadlines_.Disarm();
  co_await pool_->StopShared();
  for (std::size_t i = 0; i < plan.size(); ++i) {
    if (done_[i]) continue;
    ScenarioResult& r = results_[i];
    r.scenario = plan[i].scenario;
    r.repeat = plan[i].repeat;
    r.status =
        interrupted_ ? ScenarioResult::Status::kInterrupted : ScenarioResult::Status::kSkipped;
    r.message = interrupted_ ? "not run: parley was interrupted"
                             : "not run: an earlier scenario failed (--fail-fast)";
  }
  co_return std::move(results_);
}

asio::awaitable<void> Runner::Worker(const std::vector<PlannedRun>* plan) {
  while (!stop_starting_ && next_ < plan->size()) {
    std::size_t index = next_++;
    const PlannedRun& run = (*plan)[index];
    Player player(executor_, pool_, &options_.play, deadlines_);
    active_.push_back(&player);
    ScenarioResult result;
    std::exception_ptr failure;
    try {
      result = co_await player.Play(*run.scenario, run.repeat);
    } catch (...) {
      failure = std::current_exception();
    }
    active_.erase(std::find(active_.begin(), active_.end(), &player));
    if (failure) std::rethrow_exception(failure);
    if (options_.fail_fast && (result.status == ScenarioResult::Status::kFailed ||
                               result.status == ScenarioResult::Status::kTargetError)) {
      stop_starting_ = true;
    }
    results_[index] = std::move(result);
    done_[index] = true;
    ++finished_;
    if (on_result_) on_result_(results_[index], finished_, plan->size());
  }
}

}  // namespace parley::harness
