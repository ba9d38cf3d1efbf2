#include "harness/play/deadlines.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <memory>
#include <optional>
#include <vector>

namespace parley::harness {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

class DeadlinesTest : public testing::Test {
 protected:
  // Runs the io_context until `done` or for at most `limit`.
  void RunUntil(const std::function<bool()>& done, milliseconds limit = milliseconds(5000)) {
    auto stop = Clock::now() + limit;
    while (!done() && Clock::now() < stop)
      io_.run_one_for(milliseconds(10));
  }

  boost::asio::io_context io_;
  Deadlines deadlines_{io_.get_executor()};
};

TEST_F(DeadlinesTest, AWatchFiresOnceItsDeadlineHasPassed) {
  auto start = Clock::now();
  Clock::time_point fired;
  Deadlines::Watch watch(deadlines_, start + milliseconds(30), [&] { fired = Clock::now(); });
  EXPECT_FALSE(watch.expired());
  RunUntil([&] { return watch.expired(); });
  ASSERT_TRUE(watch.expired());
  EXPECT_GE(fired - start, milliseconds(30));
  EXPECT_EQ(deadlines_.pending(), 0u);
}

TEST_F(DeadlinesTest, APastDeadlineFiresFromTheEventLoopNotTheConstructor) {
  int calls = 0;
  Deadlines::Watch watch(deadlines_, Clock::now() - milliseconds(1), [&] { ++calls; });
  EXPECT_EQ(calls, 0);
  RunUntil([&] { return calls > 0; });
  EXPECT_EQ(calls, 1);
}

TEST_F(DeadlinesTest, ADestroyedWatchNeverFires) {
  int calls = 0;
  {
    Deadlines::Watch watch(deadlines_, Clock::now() + milliseconds(10), [&] { ++calls; });
    EXPECT_EQ(deadlines_.pending(), 1u);
  }
  EXPECT_EQ(deadlines_.pending(), 0u);
  io_.run_for(milliseconds(60));
  EXPECT_EQ(calls, 0);
}

TEST_F(DeadlinesTest, AnEarlierDeadlineAddedLaterIsNotDelayedByTheArmedOne) {
  auto start = Clock::now();
  std::vector<int> order;
  Deadlines::Watch late(deadlines_, start + milliseconds(3000), [&] { order.push_back(2); });
  Deadlines::Watch early(deadlines_, start + milliseconds(20), [&] { order.push_back(1); });
  RunUntil([&] { return early.expired(); }, milliseconds(1000));
  EXPECT_TRUE(early.expired());
  EXPECT_LT(Clock::now() - start, milliseconds(1000));
  EXPECT_FALSE(late.expired());
  EXPECT_EQ(order, std::vector<int>{1});
}

TEST_F(DeadlinesTest, WhenTheArmedWaitEndsEarlyTheNextDeadlineStillFires) {
  auto start = Clock::now();
  // The timer is armed for the first watch, which goes away; the second must fire on its own.
  auto first = std::make_unique<Deadlines::Watch>(deadlines_, start + milliseconds(10), [] {});
  Deadlines::Watch second(deadlines_, start + milliseconds(40), [] {});
  first.reset();
  RunUntil([&] { return second.expired(); });
  EXPECT_TRUE(second.expired());
  EXPECT_GE(Clock::now() - start, milliseconds(40));
}

TEST_F(DeadlinesTest, WatchesWithTheSameDeadlineAllFire) {
  auto due = Clock::now() + milliseconds(15);
  int calls = 0;
  Deadlines::Watch a(deadlines_, due, [&] { ++calls; });
  Deadlines::Watch b(deadlines_, due, [&] { ++calls; });
  RunUntil([&] { return calls == 2; });
  EXPECT_EQ(calls, 2);
}

TEST_F(DeadlinesTest, OnDueMayAddAndRemoveOtherWatches) {
  auto start = Clock::now();
  std::optional<Deadlines::Watch> chained;
  auto doomed = std::make_unique<Deadlines::Watch>(deadlines_, start + milliseconds(10), [] {
    ADD_FAILURE() << "a watch destroyed by another's on_due fired";
  });
  bool chained_fired = false;
  Deadlines::Watch first(deadlines_, start + milliseconds(5), [&] {
    doomed.reset();
    chained.emplace(deadlines_, Clock::now() + milliseconds(20), [&] { chained_fired = true; });
  });
  RunUntil([&] { return chained_fired; });
  EXPECT_TRUE(first.expired());
  EXPECT_TRUE(chained_fired);
}

TEST_F(DeadlinesTest, DisarmedItNoLongerKeepsTheEventLoopRunning) {
  {
    Deadlines::Watch gone(deadlines_, Clock::now() + std::chrono::seconds(10), [] {});
  }
  deadlines_.Disarm();
  auto start = Clock::now();
  io_.run_for(std::chrono::seconds(5));  // returns as soon as nothing is pending
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(2));
  io_.restart();
  Deadlines::Watch next(deadlines_, Clock::now() + milliseconds(10), [] {});
  RunUntil([&] { return next.expired(); });
  EXPECT_TRUE(next.expired());
}

TEST_F(DeadlinesTest, CopiesShareOneList) {
  Deadlines copy = deadlines_;
  Deadlines::Watch watch(copy, Clock::now() + milliseconds(1000), [] {});
  EXPECT_EQ(deadlines_.pending(), 1u);
}

}  // namespace
}  // namespace parley::harness
