#include "supervisor/core/backoff.hpp"

#include <gtest/gtest.h>

namespace supervise::core {
namespace {

using namespace std::chrono_literals;

Backoff policy(Duration initial, double factor, Duration max, double jitter) {
  Backoff backoff;
  backoff.initial = initial;
  backoff.factor = factor;
  backoff.max = max;
  backoff.jitter = jitter;
  return backoff;
}

TEST(Backoff, BaseDelayGrowsByTheFactorUntilTheCap) {
  const Backoff b = policy(1s, 2.0, 60s, 0.0);
  EXPECT_EQ(backoff_base_delay(b, 1), 1s);
  EXPECT_EQ(backoff_base_delay(b, 2), 2s);
  EXPECT_EQ(backoff_base_delay(b, 6), 32s);
  EXPECT_EQ(backoff_base_delay(b, 7), 60s);
  EXPECT_EQ(backoff_base_delay(b, 100000), 60s) << "no overflow in long crash loops";
}

TEST(Backoff, AttemptsBelowOneCountAsTheFirst) {
  const Backoff b = policy(1s, 2.0, 60s, 0.0);
  EXPECT_EQ(backoff_base_delay(b, 0), 1s);
  EXPECT_EQ(backoff_base_delay(b, -5), 1s);
}

TEST(Backoff, FactorBelowOneNeverShrinksTheDelay) {
  EXPECT_EQ(backoff_base_delay(policy(4s, 0.5, 60s, 0.0), 3), 4s);
}

TEST(Backoff, InitialAboveTheCapIsCapped) {
  EXPECT_EQ(backoff_base_delay(policy(90s, 2.0, 60s, 0.0), 1), 60s);
}

TEST(Backoff, JitterSpreadsSymmetricallyAroundTheBase) {
  const Backoff b = policy(10s, 2.0, 60s, 0.1);
  EXPECT_EQ(backoff_delay(b, 1, 0.0), 9s);
  EXPECT_EQ(backoff_delay(b, 1, 0.5), 10s);
  EXPECT_EQ(backoff_delay(b, 1, 1.0), 11s);
  EXPECT_EQ(backoff_delay(b, 3, 1.0), 44s);
}

TEST(Backoff, JitterNeverTakesADelayPastMax) {
  // The bug: 64 s with max 1m (base 60 s, +10 %).
  const Backoff b = policy(1s, 2.0, 60s, 0.1);
  EXPECT_EQ(max_backoff_delay(b), 60s);
  EXPECT_EQ(backoff_delay(b, 10, 1.0), 60s);
  EXPECT_EQ(backoff_delay(b, 10, 0.0), 54s);
  EXPECT_EQ(backoff_delay(b, 10, 0.5), 57s) << "spread uniformly below the cap, not piled on it";
}

TEST(Backoff, JitterNearTheCapIsCutAtMax) {
  // base 32 s: [28.8 s, 35.2 s] would reach past 34 s.
  const Backoff b = policy(1s, 2.0, 34s, 0.1);
  EXPECT_EQ(backoff_delay(b, 6, 0.0), 28800ms);
  EXPECT_EQ(backoff_delay(b, 6, 1.0), 34s);
}

TEST(Backoff, OutOfRangeInputsAreClamped) {
  EXPECT_EQ(backoff_delay(policy(10s, 2.0, 60s, 0.1), 1, 7.0), 11s);
  EXPECT_EQ(backoff_delay(policy(10s, 2.0, 60s, 0.1), 1, -3.0), 9s);
  EXPECT_EQ(backoff_delay(policy(10s, 2.0, 60s, 5.0), 1, 0.0), 0s) << "jitter above 1 counts as 1";
  EXPECT_EQ(backoff_delay(policy(10s, 2.0, 60s, -1.0), 1, 0.0), 10s);
}

TEST(Backoff, ZeroInitialIsAZeroDelay) {
  EXPECT_EQ(backoff_delay(policy(0ms, 2.0, 60s, 0.5), 5, 0.9), 0ms);
}

TEST(Backoff, FormatDelayForPeople) {
  EXPECT_EQ(format_delay(250ms), "250ms");
  EXPECT_EQ(format_delay(1000ms), "1.0s");
  EXPECT_EQ(format_delay(1949ms), "1.9s");
  EXPECT_EQ(format_delay(1950ms), "2.0s");
  EXPECT_EQ(format_delay(60s), "60.0s");
}

}  // namespace
}  // namespace supervise::core
