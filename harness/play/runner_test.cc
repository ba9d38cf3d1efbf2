#include "harness/play/runner.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "harness/scenario/loader.h"

namespace parley::harness {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

// A server that says "go" to everyone once two clients are connected at the same time, so a
// scenario waiting for "go" passes only if another one runs alongside it.
class Rendezvous {
 public:
  explicit Rendezvous(asio::io_context& io)
      : acceptor_(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    asio::co_spawn(io, Accept(), asio::detached);
  }
  std::string port() const { return std::to_string(acceptor_.local_endpoint().port()); }
  void Close() { acceptor_.close(); }

 private:
  asio::awaitable<void> Accept() {
    for (;;) {
      error_code ec;
      auto socket = std::make_shared<tcp::socket>(
          co_await acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, ec)));
      if (ec) co_return;
      waiting_.push_back(socket);
      if (waiting_.size() < 2) continue;
      for (auto& s : waiting_) {
        co_await asio::async_write(*s, asio::buffer(std::string("go\n")),
                                   asio::redirect_error(asio::use_awaitable, ec));
      }
      waiting_.clear();
    }
  }

  tcp::acceptor acceptor_;
  std::vector<std::shared_ptr<tcp::socket>> waiting_;
};

class RunnerTest : public testing::Test {
 protected:
  std::vector<ScenarioResult> Run(const std::string& yaml, RunOptions options,
                                  std::vector<std::string>* order = nullptr) {
    LoadResult loaded = LoadScenarios(yaml, "r.yaml");
    EXPECT_TRUE(loaded.ok()) << (loaded.error ? loaded.error->ToString() : "");
    scenarios_ = std::move(loaded.scenarios);
    std::vector<PlannedRun> plan;
    for (const Scenario& s : scenarios_)
      plan.push_back({&s, 0});
    asio::io_context io;
    Rendezvous server(io);
    PoolOptions pool_options;
    pool_options.external["srv"] = Endpoint{"127.0.0.1", server.port(), std::nullopt};
    TargetPool pool(io.get_executor(), nullptr, pool_options);
    Runner runner(io.get_executor(), &pool, options,
                  [&](const ScenarioResult& r, std::size_t done, std::size_t total) {
                    EXPECT_LE(done, total);
                    if (order != nullptr) order->push_back(r.scenario->name);
                  });
    std::vector<ScenarioResult> results;
    bool done = false;
    asio::co_spawn(
        io, [&]() -> asio::awaitable<void> { results = co_await runner.Run(plan); },
        [&](std::exception_ptr e) {
          if (e) std::rethrow_exception(e);
          done = true;
          server.Close();
        });
    io.run_for(std::chrono::seconds(20));
    EXPECT_TRUE(done);
    return results;
  }

  std::vector<Scenario> scenarios_;
};

constexpr const char* kPair = R"(- name: first
  target: srv
  steps:
    - connect: c
    - expect: {line: go, timeout: 1s}
- name: second
  target: srv
  steps:
    - connect: c
    - expect: {line: go, timeout: 1s}
)";

TEST_F(RunnerTest, JobsPlayScenariosAtTheSameTime) {
  RunOptions options;
  options.jobs = 2;
  auto results = Run(kPair, options);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_TRUE(results[0].passed()) << results[0].message;
  EXPECT_TRUE(results[1].passed()) << results[1].message;
}

TEST_F(RunnerTest, OneJobPlaysThemOneAfterTheOther) {
  RunOptions options;
  options.jobs = 1;
  auto results = Run(kPair, options);
  ASSERT_EQ(results.size(), 2u);
  // Alone, neither meets a partner.
  EXPECT_EQ(results[0].status, ScenarioResult::Status::kFailed);
  EXPECT_EQ(results[0].message, "nothing arrived within 1s (expected a line exactly \"go\")");
}

TEST_F(RunnerTest, FailFastStopsStartingScenarios) {
  RunOptions options;
  options.jobs = 1;
  options.fail_fast = true;
  std::vector<std::string> order;
  auto results =
      Run(std::string(kPair) + "- name: third\n  steps: [{sleep: 1ms}]\n", options, &order);
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0].status, ScenarioResult::Status::kFailed);
  EXPECT_EQ(results[1].status, ScenarioResult::Status::kSkipped);
  EXPECT_EQ(results[1].message, "not run: an earlier scenario failed (--fail-fast)");
  EXPECT_EQ(results[2].scenario->name, "third");
  EXPECT_EQ(order, std::vector<std::string>{"first"});
}

TEST_F(RunnerTest, ResultsKeepPlanOrderWhateverFinishesFirst) {
  RunOptions options;
  options.jobs = 3;
  std::vector<std::string> order;
  auto results = Run(R"(- name: slow
  steps: [{sleep: 150ms}]
- name: quick
  steps: [{sleep: 1ms}]
- name: medium
  steps: [{sleep: 50ms}]
)",
                     options, &order);
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0].scenario->name, "slow");
  EXPECT_EQ(results[2].scenario->name, "medium");
  EXPECT_EQ(order, (std::vector<std::string>{"quick", "medium", "slow"}));
}

}  // namespace
}  // namespace parley::harness
