#include "supervisor/core/intensity.hpp"

#include <gtest/gtest.h>

namespace supervise::core {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

const Clock::time_point kStart{std::chrono::hours(1)};

TEST(Intensity, InPeriodIncludesTheBoundary) {
  EXPECT_TRUE(in_period(kStart, kStart + 10s, 10s));
  EXPECT_FALSE(in_period(kStart, kStart + 10001ms, 10s));
  EXPECT_TRUE(in_period(kStart, kStart, 0s));
}

TEST(Intensity, MoreThanIntensityWithinThePeriodGivesUp) {
  RestartHistory history;
  EXPECT_TRUE(add_restart(history, {kStart, 0}, 2, 10s));
  EXPECT_TRUE(add_restart(history, {kStart + 1s, 0}, 2, 10s));
  EXPECT_FALSE(add_restart(history, {kStart + 2s, 1}, 2, 10s));
}

TEST(Intensity, ExpiredRestartsAreDropped) {
  RestartHistory history;
  EXPECT_TRUE(add_restart(history, {kStart, 0}, 2, 10s));
  EXPECT_TRUE(add_restart(history, {kStart + 5s, 0}, 2, 10s));
  EXPECT_TRUE(add_restart(history, {kStart + 10001ms, 0}, 2, 10s));
  EXPECT_EQ(history.size(), 2u);
  drop_expired(history, kStart + 1h, 10s);
  EXPECT_TRUE(history.empty());
}

TEST(Intensity, ZeroIntensityGivesUpOnTheFirstRestart) {
  RestartHistory history;
  EXPECT_FALSE(add_restart(history, {kStart, 0}, 0, 10s));
}

}  // namespace
}  // namespace supervise::core
