#include <gtest/gtest.h>

#include <vector>

#include "supervisor/runtime/steady_clock.hpp"
#include "supervisor/runtime/timer_set.hpp"
#include "tests/runtime/run_io_until.hpp"

namespace supervise::runtime {
namespace {

using supervise::testing::run_io_until;
using namespace std::chrono_literals;

class TimerSetTest : public ::testing::Test {
 protected:
  boost::asio::io_context io_;
  SteadyClock clock_;
  std::vector<core::TimerId> fired_;
  TimerSet timers_{io_, clock_, [this](core::TimerId id) { fired_.push_back(id); }};
};

TEST_F(TimerSetTest, FiresInDeadlineOrder) {
  timers_.schedule(1, 30ms);
  timers_.schedule(2, 1ms);
  ASSERT_TRUE(run_io_until(io_, [this] { return fired_.size() == 2; }));
  EXPECT_EQ(fired_, (std::vector<core::TimerId>{2, 1}));
  EXPECT_EQ(timers_.armed(), 0u);
}

TEST_F(TimerSetTest, CancelledTimerNeverFires) {
  timers_.schedule(1, 1ms);
  timers_.schedule(2, 5ms);
  timers_.cancel(1);
  ASSERT_TRUE(run_io_until(io_, [this] { return !fired_.empty(); }));
  // Timer 2 fired after timer 1's deadline: timer 1 had every chance.
  EXPECT_EQ(fired_, (std::vector<core::TimerId>{2}));
}

TEST_F(TimerSetTest, ReArmingReplacesTheEarlierDeadline) {
  timers_.schedule(7, 1ms);
  timers_.schedule(7, 20ms);
  timers_.schedule(8, 10ms);
  ASSERT_TRUE(run_io_until(io_, [this] { return fired_.size() == 2; }));
  EXPECT_EQ(fired_, (std::vector<core::TimerId>{8, 7}));
}

TEST_F(TimerSetTest, ATimerExpiredButCancelledBeforeItsHandlerRunsDoesNotFire) {
  timers_.schedule(1, 0ms);
  // Let the deadline pass without running handlers, then cancel and re-arm.
  const auto until = std::chrono::steady_clock::now() + 2ms;
  while (std::chrono::steady_clock::now() < until) {
  }
  timers_.schedule(1, 50ms);
  timers_.schedule(2, 10ms);
  ASSERT_TRUE(run_io_until(io_, [this] { return !fired_.empty(); }));
  EXPECT_EQ(fired_, (std::vector<core::TimerId>{2}));
}

}  // namespace
}  // namespace supervise::runtime
