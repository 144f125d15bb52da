#include "supervisor/export/retry_strategy.hpp"

#include <gtest/gtest.h>

namespace supervise::exporter {
namespace {

using core::Duration;

core::ChildSpec child_with(core::RestartType restart, int max_restarts) {
  core::ChildSpec child;
  child.id = "w";
  child.restart = restart;
  child.max_restarts = max_restarts;
  return child;
}

TEST(RetryStrategy, PermanentRetriesAlwaysUpToMaxRestartsWithTheNodesBackoff) {
  const core::Backoff backoff{Duration{2000}, 2.0, Duration{60'000}, 0.1, Duration{300'000}};
  const auto strategy = retry_strategy(child_with(core::RestartType::permanent, 3), backoff);
  ASSERT_TRUE(strategy);
  EXPECT_EQ(*strategy, (RetryStrategy{3, "Always", {"2s", 2, "1m"}}));
}

TEST(RetryStrategy, TransientRetriesOnFailureOnly) {
  const auto strategy = retry_strategy(child_with(core::RestartType::transient, 0), {});
  ASSERT_TRUE(strategy);
  EXPECT_EQ(strategy->retry_policy, "OnFailure");
  EXPECT_EQ(strategy->limit, 0);
  EXPECT_EQ(strategy->backoff, (ArgoBackoff{"1s", 2, "1m"}));
}

TEST(RetryStrategy, TemporaryIsNeverRetried) {
  EXPECT_FALSE(retry_strategy(child_with(core::RestartType::temporary, 5), {}));
}

TEST(RetryStrategy, FactorsAreRoundedToWholeNumbersOfAtLeastOne) {
  EXPECT_EQ(argo_factor(1.0), 1);
  EXPECT_EQ(argo_factor(1.4), 1);
  EXPECT_EQ(argo_factor(1.5), 2);
  EXPECT_EQ(argo_factor(10.0), 10);
  EXPECT_EQ(argo_factor(0.5), 1);
  EXPECT_EQ(argo_factor(1e30), 2147483647);
}

TEST(RetryStrategy, DurationsAreGoDurations) {
  EXPECT_EQ(argo_duration(Duration{0}), "0s");
  EXPECT_EQ(argo_duration(Duration{1500}), "1500ms");
  EXPECT_EQ(argo_duration(Duration{90'000}), "90s");
  EXPECT_EQ(argo_duration(Duration{3'600'000}), "1h");
}

}  // namespace
}  // namespace supervise::exporter
