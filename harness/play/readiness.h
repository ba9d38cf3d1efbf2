// Knowing when a target parley started accepts connections (targets.yaml `ready`), and picking
// the free port of a `port: auto` target. Every wait is bounded by the target's ready_timeout
// and ends early, with the reason, when the process exits.
//
// Used from the io_context's thread only.
#ifndef PARLEY_HARNESS_PLAY_READINESS_H_
#define PARLEY_HARNESS_PLAY_READINESS_H_

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <memory>
#include <optional>
#include <string>

#include "harness/play/process.h"
#include "harness/play/target_pool.h"
#include "harness/scenario/duration.h"
#include "harness/scenario/scenario.h"
#include "harness/scenario/target_config.h"

namespace parley::harness {

// A TCP port on `host` that is free now: bound as port 0, read back, closed. Another process
// may take it before the server binds it (the pool then starts the server again). nullopt with
// `*error` set when `host` cannot be bound.
std::optional<int> PickFreePort(const std::string& host, std::string* error);

// Tries a TCP connect to host:port every 50 ms (each try bounded by 1 s) until one succeeds
// (true), or `process` exits or `timeout` passes (false, with `*error` set).
boost::asio::awaitable<bool> WaitForConnect(boost::asio::any_io_executor executor,
                                            std::shared_ptr<ChildProcess> process,
                                            const std::string& host, const std::string& port,
                                            Duration timeout, std::string* error);

// Plays `scenario` against `endpoint` (as the target `name`) until it passes (true), or
// `process` exits or `timeout` passes (false, with `*error` naming the last failure). A try
// still playing at the timeout is interrupted. Tries are 50 ms apart; the scenario's own step
// timeouts are multiplied by `timeout_scale`.
boost::asio::awaitable<bool> WaitForScenario(boost::asio::any_io_executor executor,
                                             std::shared_ptr<ChildProcess> process,
                                             const Scenario& scenario, const std::string& name,
                                             const Endpoint& endpoint, Duration timeout,
                                             double timeout_scale, std::string* error);

// Waits until `process`, started from `spec`, is ready in the way spec.ready says, and returns
// where it listens: `planned` (the target's host and port, when it has a port), or what its
// ready line says. nullopt with `*error` set when it did not become ready within `timeout`.
boost::asio::awaitable<std::optional<Endpoint>> WaitUntilReady(
    boost::asio::any_io_executor executor, std::shared_ptr<ChildProcess> process,
    const TargetSpec& spec, const Endpoint& planned, Duration timeout, double timeout_scale,
    std::string* error);

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_PLAY_READINESS_H_
