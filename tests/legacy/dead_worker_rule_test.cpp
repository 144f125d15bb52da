#include "supervisor/legacy/dead_worker_rule.hpp"

#include <gtest/gtest.h>

namespace supervise::legacy {
namespace {

StreamObservation dead() {
  return {.running = false,
          .complete = false,
          .dependencies_complete = true,
          .log_bytes = 101,
          .total_tasks = 2};
}

TEST(DeadWorkerRule, AStartedWorkerGoneWithWorkLeftIsDead) {
  EXPECT_TRUE(is_dead_worker(dead()));
}

TEST(DeadWorkerRule, EachConditionAloneKeepsItAlive) {
  auto running = dead();
  running.running = true;
  EXPECT_FALSE(is_dead_worker(running));
  auto complete = dead();
  complete.complete = true;
  EXPECT_FALSE(is_dead_worker(complete));
  auto waiting = dead();
  waiting.dependencies_complete = false;
  EXPECT_FALSE(is_dead_worker(waiting));
  auto never_started = dead();
  never_started.log_bytes.reset();
  EXPECT_FALSE(is_dead_worker(never_started));
  auto no_tasks = dead();
  no_tasks.total_tasks = 0;
  EXPECT_FALSE(is_dead_worker(no_tasks));
}

TEST(DeadWorkerRule, ALogOfExactly100BytesMeansNeverStarted) {
  auto small = dead();
  small.log_bytes = 100;
  EXPECT_FALSE(is_dead_worker(small));
}

}  // namespace
}  // namespace supervise::legacy
