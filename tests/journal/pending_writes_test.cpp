#include "supervisor/journal/pending_writes.hpp"

#include <gtest/gtest.h>

namespace supervise::journal {
namespace {

using std::chrono::seconds;
using WallTime = std::chrono::system_clock::time_point;

QueuedEntry entry(const std::string& detail, int second = 0) {
  QueuedEntry queued;
  queued.entry.initiative = "init";
  queued.entry.child = "A";
  queued.entry.detail = detail;
  queued.recorded_at = WallTime(seconds(second));
  return queued;
}

std::vector<std::string> details(const WriteBatch& batch) {
  std::vector<std::string> result;
  for (const auto& queued : batch.entries) {
    result.push_back(queued.entry.detail);
  }
  return result;
}

TEST(PendingWrites, TakesEntriesOldestFirstUpToTheBatchSize) {
  PendingWrites pending(10);
  for (const char* detail : {"1", "2", "3"}) {
    EXPECT_FALSE(pending.push(entry(detail)));
  }
  auto first = pending.take(2);
  EXPECT_EQ(details(first), (std::vector<std::string>{"1", "2"}));
  auto second = pending.take(2);
  EXPECT_EQ(details(second), (std::vector<std::string>{"3"}));
  EXPECT_TRUE(pending.empty());
}

TEST(PendingWrites, AFullQueueDropsTheOldestAndCountsThem) {
  PendingWrites pending(2);
  EXPECT_FALSE(pending.push(entry("1", 1)));
  EXPECT_FALSE(pending.push(entry("2", 2)));
  EXPECT_TRUE(pending.push(entry("3", 3)));
  EXPECT_TRUE(pending.push(entry("4", 4)));
  EXPECT_EQ(pending.dropped_total(), 2u);
  auto batch = pending.take(10);
  EXPECT_EQ(details(batch), (std::vector<std::string>{"3", "4"}));
  EXPECT_EQ(batch.dropped.count, 2u);
  EXPECT_EQ(batch.dropped.first_recorded, WallTime(seconds(1)));
  EXPECT_EQ(batch.dropped.last_recorded, WallTime(seconds(2)));
  // The report travels with the batch: the queue has nothing left to report.
  EXPECT_EQ(pending.unreported_drops().count, 0u);
  EXPECT_TRUE(pending.empty());
}

TEST(PendingWrites, HistoryUpdatesKeepOnlyTheLatestPerChild) {
  PendingWrites pending(1);
  pending.update_history({"init", "A"}, ChildHistory{1, false});
  pending.update_history({"init", "B"}, ChildHistory{1, false});
  pending.update_history({"init", "A"}, ChildHistory{2, true});
  pending.update_history({"init", "B"}, std::nullopt);
  // Histories are never dropped, however full the entry queue is.
  for (int i = 0; i < 5; ++i) {
    pending.push(entry(std::to_string(i)));
  }
  EXPECT_EQ(pending.history_count(), 2u);
  const auto batch = pending.take(10);
  ASSERT_EQ(batch.histories.size(), 2u);
  EXPECT_EQ(batch.histories[0].first.child, "A");
  EXPECT_EQ(batch.histories[0].second, (ChildHistory{2, true}));
  EXPECT_EQ(batch.histories[1].first.child, "B");
  EXPECT_FALSE(batch.histories[1].second.has_value());
}

TEST(PendingWrites, AFailedBatchGoesBackBeforeWhatCameSince) {
  PendingWrites pending(10);
  pending.push(entry("1"));
  pending.push(entry("2"));
  auto batch = pending.take(10);
  pending.push(entry("3"));
  pending.put_back(std::move(batch));
  EXPECT_EQ(details(pending.take(10)), (std::vector<std::string>{"1", "2", "3"}));
}

TEST(PendingWrites, PuttingBackBeyondTheBoundDropsTheOldest) {
  PendingWrites pending(3);
  pending.push(entry("1", 1));
  pending.push(entry("2", 2));
  auto batch = pending.take(10);
  pending.push(entry("3", 3));
  pending.push(entry("4", 4));
  pending.put_back(std::move(batch));
  EXPECT_EQ(pending.dropped_total(), 1u);
  const auto again = pending.take(10);
  EXPECT_EQ(details(again), (std::vector<std::string>{"2", "3", "4"}));
  EXPECT_EQ(again.dropped.count, 1u);
  EXPECT_EQ(again.dropped.first_recorded, WallTime(seconds(1)));
}

TEST(PendingWrites, AReturnedHistoryDoesNotOverwriteANewerOne) {
  PendingWrites pending(10);
  pending.update_history({"init", "A"}, ChildHistory{1, false});
  pending.update_history({"init", "B"}, ChildHistory{1, false});
  auto batch = pending.take(10);
  pending.update_history({"init", "A"}, ChildHistory{2, false});
  pending.put_back(std::move(batch));
  const auto again = pending.take(10);
  ASSERT_EQ(again.histories.size(), 2u);
  EXPECT_EQ(again.histories[0].second, (ChildHistory{2, false}));  // A: the newer one
  EXPECT_EQ(again.histories[1].second, (ChildHistory{1, false}));  // B: returned
}

TEST(PendingWrites, AReturnedDropReportAddsUpWithNewDrops) {
  PendingWrites pending(1);
  pending.push(entry("1", 1));
  pending.push(entry("2", 2));  // drops 1
  auto batch = pending.take(10);
  ASSERT_EQ(batch.dropped.count, 1u);
  pending.push(entry("3", 3));
  pending.put_back(std::move(batch));  // 2 goes back, 2 is then dropped
  const auto again = pending.take(10);
  EXPECT_EQ(details(again), (std::vector<std::string>{"3"}));
  EXPECT_EQ(again.dropped.count, 2u);
  EXPECT_EQ(again.dropped.first_recorded, WallTime(seconds(1)));
  EXPECT_EQ(again.dropped.last_recorded, WallTime(seconds(2)));
  EXPECT_EQ(pending.dropped_total(), 2u);
}

}  // namespace
}  // namespace supervise::journal
