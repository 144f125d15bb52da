// Backoff through the whole runtime (timers armed on its clock, spawns
// through its launcher), on a manual clock and a fake launcher: every delay
// to the millisecond, with no real waiting.

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "tests/runtime/runtime_on_fakes.hpp"

namespace supervise::runtime {
namespace {

using namespace std::chrono_literals;
using core::ChildState;
using core::ExitStatus;
using supervise::testing::RuntimeOnFakes;

/// One permanent worker under a root with backoff initial 1s, factor 2,
/// max 5s, no jitter, reset after 1m, and room for many restarts.
const std::string kCrashLoop = R"(
version: 1
supervisor:
  intensity: 100
  period: 1m
  backoff: {initial: 1s, factor: 2, max: 5s, jitter: 0, reset_after: 1m}
  children:
    - id: worker
      command: [agent]
      work_dir: .
      restart: permanent
      max_restarts: 100
)";

class RuntimeBackoffTest : public ::testing::Test {
 protected:
  /// Crashes the running worker now and checks that the next one is
  /// spawned exactly `delay` later, not a millisecond before.
  void expect_restart_after(core::Duration delay) {
    const auto spawns = tree_.launcher.spawned("worker").size();
    const auto crashed_at = tree_.clock.now();
    tree_.end("worker", ExitStatus::exited(1));
    EXPECT_EQ(tree_.state("worker"), ChildState::backoff);
    tree_.advance(delay - 1ms);
    EXPECT_EQ(tree_.launcher.spawned("worker").size(), spawns) << "restarted before " << delay;
    EXPECT_EQ(tree_.state("worker"), ChildState::backoff);
    tree_.advance(1ms);
    const auto now_spawned = tree_.launcher.spawned("worker");
    ASSERT_EQ(now_spawned.size(), spawns + 1) << "not restarted after " << delay;
    EXPECT_EQ(now_spawned.back()->started_at - crashed_at, delay);
    EXPECT_EQ(tree_.state("worker"), ChildState::running);
  }

  RuntimeOnFakes tree_{kCrashLoop};
};

TEST_F(RuntimeBackoffTest, DelaysStartAtInitialGrowByFactorAndStopAtMax) {
  tree_.boot();
  ASSERT_EQ(tree_.launcher.spawned("worker").size(), 1u);
  expect_restart_after(1s);
  expect_restart_after(2s);
  expect_restart_after(4s);
  expect_restart_after(5s);
  expect_restart_after(5s);
  EXPECT_EQ(tree_.status("worker")->restarts, 5);
}

TEST_F(RuntimeBackoffTest, AWorkerThatStayedUpResetAfterStartsOverAtInitial) {
  tree_.boot();
  expect_restart_after(1s);
  expect_restart_after(2s);
  // Up for just under reset_after: still a crash loop.
  tree_.advance(1min - 1ms);
  expect_restart_after(4s);
  // Up for reset_after: healthy again.
  tree_.advance(1min);
  expect_restart_after(1s);
  expect_restart_after(2s);
}

TEST_F(RuntimeBackoffTest, TheNextRestartTimeIsWhatStatusShowsDuringTheBackoff) {
  tree_.boot();
  const auto crashed_at = tree_.clock.now();
  tree_.end("worker", ExitStatus::killed(9));
  const auto status = tree_.status("worker");
  ASSERT_TRUE(status);
  ASSERT_TRUE(status->next_restart_at);
  EXPECT_EQ(*status->next_restart_at - crashed_at, 1s);
  ASSERT_TRUE(status->last_exit);
  EXPECT_EQ(*status->last_exit, ExitStatus::killed(9));
}

TEST_F(RuntimeBackoffTest, ASpawnThatRunsOutOfResourcesIsRetriedAfterTheBackoffWithoutCounting) {
  tree_.launcher.fail_next_spawn("cannot open the log: Too many open files",
                                 /*out_of_resources=*/true);
  tree_.boot();
  EXPECT_TRUE(tree_.launcher.spawned("worker").empty());
  EXPECT_EQ(tree_.state("worker"), ChildState::backoff);
  tree_.advance(1s - 1ms);
  EXPECT_TRUE(tree_.launcher.spawned("worker").empty());
  tree_.advance(1ms);
  EXPECT_EQ(tree_.launcher.spawned("worker").size(), 1u);
  EXPECT_EQ(tree_.state("worker"), ChildState::running);
  EXPECT_EQ(tree_.status("worker")->restarts, 0);
}

TEST(RuntimeBackoff, AStopDuringTheBackoffDisarmsTheRestart) {
  // `stay`: the runtime goes on after the tree came to rest, so a timer left
  // armed would still fire.
  RuntimeOnFakes tree(kCrashLoop, [](RuntimeOptions& options) { options.stay = true; });
  tree.boot();
  tree.end("worker", ExitStatus::exited(1));
  ASSERT_EQ(tree.state("worker"), ChildState::backoff);
  ASSERT_EQ(tree.clock.armed(), 1u);
  tree.runtime().command({core::CommandKind::stop, "worker"});
  tree.settle();
  EXPECT_EQ(tree.state("worker"), ChildState::stopped);
  EXPECT_EQ(tree.clock.armed(), 0u) << "the backoff timer is still armed";
  tree.advance(1min);
  EXPECT_FALSE(tree.runtime().finished());
  EXPECT_EQ(tree.launcher.spawned("worker").size(), 1u);
  EXPECT_EQ(tree.state("worker"), ChildState::stopped);
}

}  // namespace
}  // namespace supervise::runtime
