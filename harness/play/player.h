// Plays one scenario: acquires its targets, runs its steps in order over named connections,
// each wait bounded by the step's timeout (times --timeout-scale), and returns a
// ScenarioResult with the first failure, the connections' transcripts and what the targets
// wrote to stderr. A target that dies while the scenario plays fails it; a target started for
// this scenario alone is stopped at the end and must exit cleanly.
//
// One Player plays one scenario once. Used from the io_context's thread only; `pool` must
// outlive it.
#ifndef PARLEY_HARNESS_PLAY_PLAYER_H_
#define PARLEY_HARNESS_PLAY_PLAYER_H_

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "harness/play/connection.h"
#include "harness/play/deadlines.h"
#include "harness/play/expectation.h"
#include "harness/play/result.h"
#include "harness/play/target_pool.h"
#include "harness/scenario/scenario.h"
#include "harness/scenario/template.h"

namespace parley::harness {

struct PlayOptions {
  double timeout_scale = 1.0;
  Connection::Limits limits;
  Variables variables;  // from the command line (--var)
  // When positive, a scenario that ran to its end half-closes each TCP connection still open
  // and waits up to this long (times timeout_scale) for the peer to close it, discarding what
  // arrives: once the peer closed, it has read everything the scenario sent (`parley fuzz`
  // uses it to know the target has handled an input before judging or measuring it). A
  // `close` step (both ways) does the same for its connection before it closes it.
  Duration drain{0};
};

class Player {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  // `deadlines` bounds the scenario's waits; a runner shares one among its players.
  Player(boost::asio::any_io_executor executor, TargetPool* pool, const PlayOptions* options,
         Deadlines deadlines);
  Player(boost::asio::any_io_executor executor, TargetPool* pool, const PlayOptions* options);
  Player(const Player&) = delete;
  Player& operator=(const Player&) = delete;

  boost::asio::awaitable<ScenarioResult> Play(const Scenario& scenario, int repeat);

  // Ends the scenario as soon as possible: closes its connections and wakes its waits.
  void Interrupt();

  // What the player is doing, for a progress line: its scenario (null before Play), the step
  // being played (null between steps) and when the scenario and the step began.
  const Scenario* scenario() const { return scenario_; }
  const Step* current_step() const { return current_step_; }
  TimePoint started() const { return started_; }
  TimePoint step_started() const { return step_started_; }

  // Lets `parley fuzz` change what a send step writes: called with the step, the bytes it
  // rendered, and its split (sizes of the first pieces, the rest last) and delay, before
  // anything is written; it may change all three. Set before Play.
  using SendHook = std::function<void(const Step& step, std::string* bytes,
                                      std::vector<std::size_t>* split, Duration* delay)>;
  void SetSendHook(SendHook hook) { send_hook_ = std::move(hook); }

 private:
  // Each returns an empty string on success, or what went wrong.
  boost::asio::awaitable<std::string> RunStep(const Step& step);
  boost::asio::awaitable<std::string> Connect(const Step& step, const ConnectStep& connect);
  boost::asio::awaitable<std::string> Send(const Step& step, const SendStep& send);
  boost::asio::awaitable<std::string> Expect(const Step& step, const ExpectStep& expect);
  boost::asio::awaitable<std::string> ExpectExit(const Step& step, const ExpectStep& expect);
  std::string ExpectTls(const ExpectStep& expect);
  // Runs a TLS handshake on `connection` to `host` and judges it (see JudgeHandshake).
  boost::asio::awaitable<std::string> Handshake(std::shared_ptr<Connection> connection,
                                                const std::string& host, const TlsOptions& tls,
                                                const std::optional<TextMatch>& expect_failure,
                                                TimePoint deadline);
  boost::asio::awaitable<std::string> StartTls(const Step& step, const StartTlsStep& starttls);
  std::string Close(const CloseStep& close);
  std::string Pause(const PauseStep& pause);
  std::string Signal(const SignalStep& signal);
  boost::asio::awaitable<void> Sleep(Duration duration);
  // The outcome of a step that ran without waiting, as an awaitable.
  static boost::asio::awaitable<std::string> Done(std::string failure);
  boost::asio::awaitable<std::string> SleepFor(Duration duration);

  // A target that exited although nothing asked it to: its description, else empty.
  std::string DeadTarget();
  boost::asio::awaitable<void> Finish(ScenarioResult* result);
  // See PlayOptions::drain; sets result->undrained when a peer kept a connection open.
  boost::asio::awaitable<void> Drain(ScenarioResult* result);
  static bool Drainable(Connection& connection);
  // Discards what arrives until the peer closes or `until`; notes in undrained_ a peer that
  // did not close.
  boost::asio::awaitable<void> WaitForPeerClose(Connection& connection, TimePoint until);
  boost::asio::awaitable<std::string> DrainAndClose(const CloseStep& close);
  // What the scenario's templates see of the run without setting it; see Play.
  std::optional<std::string> ProvidedValue(const std::string& name) const;
  Duration Scaled(Duration d) const;
  std::string CurrentConnection(const Step& step) const;

  // After a failing step (ChildProcess::WaitForExitWhileReporting): how long a quiet target
  // has to show that it is dying, how long after its latest write to stderr a target may
  // still be starting a report, and the most a dying one is waited for (sanitizer reports
  // symbolize slowly).
  static constexpr Duration kDyingQuiet = std::chrono::milliseconds(25);
  static constexpr Duration kDyingLinger = std::chrono::milliseconds(500);
  static constexpr Duration kDyingLimit = std::chrono::seconds(5);

  boost::asio::any_io_executor executor_;
  TargetPool* pool_;
  const PlayOptions* options_;
  Deadlines deadlines_;
  bool own_deadlines_ = false;  // disarmed when the scenario ends
  const Scenario* scenario_ = nullptr;
  int repeat_ = 0;  // which play of the scenario (--repeat), 0-based
  TimePoint started_;
  const Step* current_step_ = nullptr;
  TimePoint step_started_;
  Variables vars_;
  std::map<std::string, std::shared_ptr<Connection>> connections_;
  std::map<std::string, int> opened_;  // times each name was connected
  std::vector<std::shared_ptr<Transcript>> transcripts_;
  std::map<std::string, TargetPool::Lease, std::less<>> leases_;
  std::set<std::string> may_exit_;  // targets signalled or expected to exit
  // The expectation of the step being played, kept while the step is retried, so that a retry
  // judges on from where the last try got.
  std::unique_ptr<Expectation> retained_;
  const Step* retained_step_ = nullptr;
  boost::asio::steady_timer sleep_timer_;
  bool interrupted_ = false;
  bool undrained_ = false;
  SendHook send_hook_;
};

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_PLAY_PLAYER_H_
