// The stall rule with a fake clock: quiet for stall_after means stalled;
// a growing or replaced log, or changed task counts, is work.

#include "supervisor/core/stall_rule.hpp"

#include <gtest/gtest.h>

namespace supervise::core {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

class StallRuleTest : public ::testing::Test {
 protected:
  Clock::time_point at(Duration offset) const { return start_ + offset; }

  std::vector<std::string> newly_stalled(Duration offset) {
    std::vector<std::string> children;
    for (const auto& change : rule_.check(at(offset))) {
      if (change.stalled) {
        children.push_back(change.child);
      }
    }
    return children;
  }

  Clock::time_point start_ = Clock::time_point{} + 1000h;
  StallRule rule_;
};

TEST_F(StallRuleTest, AWorkerQuietForItsLimitIsStalledOnceAndNotBefore) {
  rule_.watch("A", 2s, at(0s));
  rule_.log_seen("A", LogMark{7, 100}, at(0s));
  rule_.log_seen("A", LogMark{7, 100}, at(1900ms));
  EXPECT_TRUE(newly_stalled(1999ms).empty());
  EXPECT_FALSE(rule_.stalled("A"));
  const auto changes = rule_.check(at(2s));
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].child, "A");
  EXPECT_TRUE(changes[0].stalled);
  EXPECT_EQ(changes[0].quiet_for, Duration{2s});
  EXPECT_TRUE(rule_.stalled("A"));
  EXPECT_TRUE(newly_stalled(10s).empty()) << "reported once";
}

TEST_F(StallRuleTest, AGrowingLogKeepsAWorkerFromStalling) {
  rule_.watch("A", 2s, at(0s));
  for (int tick = 0; tick <= 20; ++tick) {
    const auto now = Duration{300ms} * tick;
    rule_.log_seen("A", LogMark{7, static_cast<std::uint64_t>(10 * tick)}, at(now));
    EXPECT_TRUE(newly_stalled(now).empty()) << "at " << now.count() << " ms";
  }
}

TEST_F(StallRuleTest, TheFirstLogMarkIsABaselineNotWork) {
  rule_.watch("A", 2s, at(0s));
  rule_.log_seen("A", LogMark{7, 5000}, at(1500ms));
  EXPECT_EQ(newly_stalled(2s), (std::vector<std::string>{"A"}));
}

TEST_F(StallRuleTest, ALogReplacedUnderItsNameIsWorkEvenWhenSmaller) {
  rule_.watch("A", 2s, at(0s));
  rule_.log_seen("A", LogMark{7, 5000}, at(0s));
  rule_.log_seen("A", LogMark{8, 10}, at(1500ms));  // rotated
  EXPECT_TRUE(newly_stalled(2s).empty());
  EXPECT_EQ(newly_stalled(3500ms), (std::vector<std::string>{"A"}));
}

TEST_F(StallRuleTest, AnUnreadableLogIsNeitherWorkNorABaseline) {
  rule_.watch("A", 2s, at(0s));
  rule_.log_seen("A", std::nullopt, at(1s));
  rule_.log_seen("A", LogMark{7, 1}, at(1500ms));
  EXPECT_EQ(newly_stalled(2s), (std::vector<std::string>{"A"}));
}

TEST_F(StallRuleTest, ChangedTaskCountsAreWorkTheSameCountsAreNot) {
  rule_.tasks_seen("A", "pending=3", at(0s));
  rule_.watch("A", 2s, at(0s));
  rule_.tasks_seen("A", "pending=3", at(1s));
  rule_.tasks_seen("A", "pending=2 in_progress=1", at(1500ms));
  EXPECT_TRUE(newly_stalled(3s).empty());
  EXPECT_EQ(newly_stalled(3500ms), (std::vector<std::string>{"A"}));
}

TEST_F(StallRuleTest, TasksThatChangedWhileItWasNotWatchedCountFromTheNextRead) {
  rule_.tasks_seen("A", "pending=3", at(0s));
  rule_.tasks_seen("A", "pending=2", at(1s));  // not watched: only remembered
  rule_.watch("A", 2s, at(5s));
  rule_.tasks_seen("A", "pending=2", at(6s));
  EXPECT_EQ(newly_stalled(7s), (std::vector<std::string>{"A"}));
}

TEST_F(StallRuleTest, AStalledWorkerThatWorksAgainIsReportedRecoveredOnce) {
  rule_.watch("A", 2s, at(0s));
  rule_.log_seen("A", LogMark{7, 1}, at(0s));
  ASSERT_EQ(newly_stalled(2s).size(), 1u);
  rule_.log_seen("A", LogMark{7, 2}, at(5s));
  EXPECT_FALSE(rule_.stalled("A"));
  const auto changes = rule_.check(at(5s));
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_FALSE(changes[0].stalled);
  EXPECT_TRUE(rule_.check(at(6s)).empty());
  EXPECT_EQ(newly_stalled(7s), (std::vector<std::string>{"A"})) << "and may stall again";
}

TEST_F(StallRuleTest, ARestartStartsTheQuietTimeOverAndForgetStopsWatching) {
  rule_.watch("A", 2s, at(0s));
  ASSERT_EQ(newly_stalled(2s).size(), 1u);
  rule_.forget("A");
  EXPECT_FALSE(rule_.stalled("A"));
  EXPECT_TRUE(newly_stalled(10s).empty());
  rule_.watch("A", 2s, at(10s));
  EXPECT_TRUE(newly_stalled(11s).empty());
  EXPECT_EQ(newly_stalled(12s), (std::vector<std::string>{"A"}));
}

TEST_F(StallRuleTest, EachWorkerHasItsOwnLimitAndTheShortestPacesChecks) {
  EXPECT_EQ(rule_.shortest_limit(), std::nullopt);
  rule_.watch("slow", 10s, at(0s));
  rule_.watch("fast", 2s, at(0s));
  EXPECT_EQ(rule_.shortest_limit(), Duration{2s});
  EXPECT_EQ(newly_stalled(2s), (std::vector<std::string>{"fast"}));
  EXPECT_EQ(newly_stalled(10s), (std::vector<std::string>{"slow"}));
  EXPECT_EQ(rule_.watched(), (std::vector<std::string>{"fast", "slow"}));
}

}  // namespace
}  // namespace supervise::core
