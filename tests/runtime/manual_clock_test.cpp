// The manual clock the runtime's fake-clock tests stand on: it must keep the
// Clock contract (order, disarming, zero delays) as the real one does.

#include "tests/runtime/manual_clock.hpp"

#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <string>
#include <vector>

namespace supervise::testing {
namespace {

using namespace std::chrono_literals;

class ManualClockTest : public ::testing::Test {
 protected:
  /// Arms a timer that records `name` and the time it fired at.
  std::unique_ptr<runtime::Clock::Timer> arm(const std::string& name, core::Duration delay) {
    return clock_.start_timer(io_, delay, [this, name] {
      fired_.push_back(name + "@" + std::to_string((clock_.now() - start_) / 1ms));
    });
  }

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{
      io_.get_executor()};
  ManualClock clock_;
  const core::TimePoint start_ = clock_.now();
  std::vector<std::string> fired_;
};

TEST_F(ManualClockTest, TimersFireInDeadlineOrderEachAtItsOwnDeadline) {
  const auto late = arm("late", 30ms);
  const auto early = arm("early", 10ms);
  const auto tie = arm("tie", 10ms);
  clock_.advance(9ms);
  EXPECT_TRUE(fired_.empty());
  clock_.advance(100ms);
  EXPECT_EQ(fired_, (std::vector<std::string>{"early@10", "tie@10", "late@30"}));
  EXPECT_EQ(clock_.now() - start_, 109ms);
  EXPECT_EQ(clock_.armed(), 0u);
}

TEST_F(ManualClockTest, ADisarmedTimerNeverFires) {
  auto kept = arm("kept", 10ms);
  auto dropped = arm("dropped", 5ms);
  dropped.reset();
  clock_.advance(1s);
  EXPECT_EQ(fired_, (std::vector<std::string>{"kept@10"}));
}

TEST_F(ManualClockTest, AZeroDelayRunsWhenTheLoopRunsNotInsideTheCall) {
  const auto now = arm("now", 0ms);
  EXPECT_TRUE(fired_.empty());
  io_.poll();
  EXPECT_EQ(fired_, (std::vector<std::string>{"now@0"}));
}

TEST_F(ManualClockTest, AZeroDelayDisarmedBeforeTheLoopRunsNeverFires) {
  auto now = arm("now", 0ms);
  now.reset();
  io_.poll();
  clock_.advance(1s);
  EXPECT_TRUE(fired_.empty());
}

TEST_F(ManualClockTest, WhatAFiringPostsRunsBeforeTheNextDeadline) {
  std::unique_ptr<runtime::Clock::Timer> second;
  const auto first = clock_.start_timer(io_, 10ms, [this, &second] {
    // As the runtime does: the firing posts work, and that work arms a timer.
    boost::asio::post(io_, [this, &second] { second = arm("second", 5ms); });
  });
  const auto third = arm("third", 20ms);
  clock_.advance(1s);
  EXPECT_EQ(fired_, (std::vector<std::string>{"second@15", "third@20"}));
}

}  // namespace
}  // namespace supervise::testing
