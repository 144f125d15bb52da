// Shutdown (order, escalation, force) and operator commands.

#include <gtest/gtest.h>

#include "tests/core/supervisor_script.hpp"

namespace supervise::core::testing {
namespace {

using V = std::vector<std::string>;
using Outcomes = std::vector<TreeOutcome>;

// ------------------------------------------------------------- shutdown ---

TEST(SupervisorShutdown, DependentsGoDownBeforeWhatTheyDependOn) {
  Script script(tree(
      {worker("A"), worker("B", RestartType::transient, {on("A", DependencyCondition::started)}),
       worker("C", RestartType::transient, {on("B", DependencyCondition::started)}), worker("D")}));
  script.boot();
  const Actions down = script.command(CommandKind::shutdown);
  // Everyone is stopping at once; signals follow the dependency order.
  EXPECT_EQ(changes(down), (V{"D running->stopping shutdown", "C running->stopping shutdown",
                              "B running->stopping shutdown", "A running->stopping shutdown"}));
  EXPECT_EQ(signals(down), (V{"D term", "C term"}));
  EXPECT_EQ(signals(script.exit("C", ExitStatus::killed(15))), (V{"B term"}));
  EXPECT_EQ(signals(script.exit("B", ExitStatus::killed(15))), (V{"A term"}));
  script.exit("A", ExitStatus::killed(15));
  const Actions last = script.exit("D", ExitStatus::killed(15));
  EXPECT_EQ(finished(last), (Outcomes{TreeOutcome::shut_down}));
  EXPECT_EQ(script.state("A"), ChildState::stopped);
  EXPECT_EQ(script.status("A").reason, Reason::shutdown);
}

TEST(SupervisorShutdown, SigkillFollowsAfterTheShutdownTimeout) {
  ChildSpec a = worker("A");
  a.shutdown.timeout = 3s;
  Script script(tree({a}));
  script.boot();
  const Actions down = script.command(CommandKind::shutdown);
  EXPECT_EQ(signals(down), (V{"A term"}));
  EXPECT_EQ(scheduled(down), (std::vector<Duration>{3s}));
  EXPECT_TRUE(signals(script.advance(2999ms)).empty());
  EXPECT_EQ(signals(script.advance(1ms)), (V{"A kill"}));
  EXPECT_EQ(finished(script.exit("A", ExitStatus::killed(9))), (Outcomes{TreeOutcome::shut_down}));
}

TEST(SupervisorShutdown, ExitBeforeTheTimeoutCancelsTheKill) {
  Script script(tree({worker("A")}));
  script.boot();
  script.command(CommandKind::shutdown);
  const Actions exit = script.exit("A", ExitStatus::exited(0));
  EXPECT_EQ(script.pending_timers(), 0u);
  EXPECT_EQ(changes(exit), (V{"A stopping->stopped shutdown"}));
}

TEST(SupervisorShutdown, BrutalKillSendsSigkillAtOnce) {
  ChildSpec a = worker("A");
  a.shutdown.brutal_kill = true;
  Script script(tree({a}));
  script.boot();
  const Actions down = script.command(CommandKind::shutdown);
  EXPECT_EQ(signals(down), (V{"A kill"}));
  EXPECT_TRUE(scheduled(down).empty());
}

TEST(SupervisorShutdown, WaitingAndBackoffChildrenStopAtOnceAndNothingSpawnsAfter) {
  Script script(
      tree({worker("A", RestartType::permanent), worker("B", RestartType::transient, {on("A")})}));
  script.boot();
  script.crash("A");
  const Actions down = script.command(CommandKind::shutdown);
  EXPECT_EQ(changes(down), (V{"B waiting->stopped shutdown", "A backoff->stopped shutdown"}));
  EXPECT_EQ(finished(down), (Outcomes{TreeOutcome::shut_down}));
  EXPECT_EQ(script.pending_timers(), 0u);
  EXPECT_TRUE(spawns(script.fire_timers()).empty());
  EXPECT_TRUE(spawns(script.command(CommandKind::start, "A")).empty());
}

TEST(SupervisorShutdown, StartingChildIsSignalledOnceItsPidIsKnown) {
  Script script(tree({worker("A")}));
  script.auto_spawned = false;
  script.boot();
  const Actions down = script.command(CommandKind::shutdown);
  EXPECT_EQ(changes(down), (V{"A starting->stopping shutdown"}));
  EXPECT_TRUE(signals(down).empty());
  EXPECT_EQ(signals(script.spawned("A")), (V{"A term"}));
}

TEST(SupervisorShutdown, ForceKillsEverythingStillStopping) {
  Script script(tree(
      {worker("A"), worker("B", RestartType::transient, {on("A", DependencyCondition::started)})}));
  script.boot();
  script.command(CommandKind::shutdown);  // B term; A waits for B
  const Actions force = script.command(CommandKind::force);
  EXPECT_EQ(signals(force), (V{"B kill", "A kill"}));
  script.exit("A", ExitStatus::killed(9));
  EXPECT_EQ(finished(script.exit("B", ExitStatus::killed(9))), (Outcomes{TreeOutcome::shut_down}));
}

TEST(SupervisorShutdown, NestedNodeStopsAfterItsChildren) {
  Script script(tree({supervisor_node("S", plain_policy(), {worker("x"), worker("y")})}));
  script.boot();
  const Actions down = script.command(CommandKind::shutdown);
  EXPECT_EQ(changes(down), (V{"S running->stopping shutdown", "y running->stopping shutdown",
                              "x running->stopping shutdown"}));
  script.exit("y", ExitStatus::killed(15));
  const Actions last = script.exit("x", ExitStatus::killed(15));
  EXPECT_EQ(changes(last), (V{"x stopping->stopped shutdown", "S stopping->stopped shutdown"}));
  EXPECT_EQ(finished(last), (Outcomes{TreeOutcome::shut_down}));
}

TEST(SupervisorShutdown, ShutdownOfATreeAtRestReportsTheShutdown) {
  Script script(tree({worker("A")}));
  script.boot();
  EXPECT_EQ(finished(script.exit("A", ExitStatus::exited(0))), (Outcomes{TreeOutcome::all_done}));
  EXPECT_EQ(finished(script.command(CommandKind::shutdown)), (Outcomes{TreeOutcome::shut_down}));
  EXPECT_TRUE(script.command(CommandKind::shutdown).empty());
}

TEST(SupervisorShutdown, StreamChildStoppedWithItsStreamCompleteIsDone) {
  Script script(tree({stream_worker("A")}));
  script.boot();
  script.stream("A");
  script.command(CommandKind::shutdown);
  EXPECT_EQ(changes(script.exit("A", ExitStatus::killed(15))),
            (V{"A stopping->done stream_complete"}));
}

// -------------------------------------------------------------- operator ---

TEST(SupervisorOperator, StopKeepsTheChildStoppedUntilStart) {
  Script script(tree({worker("A", RestartType::permanent)}));
  script.boot();
  const Actions stop = script.command(CommandKind::stop, "A");
  EXPECT_EQ(changes(stop), (V{"A running->stopping operator_command"}));
  EXPECT_EQ(signals(stop), (V{"A term"}));
  const Actions exit = script.exit("A", ExitStatus::killed(15));
  EXPECT_EQ(changes(exit), (V{"A stopping->stopped operator_command"}));
  // Stopped is final: the tree is at rest (the runtime may stay for a start).
  EXPECT_EQ(finished(exit), (Outcomes{TreeOutcome::some_not_done}));
  EXPECT_TRUE(spawns(script.advance(10min)).empty());
  const Actions start = script.command(CommandKind::start, "A");
  EXPECT_EQ(spawns(start), (V{"A"}));
}

TEST(SupervisorOperator, StartResetsTheRestartCount) {
  ChildSpec a = worker("A");
  a.max_restarts = 1;
  Script script(tree({a}));
  script.boot();
  script.crash("A");
  script.advance(1s);
  script.crash("A");
  ASSERT_EQ(script.state("A"), ChildState::failed);
  EXPECT_EQ(spawns(script.command(CommandKind::start, "A")), (V{"A"}));
  EXPECT_EQ(script.status("A").restarts, 0);
  EXPECT_EQ(script.crash("A").size(), 2u) << "backoff again, not failed";
  EXPECT_EQ(script.state("A"), ChildState::backoff);
}

TEST(SupervisorOperator, RestartStopsAndStartsWithoutCountingACrash) {
  Script script(tree({worker("A", RestartType::permanent)}));
  script.boot();
  script.crash("A");
  script.advance(1s);
  script.crash("A");
  script.advance(2s);
  EXPECT_EQ(signals(script.command(CommandKind::restart, "A")), (V{"A term"}));
  const Actions exit = script.exit("A", ExitStatus::killed(15));
  EXPECT_EQ(changes(exit),
            (V{"A stopping->starting operator_command", "A starting->running spawned"}));
  EXPECT_EQ(script.status("A").restarts, 2);
  EXPECT_EQ(scheduled(script.crash("A")), (std::vector<Duration>{1s})) << "backoff reset";
}

TEST(SupervisorOperator, RestartDuringBackoffStartsAtOnce) {
  Script script(tree({worker("A", RestartType::permanent)}));
  script.boot();
  script.crash("A");
  const Actions restart = script.command(CommandKind::restart, "A");
  EXPECT_EQ(spawns(restart), (V{"A"}));
  EXPECT_EQ(script.pending_timers(), 0u);
}

TEST(SupervisorOperator, UnknownChildIsIgnored) {
  Script script(tree({worker("A")}));
  script.boot();
  EXPECT_TRUE(script.command(CommandKind::stop, "nope").empty());
  EXPECT_TRUE(script.command(CommandKind::start, "nope").empty());
  EXPECT_TRUE(script.command(CommandKind::restart, "nope").empty());
}

TEST(SupervisorOperator, StartAChildOfAnEndedNodeBringsTheNodeBack) {
  Script script(tree({supervisor_node("S", plain_policy(), {worker("x"), worker("y")})}));
  script.boot();
  script.exit("x", ExitStatus::exited(0));
  script.exit("y", ExitStatus::exited(2));
  script.command(CommandKind::stop, "y");  // in backoff: stopped at once
  ASSERT_EQ(script.state("S"), ChildState::stopped);
  const Actions start = script.command(CommandKind::start, "y");
  EXPECT_EQ(changes(start),
            (V{"S stopped->running operator_command", "y stopped->waiting operator_command",
               "y waiting->starting operator_command", "y starting->running spawned"}));
  EXPECT_EQ(script.state("x"), ChildState::done);
}

TEST(SupervisorOperator, RestartOfANestedNodeRestartsAllItsChildren) {
  Script script(tree({supervisor_node("S", plain_policy(), {worker("x"), worker("y")})}));
  script.boot();
  script.exit("x", ExitStatus::exited(0));
  script.command(CommandKind::restart, "S");
  const Actions end = script.exit("y", ExitStatus::killed(15));
  EXPECT_EQ(spawns(end), (V{"x", "y"}));
  EXPECT_EQ(script.state("S"), ChildState::running);
}

TEST(SupervisorOperator, RestartAfterFinishedRunsTheTreeAgainAndFinishesAgain) {
  Script script(tree({worker("A")}));
  script.boot();
  EXPECT_EQ(finished(script.exit("A", ExitStatus::exited(0))), (Outcomes{TreeOutcome::all_done}));
  EXPECT_EQ(spawns(script.command(CommandKind::restart, "A")), (V{"A"}));
  EXPECT_EQ(finished(script.exit("A", ExitStatus::exited(0))), (Outcomes{TreeOutcome::all_done}));
}

}  // namespace
}  // namespace supervise::core::testing

namespace supervise::core::testing {
namespace {

TEST(SupervisorShutdown, ShutdownBeforeBootStopsEverythingWithoutSpawning) {
  Script script(tree({worker("A"), supervisor_node("S", plain_policy(), {worker("x")})}));
  const Actions down = script.command(CommandKind::shutdown);
  EXPECT_TRUE(spawns(down).empty());
  EXPECT_EQ(finished(down), (Outcomes{TreeOutcome::shut_down}));
  EXPECT_TRUE(script.boot().empty());
}

TEST(SupervisorShutdown, AdoptedChildrenAreStoppedLikeOurOwn) {
  Script script(tree({worker("A"), worker("B")}));
  script.adopt("A", 4242);
  script.boot();
  const Actions down = script.command(CommandKind::shutdown);
  EXPECT_EQ(changes(down, "A"), (V{"A adopted->stopping shutdown"}));
  EXPECT_EQ(signals(down), (V{"B term", "A term"}));
  script.exit("B", ExitStatus::killed(15));
  EXPECT_EQ(finished(script.exit("A", ExitStatus::unknown())), (Outcomes{TreeOutcome::shut_down}));
}

}  // namespace
}  // namespace supervise::core::testing
