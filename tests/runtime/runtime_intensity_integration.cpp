// Restart intensity through the whole runtime, on a manual clock and a fake
// launcher: one restart more than `intensity` within `period` stops the tree
// and the run ends root_failed; restarts older than `period` do not count.

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <string>

#include "tests/runtime/runtime_on_fakes.hpp"

namespace supervise::runtime {
namespace {

using namespace std::chrono_literals;
using core::ChildState;
using core::ExitStatus;
using supervise::testing::RuntimeOnFakes;

/// At most 2 restarts in any minute; restarts come at once (no backoff).
const std::string kIntensityTree = R"(
version: 1
supervisor:
  intensity: 2
  period: 1m
  backoff: {initial: 0s, factor: 1, max: 0s, jitter: 0}
  children:
    - id: steady
      command: [steady]
      work_dir: .
      restart: permanent
      shutdown: 2s
    - id: flaky
      command: [flaky]
      work_dir: .
      restart: permanent
      max_restarts: 100
)";

class RuntimeIntensityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tree_.boot();
    steady_ = tree_.pid("steady");
    ASSERT_NE(steady_, 0);
  }

  /// Crashes flaky now; true when it was started again.
  bool crash_flaky() {
    const auto before = tree_.launcher.spawned("flaky").size();
    tree_.end("flaky", ExitStatus::exited(1));
    // A zero backoff is a timer due at once: it fires as the loop runs.
    tree_.settle();
    return tree_.launcher.spawned("flaky").size() == before + 1;
  }

  RuntimeOnFakes tree_{kIntensityTree};
  int steady_ = 0;
};

TEST_F(RuntimeIntensityTest, OneRestartMoreThanIntensityWithinThePeriodStopsTheTree) {
  ASSERT_TRUE(crash_flaky());
  tree_.advance(30s);
  ASSERT_TRUE(crash_flaky());
  // The first restart is exactly one period old: it still counts.
  tree_.advance(30s);
  const auto t0 = tree_.clock.now();
  EXPECT_FALSE(crash_flaky());
  EXPECT_EQ(tree_.state("flaky"), ChildState::failed);
  EXPECT_EQ(tree_.status("flaky")->reason, core::Reason::intensity);

  // The rest of the node is stopped with the usual deadline.
  const auto& sent = tree_.launcher.process(steady_).signals;
  ASSERT_FALSE(sent.empty());
  EXPECT_EQ(sent.front().signal, SIGTERM);
  EXPECT_EQ(sent.front().at, t0);
  tree_.advance(2s);
  EXPECT_EQ(sent.back().signal, SIGKILL);
  EXPECT_EQ(sent.back().at, t0 + 2s);
  EXPECT_FALSE(tree_.runtime().finished()) << "finished while steady still ran";
  tree_.launcher.end(steady_, ExitStatus::killed(SIGKILL));
  tree_.settle();

  ASSERT_TRUE(tree_.runtime().finished());
  const auto result = tree_.finish();
  EXPECT_EQ(result.outcome, core::TreeOutcome::root_failed);
  EXPECT_EQ(tree_.launcher.running(), 0);
}

TEST_F(RuntimeIntensityTest, RestartsOlderThanThePeriodDoNotCount) {
  ASSERT_TRUE(crash_flaky());
  tree_.advance(30s);
  ASSERT_TRUE(crash_flaky());
  tree_.advance(30s + 1ms);
  EXPECT_TRUE(crash_flaky());
  tree_.advance(30s + 1ms);
  EXPECT_TRUE(crash_flaky());
  EXPECT_EQ(tree_.state("flaky"), ChildState::running);
  EXPECT_TRUE(tree_.launcher.process(steady_).signals.empty());
  EXPECT_FALSE(tree_.runtime().finished());
}

TEST_F(RuntimeIntensityTest, ExitsThatAreNotRestartsDoNotCount) {
  // Stopped from outside (SIGTERM we did not send): not restarted, so not
  // counted, however many.
  tree_.end("steady", ExitStatus::killed(SIGTERM));
  ASSERT_EQ(tree_.state("steady"), ChildState::stopped);
  ASSERT_TRUE(crash_flaky());
  ASSERT_TRUE(crash_flaky());
  EXPECT_EQ(tree_.state("flaky"), ChildState::running);
  EXPECT_FALSE(tree_.runtime().finished());
}

}  // namespace
}  // namespace supervise::runtime
