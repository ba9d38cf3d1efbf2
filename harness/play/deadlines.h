// The deadlines of a run's waits, kept on one steady_timer. A wait registers a Watch: when to
// give up and what to do then (wake the waiter, close a socket). Most waits end long before
// their deadline and unregister. The timer is re-armed only when a new deadline is earlier
// than the one it is armed for; when it fires and finds nothing due (the wait it was armed for
// ended), it is armed again for the earliest deadline left. Waits mostly follow each other
// with later deadlines, so the kernel timer is set about once per timeout period rather than
// once per wait: bounding a wait costs no system call of its own.
//
// Deadlines is a handle: copies share one timer and one list. Used from the io_context's
// thread only. A Watch must not outlive the io_context.
#ifndef PARLEY_HARNESS_PLAY_DEADLINES_H_
#define PARLEY_HARNESS_PLAY_DEADLINES_H_

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>

namespace parley::harness {

class Deadlines {
 public:
  using Clock = std::chrono::steady_clock;
  using TimePoint = Clock::time_point;

  explicit Deadlines(boost::asio::any_io_executor executor);

  // Calls `on_due` once, when `due` has passed, unless the Watch is destroyed first. `on_due`
  // runs from the io_context (never from inside the constructor) and may destroy other Watches
  // or create new ones, but not destroy its own.
  class Watch {
   public:
    Watch(const Deadlines& deadlines, TimePoint due, std::function<void()> on_due);
    Watch(const Watch&) = delete;
    Watch& operator=(const Watch&) = delete;
    ~Watch();

    // True once `on_due` has been called.
    bool expired() const { return expired_; }

   private:
    friend class Deadlines;
    struct State;
    std::shared_ptr<State> state_;
    std::multimap<TimePoint, Watch*>::iterator entry_;
    std::function<void()> on_due_;
    bool expired_ = false;
  };

  // Stops the timer when no Watch is left, so that it no longer keeps the io_context's run()
  // from returning; the next Watch arms it again. For the end of a run.
  void Disarm();

  // The Watches not yet due or destroyed; for tests.
  std::size_t pending() const;

 private:
  std::shared_ptr<Watch::State> state_;
};

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_PLAY_DEADLINES_H_
