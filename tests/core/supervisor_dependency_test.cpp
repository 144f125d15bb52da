// Dependency conditions and their ends.

#include <gtest/gtest.h>

#include "tests/core/supervisor_script.hpp"

namespace supervise::core::testing {
namespace {

using V = std::vector<std::string>;
using DC = DependencyCondition;

TEST(SupervisorDependencies, WaitingChildListsWhatItWaitsFor) {
  Script script(
      tree({stream_worker("A"), stream_worker("B"), stream_worker("Z", {on("A"), on("B")})}));
  const Actions boot = script.boot();
  EXPECT_EQ(spawns(boot), (V{"A", "B"}));
  EXPECT_EQ(script.state("Z"), ChildState::waiting);
  EXPECT_EQ(script.status("Z").waiting_for, (V{"A", "B"}));
  script.stream("A");
  EXPECT_EQ(script.status("Z").waiting_for, (V{"B"}));
}

TEST(SupervisorDependencies, CompletedStreamStartsItsDependentWhileTheWorkerStillRuns) {
  Script script(tree({stream_worker("A"), stream_worker("B", {on("A")})}));
  script.boot();
  const Actions progress = script.stream("A");
  EXPECT_EQ(spawns(progress), (V{"B"}));
  EXPECT_EQ(changes(progress, "B").front(), "B waiting->starting dependencies_met");
  EXPECT_EQ(script.state("A"), ChildState::running);
}

TEST(SupervisorDependencies, CompletedMeansDoneForExitCodeWorkers) {
  Script script(tree({worker("A"), worker("B", RestartType::transient, {on("A")})}));
  script.boot();
  EXPECT_TRUE(spawns(script.crash("A")).empty());
  script.advance(1s);
  EXPECT_EQ(spawns(script.exit("A", ExitStatus::exited(0))), (V{"B"}));
}

TEST(SupervisorDependencies, StartedMeansRunningOnceNotJustAskedFor) {
  Script script(tree({worker("A"), worker("B", RestartType::transient, {on("A", DC::started)})}));
  script.auto_spawned = false;
  EXPECT_EQ(spawns(script.boot()), (V{"A"}));
  EXPECT_EQ(spawns(script.spawned("A")), (V{"B"}));
}

TEST(SupervisorDependencies, AdoptedCountsAsStarted) {
  Script script(tree({worker("A"), worker("B", RestartType::transient, {on("A", DC::started)})}));
  script.adopt("A", 77);
  EXPECT_EQ(spawns(script.boot()), (V{"B"}));
}

TEST(SupervisorDependencies, HealthyWaitsForHealthyAfterOfRunning) {
  ChildSpec a = worker("A");
  a.healthy_after = 5s;
  Script script(tree({a, worker("B", RestartType::transient, {on("A", DC::healthy)})}));
  const Actions boot = script.boot();
  EXPECT_EQ(spawns(boot), (V{"A"}));
  EXPECT_EQ(scheduled(boot), (std::vector<Duration>{5s}));
  EXPECT_TRUE(spawns(script.advance(4999ms)).empty());
  EXPECT_EQ(spawns(script.advance(1ms)), (V{"B"}));
}

TEST(SupervisorDependencies, HealthyClockStartsOverAfterACrash) {
  ChildSpec a = worker("A");
  a.healthy_after = 5s;
  Script script(tree({a, worker("B", RestartType::transient, {on("A", DC::healthy)})}));
  script.boot();
  script.advance(3s);
  script.crash("A");
  script.advance(1s);  // restarted
  EXPECT_TRUE(spawns(script.advance(4s)).empty());
  EXPECT_EQ(spawns(script.advance(1s)), (V{"B"}));
}

TEST(SupervisorDependencies, HealthyAfterZeroIsHealthyOnceRunning) {
  Script script(tree({worker("A"), worker("B", RestartType::transient, {on("A", DC::healthy)})}));
  EXPECT_EQ(spawns(script.boot()), (V{"A", "B"}));
}

TEST(SupervisorDependencies, DependencyOnANestedNodeWaitsForTheWholeNode) {
  Script script(tree({supervisor_node("S", plain_policy(), {worker("x"), worker("y")}),
                      worker("after", RestartType::transient, {on("S")})}));
  script.boot();
  EXPECT_EQ(script.state("after"), ChildState::waiting);
  script.exit("x", ExitStatus::exited(0));
  EXPECT_EQ(spawns(script.exit("y", ExitStatus::exited(0))), (V{"after"}));
}

TEST(SupervisorDependencies, NestedNodeWithDependenciesHoldsItsChildren) {
  SupervisorSpec spec = tree({worker("A"), supervisor_node("S", plain_policy(), {worker("x")})});
  spec.children[1].depends_on = {on("A")};
  Script held(spec);
  held.boot();
  EXPECT_EQ(held.state("S"), ChildState::waiting);
  EXPECT_EQ(held.status("x").waiting_for, (V{"S"}));
  const Actions a_done = held.exit("A", ExitStatus::exited(0));
  EXPECT_EQ(changes(a_done),
            (V{"A running->done exited_normally", "S waiting->running dependencies_met",
               "x waiting->starting dependencies_met", "x starting->running spawned"}));
}

TEST(SupervisorDependencies, DependentsOfAChildThatEndedForGoodAreStopped) {
  ChildSpec a = worker("A");
  a.max_restarts = 0;
  Script script(tree({a, worker("B", RestartType::transient, {on("A")}),
                      worker("C", RestartType::transient, {on("B")})}));
  script.boot();
  const Actions crash = script.crash("A");
  EXPECT_EQ(changes(crash),
            (V{"A running->failed max_restarts", "B waiting->stopped dependency_ended",
               "C waiting->stopped dependency_ended"}));
  EXPECT_EQ(last_change(crash, "B")->detail, "A ended failed");
  EXPECT_EQ(finished(crash), (std::vector<TreeOutcome>{TreeOutcome::some_not_done}));
}

TEST(SupervisorDependencies, StartedDependencyThatLaterFailedIsStillMet) {
  ChildSpec a = worker("A");
  a.max_restarts = 0;
  Script script(tree({a, worker("B", RestartType::transient, {on("A", DC::started)})}));
  script.auto_spawned = false;
  script.boot();
  script.spawned("A");
  script.crash("A");
  EXPECT_EQ(script.state("B"), ChildState::starting);
}

TEST(SupervisorDependencies, DependentOfAChildInsideARestartingNodeWaitsForTheRestart) {
  SupervisorPolicy inner = plain_policy();
  inner.intensity = 0;
  Script script(
      tree({supervisor_node("S", inner, {stream_worker("x")}), stream_worker("after", {on("x")})}));
  script.boot();
  script.crash("x");  // S gives up and is restarted by the root
  EXPECT_EQ(script.state("S"), ChildState::backoff);
  EXPECT_EQ(script.state("x"), ChildState::failed);
  EXPECT_EQ(script.state("after"), ChildState::waiting);
  script.advance(1s);
  EXPECT_EQ(script.state("x"), ChildState::running);
  EXPECT_EQ(spawns(script.stream("x")), (V{"after"}));
}

TEST(SupervisorDependencies, DependentsOfAnOperatorStoppedChildWait) {
  Script script(tree({worker("A"), worker("B", RestartType::transient, {on("A")})}));
  script.boot();
  script.command(CommandKind::stop, "A");
  script.exit("A", ExitStatus::killed(15));
  EXPECT_EQ(script.state("A"), ChildState::stopped);
  EXPECT_EQ(script.state("B"), ChildState::waiting);
  script.command(CommandKind::start, "A");
  EXPECT_EQ(spawns(script.exit("A", ExitStatus::exited(0))), (V{"B"}));
}

}  // namespace
}  // namespace supervise::core::testing
