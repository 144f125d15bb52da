// RestoreState: what a spec reload carries over for unchanged children.

#include <gtest/gtest.h>

#include "tests/core/supervisor_script.hpp"

namespace supervise::core::testing {
namespace {

TEST(SupervisorRestoreState, AHeldStoppedChildStaysStoppedAndItsDependentsWaitUntilStart) {
  Script script(tree(
      {worker("A"), worker("B", RestartType::transient, {on("A", DependencyCondition::started)})}));
  script.send(RestoreState{"A", ChildState::stopped, true, 0, std::nullopt});
  const Actions boot = script.boot();
  EXPECT_TRUE(spawns(boot).empty());
  EXPECT_EQ(changes(boot, "A"), std::vector<std::string>{"A waiting->stopped restored"});
  EXPECT_EQ(script.state("B"), ChildState::waiting);
  EXPECT_TRUE(script.status("A").held);
  EXPECT_TRUE(finished(boot).empty());

  const Actions start = script.command(CommandKind::start, "A");
  EXPECT_EQ(spawns(start), (std::vector<std::string>{"A", "B"}));
  EXPECT_FALSE(script.status("A").held);
}

TEST(SupervisorRestoreState, ADoneChildIsNotRunAgainAndMeetsItsDependentsConditions) {
  Script script(tree({worker("A"), worker("B", RestartType::transient, {on("A")})}));
  script.send(RestoreState{"A", ChildState::done, false, 0, std::nullopt});
  const Actions boot = script.boot();
  EXPECT_EQ(spawns(boot), std::vector<std::string>{"B"});
  EXPECT_EQ(changes(boot, "A"), std::vector<std::string>{"A waiting->done restored"});
}

TEST(SupervisorRestoreState, AFailedChildStaysFailedAndTheTreeFinishes) {
  Script script(tree({worker("A")}));
  script.send(RestoreState{"A", ChildState::failed, false, 0, std::nullopt});
  const Actions boot = script.boot();
  EXPECT_TRUE(spawns(boot).empty());
  EXPECT_EQ(script.state("A"), ChildState::failed);
  EXPECT_EQ(finished(boot), std::vector<TreeOutcome>{TreeOutcome::some_not_done});
}

TEST(SupervisorRestoreState, AKeptChildIsRunningNotAdoptedAndItsCrashIsRestarted) {
  Script script(tree({worker("A")}));
  const TimePoint started = script.now() - 10s;
  script.send(RestoreState{"A", ChildState::running, false, 4242, started});
  const Actions boot = script.boot();
  EXPECT_TRUE(spawns(boot).empty());
  EXPECT_EQ(changes(boot, "A"), std::vector<std::string>{"A waiting->running restored"});
  const ChildStatus status = script.status("A");
  EXPECT_EQ(status.pid, 4242);
  EXPECT_EQ(status.started_at, started);

  const Actions crash = script.crash("A");
  EXPECT_EQ(changes(crash, "A"), std::vector<std::string>{"A running->backoff crashed"});
}

TEST(SupervisorRestoreState, IsIgnoredAfterBootAndForStatesThatAreNotCarriedOver) {
  Script script(tree({worker("A"), worker("B")}));
  script.send(RestoreState{"B", ChildState::backoff, false, 0, std::nullopt});
  const Actions boot = script.boot();
  EXPECT_EQ(spawns(boot), (std::vector<std::string>{"A", "B"}));
  EXPECT_TRUE(
      changes(script.send(RestoreState{"A", ChildState::stopped, true, 0, std::nullopt})).empty());
  EXPECT_EQ(script.state("A"), ChildState::running);
}

TEST(SupervisorRestoreState, AnAdoptionAfterItWinsOverAKeptProcess) {
  Script script(tree({worker("A")}));
  script.send(RestoreState{"A", ChildState::running, false, 4242, std::nullopt});
  script.adopt("A", 4343);
  const Actions boot = script.boot();
  EXPECT_EQ(changes(boot, "A"), std::vector<std::string>{"A waiting->adopted adopted"});
  EXPECT_EQ(script.status("A").pid, 4343);
}

}  // namespace
}  // namespace supervise::core::testing
