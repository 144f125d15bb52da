// Restart intensity, strategies and nested supervisor nodes.

#include <gtest/gtest.h>

#include "tests/core/supervisor_script.hpp"

namespace supervise::core::testing {
namespace {

using V = std::vector<std::string>;

SupervisorPolicy with_intensity(int intensity, Duration period,
                                Strategy strategy = Strategy::one_for_one) {
  SupervisorPolicy policy = plain_policy(strategy);
  policy.intensity = intensity;
  policy.period = period;
  policy.backoff.initial = 0ms;
  return policy;
}

// ------------------------------------------------------------ intensity ---

TEST(SupervisorIntensity, RootGivesUpStopsChildrenInReverseOrderAndFinishesRootFailed) {
  Script script(tree({worker("A", RestartType::permanent), worker("B"), worker("C")},
                     with_intensity(2, 10s)));
  script.boot();
  script.crash("B");
  script.advance(0ms);
  script.crash("B");
  script.advance(0ms);
  const Actions third = script.crash("B");
  EXPECT_EQ(changes(third), (V{"B running->failed intensity", "C running->stopping intensity",
                               "A running->stopping intensity"}));
  EXPECT_EQ(signals(third), (V{"C term", "A term"}));
  EXPECT_TRUE(finished(third).empty());
  script.exit("C", ExitStatus::killed(15));
  const Actions last = script.exit("A", ExitStatus::killed(15));
  EXPECT_EQ(changes(last), (V{"A stopping->stopped intensity"}));
  EXPECT_EQ(finished(last), (std::vector<TreeOutcome>{TreeOutcome::root_failed}));
  EXPECT_TRUE(spawns(script.fire_timers()).empty()) << "nothing starts after the root failed";
}

TEST(SupervisorIntensity, RestartsOutsideThePeriodDoNotCount) {
  Script script(tree({worker("A", RestartType::permanent)}, with_intensity(2, 10s)));
  script.boot();
  for (int k = 0; k < 10; ++k) {
    script.crash("A");
    script.advance(0ms);
    EXPECT_EQ(script.state("A"), ChildState::running) << k;
    script.advance(5001ms);  // two restarts fit into any 10s window
  }
}

TEST(SupervisorIntensity, RestartsInWindowShowsInStatus) {
  Script script(tree({worker("A", RestartType::permanent)}, with_intensity(5, 10s)));
  script.boot();
  script.crash("A");
  script.advance(4s);
  script.crash("A");
  script.advance(4s);
  EXPECT_EQ(script.status("A").restarts_in_window, 2);
  script.advance(3s);
  EXPECT_EQ(script.status("A").restarts_in_window, 1);
  EXPECT_EQ(script.status("A").restarts, 2);
}

TEST(SupervisorIntensity, ZeroIntensityGivesUpOnTheFirstRestart) {
  Script script(tree({worker("A")}, with_intensity(0, 10s)));
  script.boot();
  const Actions crash = script.crash("A");
  EXPECT_EQ(changes(crash), (V{"A running->failed intensity"}));
  EXPECT_EQ(finished(crash), (std::vector<TreeOutcome>{TreeOutcome::root_failed}));
}

// ----------------------------------------------------------- strategies ---

TEST(SupervisorStrategy, OneForOneRestartsOnlyTheChild) {
  Script script(tree({worker("A"), worker("B"), worker("C")}));
  script.boot();
  const Actions crash = script.crash("B");
  EXPECT_EQ(changes(crash), (V{"B running->backoff crashed"}));
  EXPECT_TRUE(signals(crash).empty());
  EXPECT_EQ(spawns(script.advance(1s)), (V{"B"}));
}

TEST(SupervisorStrategy, OneForAllStopsTheOthersInReverseOrderThenRestartsAllInOrder) {
  Script script(tree({worker("A"), worker("B"), worker("C")}, plain_policy(Strategy::one_for_all)));
  script.boot();
  const Actions crash = script.crash("B");
  EXPECT_EQ(changes(crash), (V{"B running->backoff crashed", "C running->stopping sibling_restart",
                               "A running->stopping sibling_restart"}));
  EXPECT_EQ(signals(crash), (V{"C term", "A term"}));
  script.exit("C", ExitStatus::killed(15));
  EXPECT_EQ(script.state("C"), ChildState::backoff);
  // The delay passes while A is still stopping: the group waits for it.
  EXPECT_TRUE(spawns(script.advance(1s)).empty());
  const Actions restart = script.exit("A", ExitStatus::killed(15));
  EXPECT_EQ(spawns(restart), (V{"A", "B", "C"}));
  EXPECT_EQ(script.status("A").restarts, 0) << "siblings stopped for a restart did not crash";
  EXPECT_EQ(script.status("B").restarts, 1);
}

TEST(SupervisorStrategy, OneForAllDoesNotRestartTemporarySiblings) {
  Script script(tree({worker("A", RestartType::temporary), worker("B")},
                     plain_policy(Strategy::one_for_all)));
  script.boot();
  script.crash("B");
  script.exit("A", ExitStatus::killed(15));
  EXPECT_EQ(script.state("A"), ChildState::stopped);
  EXPECT_EQ(spawns(script.advance(1s)), (V{"B"}));
}

TEST(SupervisorStrategy, OneForAllLeavesEndedSiblingsAlone) {
  Script script(tree({worker("A"), worker("B")}, plain_policy(Strategy::one_for_all)));
  script.boot();
  script.exit("A", ExitStatus::exited(0));
  const Actions crash = script.crash("B");
  EXPECT_TRUE(signals(crash).empty());
  EXPECT_EQ(spawns(script.advance(1s)), (V{"B"}));
  EXPECT_EQ(script.state("A"), ChildState::done);
}

TEST(SupervisorStrategy, RestForOneRestartsTheChildAndThoseStartedAfterIt) {
  Script script(tree({worker("A"), worker("B"), worker("C"), worker("D")},
                     plain_policy(Strategy::rest_for_one)));
  script.boot();
  const Actions crash = script.crash("B");
  EXPECT_EQ(signals(crash), (V{"D term", "C term"}));
  script.exit("D", ExitStatus::killed(15));
  script.exit("C", ExitStatus::exited(0));
  EXPECT_EQ(spawns(script.advance(1s)), (V{"B", "C", "D"}));
  EXPECT_EQ(script.state("A"), ChildState::running);
}

TEST(SupervisorStrategy, RestartedSiblingsStillRespectTheirDependencies) {
  Script script(tree({stream_worker("A"), stream_worker("B", {on("A")})},
                     plain_policy(Strategy::one_for_all)));
  script.boot();
  EXPECT_EQ(spawns(script.stream("A")), (V{"B"}));
  script.stream("A", false);  // a task was added to A's stream
  script.crash("A");
  script.exit("B", ExitStatus::killed(15));
  EXPECT_EQ(spawns(script.advance(1s)), (V{"A"}));
  EXPECT_EQ(script.state("B"), ChildState::waiting);
  EXPECT_EQ(spawns(script.stream("A")), (V{"B"}));
}

TEST(SupervisorStrategy, SiblingCrashWhileGroupWaitsJoinsTheSameRestart) {
  Script script(tree({worker("A"), worker("B"), worker("C")}, plain_policy(Strategy::one_for_all)));
  script.boot();
  script.crash("A");
  // C exits before the stop signal lands: it is part of the group anyway.
  script.exit("C", ExitStatus::exited(1));
  script.exit("B", ExitStatus::killed(15));
  EXPECT_EQ(spawns(script.advance(1s)), (V{"A", "B", "C"}));
}

// ------------------------------------------------------- nested nodes ---

SupervisorSpec nested_tree(int inner_intensity,
                           RestartType inner_restart = RestartType::permanent) {
  SupervisorPolicy inner = with_intensity(inner_intensity, 60s);
  inner.backoff.initial = 1s;
  return tree({worker("top"),
               supervisor_node("S", inner, {worker("x", RestartType::permanent), worker("y")},
                               inner_restart)});
}

TEST(SupervisorNested, NodeRunsWhileItsChildrenRunAndNeverSpawns) {
  Script script(nested_tree(5));
  const Actions boot = script.boot();
  EXPECT_EQ(spawns(boot), (V{"top", "x", "y"}));
  EXPECT_EQ(script.state("S"), ChildState::running);
  EXPECT_EQ(script.status("x").parent, "S");
  EXPECT_EQ(script.status("S").parent, "");
  EXPECT_EQ(script.status("S").type, ChildType::supervisor);
}

TEST(SupervisorNested, ChildCrashUsesTheNodesOwnPolicy) {
  Script script(nested_tree(5));
  script.boot();
  EXPECT_EQ(scheduled(script.crash("x")), (std::vector<Duration>{1s}));
  EXPECT_EQ(spawns(script.advance(1s)), (V{"x"}));
}

TEST(SupervisorNested, NodeOverItsIntensityFailsUpwardAndIsRestartedFresh) {
  Script script(nested_tree(1));
  script.boot();
  script.crash("x");
  script.advance(1s);
  const Actions second = script.crash("x");
  EXPECT_EQ(changes(second), (V{"x running->failed intensity", "S running->stopping intensity",
                                "y running->stopping intensity"}));
  EXPECT_EQ(signals(second), (V{"y term"}));
  const Actions stopped = script.exit("y", ExitStatus::killed(15));
  // The root treats S like a crashed child: backoff with the root's policy.
  EXPECT_EQ(changes(stopped),
            (V{"y stopping->stopped intensity", "S stopping->backoff intensity"}));
  EXPECT_EQ(script.status("S").restarts, 1);
  const Actions restart = script.advance(1s);
  EXPECT_EQ(spawns(restart), (V{"x", "y"}));
  EXPECT_EQ(script.state("S"), ChildState::running);
  EXPECT_EQ(script.state("top"), ChildState::running) << "the root's other children are untouched";
  // Fresh: x starts over with the initial backoff and a new intensity window.
  EXPECT_EQ(scheduled(script.crash("x")), (std::vector<Duration>{1s}));
}

TEST(SupervisorNested, TemporaryNodeOverItsIntensityEndsFailed) {
  Script script(nested_tree(0, RestartType::temporary));
  script.boot();
  script.crash("x");
  const Actions last = script.exit("y", ExitStatus::killed(15));
  EXPECT_EQ(changes(last, "S"), (V{"S stopping->failed intensity"}));
  EXPECT_EQ(script.state("top"), ChildState::running);
}

TEST(SupervisorNested, NodeIsDoneWhenAllItsChildrenAre) {
  Script script(nested_tree(5));
  script.boot();
  script.exit("y", ExitStatus::exited(0));
  script.command(CommandKind::stop, "x");
  const Actions x_end = script.exit("x", ExitStatus::killed(15));
  EXPECT_EQ(changes(x_end, "S"), (V{"S running->stopped children_ended"}));
  Script done(tree({supervisor_node("S", plain_policy(), {worker("a"), worker("b")})}));
  done.boot();
  done.exit("a", ExitStatus::exited(0));
  const Actions end = done.exit("b", ExitStatus::exited(0));
  EXPECT_EQ(changes(end, "S"), (V{"S running->done children_ended"}));
  EXPECT_EQ(finished(end), (std::vector<TreeOutcome>{TreeOutcome::all_done}));
}

TEST(SupervisorNested, NodeWithAFailedChildEndsFailedAndIsNotRestarted) {
  ChildSpec a = worker("a");
  a.max_restarts = 0;
  Script script(tree({supervisor_node("S", plain_policy(), {a})}));
  script.boot();
  const Actions crash = script.crash("a");
  EXPECT_EQ(changes(crash),
            (V{"a running->failed max_restarts", "S running->failed children_ended"}));
  EXPECT_EQ(finished(crash), (std::vector<TreeOutcome>{TreeOutcome::some_not_done}));
}

TEST(SupervisorNested, OneForAllAtTheParentRestartsANestedNodeWithItsChildren) {
  Script script(tree({worker("A"), supervisor_node("S", plain_policy(), {worker("x")})},
                     plain_policy(Strategy::one_for_all)));
  script.boot();
  const Actions crash = script.crash("A");
  EXPECT_EQ(changes(crash), (V{"A running->backoff crashed", "S running->stopping sibling_restart",
                               "x running->stopping sibling_restart"}));
  const Actions x_end = script.exit("x", ExitStatus::killed(15));
  EXPECT_EQ(changes(x_end),
            (V{"x stopping->stopped sibling_restart", "S stopping->backoff sibling_restart"}));
  const Actions restart = script.advance(1s);
  EXPECT_EQ(spawns(restart), (V{"A", "x"}));
  EXPECT_EQ(script.state("S"), ChildState::running);
}

}  // namespace
}  // namespace supervise::core::testing
