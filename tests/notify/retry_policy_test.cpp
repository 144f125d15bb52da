// The webhook retry policy: which answers are tried again, how long each
// wait is, and that the attempts are bounded.

#include "supervisor/notify/retry_policy.hpp"

#include <gtest/gtest.h>

namespace supervise::notify {
namespace {

using namespace std::chrono_literals;

TEST(RetryPolicy, A2xxAnswerIsDelivered) {
  const RetryPolicy policy;
  EXPECT_EQ(judge_attempt(policy, 1, 200), AttemptVerdict::delivered);
  EXPECT_EQ(judge_attempt(policy, 3, 204), AttemptVerdict::delivered);
  EXPECT_EQ(judge_attempt(policy, policy.max_attempts, 299), AttemptVerdict::delivered);
}

TEST(RetryPolicy, NoAnswerTimeoutsRateLimitsAndServerErrorsAreRetried) {
  const RetryPolicy policy;
  for (const std::optional<int> status :
       {std::optional<int>(), std::optional(408), std::optional(425), std::optional(429),
        std::optional(500), std::optional(503)}) {
    EXPECT_EQ(judge_attempt(policy, 1, status), AttemptVerdict::retry) << (status ? *status : 0);
  }
}

TEST(RetryPolicy, RefusalsThatARetryCannotChangeAreGivenUpAtOnce) {
  const RetryPolicy policy;
  for (const int status : {301, 302, 400, 401, 403, 404, 410, 413}) {
    EXPECT_EQ(judge_attempt(policy, 1, status), AttemptVerdict::give_up) << status;
  }
}

TEST(RetryPolicy, TheLastAttemptIsNotRetried) {
  RetryPolicy policy;
  policy.max_attempts = 3;
  EXPECT_EQ(judge_attempt(policy, 2, 503), AttemptVerdict::retry);
  EXPECT_EQ(judge_attempt(policy, 3, 503), AttemptVerdict::give_up);
  EXPECT_EQ(judge_attempt(policy, 3, std::nullopt), AttemptVerdict::give_up);
  policy.max_attempts = 1;
  EXPECT_EQ(judge_attempt(policy, 1, std::nullopt), AttemptVerdict::give_up);
}

TEST(RetryPolicy, DelaysGrowExponentiallyUpToTheMaximum) {
  RetryPolicy policy;
  policy.initial = 1s;
  policy.factor = 2;
  policy.max = 10s;
  EXPECT_EQ(retry_delay(policy, 1), 1s);
  EXPECT_EQ(retry_delay(policy, 2), 2s);
  EXPECT_EQ(retry_delay(policy, 3), 4s);
  EXPECT_EQ(retry_delay(policy, 4), 8s);
  EXPECT_EQ(retry_delay(policy, 5), 10s);
  EXPECT_EQ(retry_delay(policy, 60), 10s) << "no overflow far out";
}

TEST(RetryPolicy, TheDefaultsEndWithinAboutAMinute) {
  const RetryPolicy policy;
  std::chrono::milliseconds total{0};
  for (int failed = 1; failed < policy.max_attempts; ++failed) {
    total += retry_delay(policy, failed);
  }
  EXPECT_GT(total, 30s);
  EXPECT_LE(total, 90s);
}

}  // namespace
}  // namespace supervise::notify
