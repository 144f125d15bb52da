// What the core makes of a stalled worker: on_stall alert changes nothing,
// on_stall restart stops it and restarts it as after a crash (backoff,
// max_restarts, intensity), never during a shutdown.

#include <gtest/gtest.h>

#include "tests/core/supervisor_script.hpp"

namespace supervise::core::testing {
namespace {

using V = std::vector<std::string>;

ChildSpec stalling_worker(std::string id, StallAction action,
                          RestartType restart = RestartType::transient) {
  ChildSpec spec = worker(std::move(id), restart);
  spec.stall_after = 2s;
  spec.on_stall = action;
  return spec;
}

TEST(SupervisorStall, AnAlertOnlyWorkerKeepsRunning) {
  Script script(tree({stalling_worker("A", StallAction::alert)}));
  script.boot();
  const Actions actions = script.send(Stalled{"A", "quiet for 2s"});
  EXPECT_TRUE(actions.empty());
  EXPECT_EQ(script.state("A"), ChildState::running);
}

TEST(SupervisorStall, ARestartWorkerIsStoppedThenRestartedAfterItsBackoffAsACrash) {
  Script script(tree({stalling_worker("A", StallAction::restart)}));
  script.boot();
  const Actions stop = script.send(Stalled{"A", "quiet for 2s"});
  EXPECT_EQ(signals(stop), (V{"A term"}));
  EXPECT_EQ(changes(stop, "A"), (V{"A running->stopping stalled"}));

  const Actions ended = script.exit("A", ExitStatus::killed(15));
  EXPECT_EQ(changes(ended, "A"), (V{"A stopping->backoff stalled"}));
  EXPECT_TRUE(spawns(ended).empty()) << "the restart waits for its backoff";
  EXPECT_EQ(script.status("A").restarts, 1);
  EXPECT_EQ(script.status("A").restarts_in_window, 1) << "it counts toward the intensity";

  EXPECT_EQ(spawns(script.advance(1s)), (V{"A"}));
  EXPECT_EQ(script.state("A"), ChildState::running);
}

TEST(SupervisorStall, StallRestartsUseUpMaxRestarts) {
  ChildSpec spec = stalling_worker("A", StallAction::restart);
  spec.max_restarts = 1;
  Script script(tree({spec}));
  script.boot();
  script.send(Stalled{"A", ""});
  script.exit("A", ExitStatus::killed(15));
  script.advance(1s);
  ASSERT_EQ(script.state("A"), ChildState::running);
  script.send(Stalled{"A", ""});
  script.exit("A", ExitStatus::killed(15));
  EXPECT_EQ(script.state("A"), ChildState::failed);
  EXPECT_EQ(script.status("A").reason, Reason::max_restarts);
}

TEST(SupervisorStall, ATemporaryWorkerThatStallsEndsFailed) {
  Script script(tree({stalling_worker("A", StallAction::restart, RestartType::temporary)}));
  script.boot();
  script.send(Stalled{"A", ""});
  script.exit("A", ExitStatus::killed(15));
  EXPECT_EQ(script.state("A"), ChildState::failed);
  EXPECT_EQ(script.status("A").reason, Reason::stalled);
}

TEST(SupervisorStall, AStreamThatCompletedMeanwhileIsDoneNotRestarted) {
  ChildSpec spec = stalling_worker("A", StallAction::restart);
  spec.complete_when = CompletionRule::stream;
  Script script(tree({spec}));
  script.boot();
  script.send(Stalled{"A", ""});
  script.stream("A");
  script.exit("A", ExitStatus::killed(15));
  EXPECT_EQ(script.state("A"), ChildState::done);
}

TEST(SupervisorStall, IsIgnoredWhenTheWorkerDoesNotRunOrTheTreeShutsDown) {
  Script script(tree({stalling_worker("A", StallAction::restart)}));
  EXPECT_TRUE(script.send(Stalled{"A", ""}).empty()) << "before boot";
  script.boot();
  script.crash("A");
  ASSERT_EQ(script.state("A"), ChildState::backoff);
  EXPECT_TRUE(script.send(Stalled{"A", ""}).empty()) << "in backoff";
  script.advance(1s);
  script.command(CommandKind::shutdown);
  ASSERT_EQ(script.state("A"), ChildState::stopping);
  EXPECT_TRUE(script.send(Stalled{"A", ""}).empty()) << "while shutting down";
  EXPECT_TRUE(script.send(Stalled{"nobody", ""}).empty()) << "an unknown child";
}

TEST(SupervisorStall, ShutdownDuringAStallStopWinsAndNothingRestarts) {
  Script script(tree({stalling_worker("A", StallAction::restart)}));
  script.boot();
  script.send(Stalled{"A", ""});
  script.command(CommandKind::shutdown);
  const Actions ended = script.exit("A", ExitStatus::killed(15));
  EXPECT_EQ(script.state("A"), ChildState::stopped);
  EXPECT_TRUE(spawns(ended).empty());
}

TEST(StallDefaults, StreamWorkersDefaultToThirtyMinutesCustomCommandsToNever) {
  ChildSpec shim_worker;
  EXPECT_EQ(effective_stall_after(shim_worker), kStreamWorkerStallAfter);
  ChildSpec command_worker;
  command_worker.command = {"make"};
  EXPECT_EQ(effective_stall_after(command_worker), std::nullopt);
  command_worker.stall_after = 5s;
  EXPECT_EQ(effective_stall_after(command_worker), Duration{5s});
  shim_worker.stall_after = Duration{0};
  EXPECT_EQ(effective_stall_after(shim_worker), std::nullopt) << "stall_after: off";
  ChildSpec node;
  node.type = ChildType::supervisor;
  node.stall_after = 5s;
  EXPECT_EQ(effective_stall_after(node), std::nullopt);
}

}  // namespace
}  // namespace supervise::core::testing
