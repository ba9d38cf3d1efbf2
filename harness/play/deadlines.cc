#include "harness/play/deadlines.h"

#include <optional>

namespace parley::harness {

struct Deadlines::Watch::State {
  explicit State(boost::asio::any_io_executor executor) : timer(executor) {}

  // Arms the timer for the earliest deadline, unless it is armed for that or earlier already.
  void Arm(const std::shared_ptr<State>& self) {
    if (watches.empty()) return;
    TimePoint earliest = watches.begin()->first;
    if (armed && *armed <= earliest) return;
    armed = earliest;
    timer.expires_at(earliest);
    std::weak_ptr<State> weak = self;
    timer.async_wait([weak, generation = ++generation](const boost::system::error_code& ec) {
      // A cancelled wait was re-armed or destroyed; a stale one lost to a newer arming.
      if (ec) return;
      auto state = weak.lock();
      if (!state || generation != state->generation) return;
      state->armed.reset();
      state->Fire(state);
    });
  }

  void Fire(const std::shared_ptr<State>& self) {
    TimePoint now = Clock::now();
    while (!watches.empty() && watches.begin()->first <= now) {
      Watch* watch = watches.begin()->second;
      watches.erase(watches.begin());
      watch->expired_ = true;
      std::function<void()> on_due = std::move(watch->on_due_);
      on_due();
    }
    Arm(self);
  }

  boost::asio::steady_timer timer;
  std::multimap<TimePoint, Watch*> watches;
  std::optional<TimePoint> armed;  // the expiry of the timer's pending wait
  unsigned generation = 0;
};

Deadlines::Deadlines(boost::asio::any_io_executor executor)
    : state_(std::make_shared<Watch::State>(executor)) {}

void Deadlines::Disarm() {
  if (!state_->watches.empty() || !state_->armed) return;
  state_->armed.reset();
  ++state_->generation;
  state_->timer.cancel();
}

std::size_t Deadlines::pending() const {
  return state_->watches.size();
}

Deadlines::Watch::Watch(const Deadlines& deadlines, TimePoint due, std::function<void()> on_due)
    : state_(deadlines.state_), on_due_(std::move(on_due)) {
  entry_ = state_->watches.emplace(due, this);
  state_->Arm(state_);
}

Deadlines::Watch::~Watch() {
  // The timer stays armed: if nothing else is due by then, it finds nothing and re-arms.
  if (!expired_) state_->watches.erase(entry_);
}

}  // namespace parley::harness
