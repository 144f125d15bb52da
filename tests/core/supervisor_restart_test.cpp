// Restart decisions of the supervision core: restart type x exit kind, stream
// workers, backoff, max_restarts, restored history, adopted workers.

#include <gtest/gtest.h>

#include "supervisor/core/backoff.hpp"
#include "tests/core/supervisor_script.hpp"

namespace supervise::core::testing {
namespace {

using V = std::vector<std::string>;

TEST(SupervisorBoot, SpawnsEveryChildWithoutDependenciesInSpecOrder) {
  Script script(tree({worker("A"), worker("B")}));
  const Actions actions = script.boot();
  EXPECT_EQ(spawns(actions), (V{"A", "B"}));
  EXPECT_EQ(script.state("A"), ChildState::running);
  EXPECT_EQ(script.status("A").pid, 1000);
  EXPECT_EQ(script.status("A").started_at, script.now());
}

TEST(SupervisorBoot, EmptyTreeFinishesAtOnce) {
  Script script(tree({}));
  EXPECT_EQ(finished(script.boot()), (std::vector<TreeOutcome>{TreeOutcome::all_done}));
}

TEST(SupervisorBoot, EventsBeforeBootAreNotAnsweredWithActions) {
  Script script(tree({worker("A")}));
  EXPECT_TRUE(script.crash("A").empty());
  EXPECT_TRUE(script.fire(1).empty());
  EXPECT_TRUE(script.command(CommandKind::stop, "A").empty());
  EXPECT_EQ(spawns(script.boot()), (V{"A"}));
  EXPECT_TRUE(script.boot().empty()) << "a second Boot does nothing";
}

// --------------------------------------------------- restart type x exit ---

struct RestartCase {
  RestartType restart;
  CompletionRule rule;
  ExitStatus status;
  ChildState expected;
  Reason reason;
};

class RestartTable : public ::testing::TestWithParam<RestartCase> {};

TEST_P(RestartTable, ExitLeadsToTheExpectedState) {
  const RestartCase& c = GetParam();
  ChildSpec spec = worker("A", c.restart);
  spec.complete_when = c.rule;
  Script script(tree({spec}));
  script.boot();
  const Actions actions = script.exit("A", c.status);
  EXPECT_EQ(script.state("A"), c.expected) << c.status.describe();
  EXPECT_EQ(last_change(actions, "A")->reason, c.reason);
  EXPECT_TRUE(spawns(actions).empty()) << "a restart waits for its backoff";
}

using RT = RestartType;
using CR = CompletionRule;
using CS = ChildState;

INSTANTIATE_TEST_SUITE_P(
    ExitCodeWorkers, RestartTable,
    ::testing::Values(RestartCase{RT::permanent, CR::exit_code, ExitStatus::exited(0), CS::backoff,
                                  Reason::exited_normally},
                      RestartCase{RT::permanent, CR::exit_code, ExitStatus::exited(1), CS::backoff,
                                  Reason::crashed},
                      RestartCase{RT::permanent, CR::exit_code, ExitStatus::killed(15), CS::stopped,
                                  Reason::stopped_externally},
                      RestartCase{RT::transient, CR::exit_code, ExitStatus::exited(0), CS::done,
                                  Reason::exited_normally},
                      RestartCase{RT::transient, CR::exit_code, ExitStatus::exited(3), CS::backoff,
                                  Reason::crashed},
                      RestartCase{RT::transient, CR::exit_code, ExitStatus::killed(9), CS::backoff,
                                  Reason::crashed},
                      RestartCase{RT::transient, CR::exit_code, ExitStatus::exited(130),
                                  CS::stopped, Reason::stopped_externally},
                      RestartCase{RT::temporary, CR::exit_code, ExitStatus::exited(0), CS::done,
                                  Reason::exited_normally},
                      RestartCase{RT::temporary, CR::exit_code, ExitStatus::exited(2), CS::failed,
                                  Reason::crashed},
                      RestartCase{RT::temporary, CR::exit_code, ExitStatus::killed(1), CS::stopped,
                                  Reason::stopped_externally}));

INSTANTIATE_TEST_SUITE_P(StreamWorkers, RestartTable,
                         ::testing::Values(
                             // exit 0 with tasks left is a crash: the worker gave up early.
                             RestartCase{RT::transient, CR::stream, ExitStatus::exited(0),
                                         CS::backoff, Reason::crashed},
                             RestartCase{RT::transient, CR::stream, ExitStatus::killed(15),
                                         CS::stopped, Reason::stopped_externally},
                             // the shim reports the agent's SIGTERM as 143.
                             RestartCase{RT::transient, CR::stream, ExitStatus::exited(143),
                                         CS::stopped, Reason::stopped_externally},
                             RestartCase{RT::transient, CR::stream, ExitStatus::exited(137),
                                         CS::backoff, Reason::crashed},
                             RestartCase{RT::transient, CR::stream, ExitStatus::killed(11),
                                         CS::backoff, Reason::crashed},
                             RestartCase{RT::temporary, CR::stream, ExitStatus::exited(0),
                                         CS::failed, Reason::crashed}));

TEST(SupervisorStream, CompleteStreamAtExitIsDoneWhateverTheStatus) {
  Script script(tree({stream_worker("A"), stream_worker("B")}));
  script.boot();
  script.stream("A");
  script.stream("B");
  script.exit("A", ExitStatus::exited(1));
  script.exit("B", ExitStatus::killed(9));
  EXPECT_EQ(script.state("A"), ChildState::done);
  EXPECT_EQ(script.state("B"), ChildState::done);
  EXPECT_EQ(script.status("A").reason, Reason::stream_complete);
}

TEST(SupervisorStream, StreamCompleteBeforeBootIsDoneWithoutSpawning) {
  Script script(tree({stream_worker("A"), stream_worker("B")}));
  script.stream("A");
  const Actions actions = script.boot();
  EXPECT_EQ(spawns(actions), (V{"B"}));
  EXPECT_EQ(changes(actions, "A"), (V{"A waiting->done stream_complete"}));
}

TEST(SupervisorStream, StreamCompletingDuringBackoffEndsItDone) {
  Script script(tree({stream_worker("A")}));
  script.boot();
  script.exit("A", ExitStatus::exited(0));
  ASSERT_EQ(script.state("A"), ChildState::backoff);
  const Actions actions = script.stream("A");
  EXPECT_EQ(script.state("A"), ChildState::done);
  EXPECT_EQ(finished(actions), (std::vector<TreeOutcome>{TreeOutcome::all_done}));
  EXPECT_TRUE(spawns(script.advance(10s)).empty());
}

TEST(SupervisorStream, AdoptedWorkerWithUnknownExitAndWorkLeftIsRestarted) {
  Script script(tree({stream_worker("A")}));
  script.adopt("A", 4242);
  const Actions boot = script.boot();
  EXPECT_TRUE(spawns(boot).empty());
  EXPECT_EQ(script.state("A"), ChildState::adopted);
  EXPECT_EQ(script.status("A").pid, 4242);
  script.exit("A", ExitStatus::unknown());
  EXPECT_EQ(script.state("A"), ChildState::backoff);
  EXPECT_EQ(spawns(script.advance(1s)), (V{"A"}));
}

TEST(SupervisorStream, AdoptedWorkerWhoseStreamIsCompleteEndsDone) {
  Script script(tree({stream_worker("A")}));
  script.adopt("A", 4242);
  script.boot();
  script.stream("A");
  script.exit("A", ExitStatus::unknown());
  EXPECT_EQ(script.state("A"), ChildState::done);
}

// -------------------------------------------------------------- backoff ---

TEST(SupervisorBackoff, DelayDoublesUpToTheCap) {
  Script script(tree({worker("A", RestartType::permanent)}));
  script.boot();
  std::vector<Duration> delays;
  for (int k = 0; k < 6; ++k) {
    const Actions crash = script.crash("A");
    ASSERT_EQ(scheduled(crash).size(), 1u);
    delays.push_back(scheduled(crash)[0]);
    EXPECT_EQ(script.status("A").next_restart_at, script.now() + delays.back());
    EXPECT_EQ(spawns(script.advance(delays.back())), (V{"A"}));
  }
  EXPECT_EQ(delays, (std::vector<Duration>{1s, 2s, 4s, 8s, 8s, 8s}));
}

TEST(SupervisorBackoff, ChildThatStayedUpForResetAfterStartsOverAtInitial) {
  Script script(tree({worker("A", RestartType::permanent)}));
  script.boot();
  script.crash("A");
  script.advance(1s);
  script.crash("A");
  script.advance(2s);
  script.advance(59s);  // up 59s: not enough
  EXPECT_EQ(scheduled(script.crash("A")), (std::vector<Duration>{4s}));
  script.advance(4s);
  script.advance(60s);  // up exactly reset_after
  EXPECT_EQ(scheduled(script.crash("A")), (std::vector<Duration>{1s}));
}

TEST(SupervisorBackoff, JitterSpreadsTheDelayWithinItsBounds) {
  SupervisorPolicy policy = plain_policy();
  policy.backoff.jitter = 0.2;
  Script low(tree({worker("A", RestartType::permanent)}, policy), {0.0});
  low.boot();
  EXPECT_EQ(scheduled(low.crash("A")), (std::vector<Duration>{800ms}));
  Script high(tree({worker("A", RestartType::permanent)}, policy), {0.999999});
  high.boot();
  EXPECT_EQ(scheduled(high.crash("A")), (std::vector<Duration>{1200ms}));
}

TEST(SupervisorBackoff, ZeroDelayStillGoesThroughBackoff) {
  SupervisorPolicy policy = plain_policy();
  policy.backoff.initial = 0ms;
  Script script(tree({worker("A", RestartType::permanent)}, policy));
  script.boot();
  const Actions crash = script.crash("A");
  EXPECT_EQ(changes(crash), (V{"A running->backoff crashed"}));
  EXPECT_EQ(scheduled(crash), (std::vector<Duration>{0ms}));
  const Actions fire = script.advance(0ms);
  EXPECT_EQ(changes(fire),
            (V{"A backoff->starting backoff_elapsed", "A starting->running spawned"}));
}

TEST(SupervisorBackoff, BackoffDetailTellsTheExitAndTheDelay) {
  Script script(tree({worker("A", RestartType::permanent)}));
  script.boot();
  const Actions crash = script.exit("A", ExitStatus::exited(137));
  EXPECT_EQ(last_change(crash, "A")->detail, "exit 137 (SIGKILL), restart in 1.0s");
  EXPECT_EQ(script.status("A").last_exit, ExitStatus::exited(137));
  EXPECT_EQ(script.status("A").last_exit_at, script.now());
}

TEST(SupervisorBackoff, SpawnFailureCountsAsACrash) {
  Script script(tree({worker("A")}));
  script.auto_spawned = false;
  EXPECT_EQ(spawns(script.boot()), (V{"A"}));
  const Actions failed = script.spawn_failed("A");
  EXPECT_EQ(changes(failed), (V{"A starting->backoff spawn_failed"}));
  EXPECT_EQ(script.status("A").restarts, 1);
  EXPECT_EQ(spawns(script.advance(1s)), (V{"A"}));
}

TEST(SupervisorBackoff, SpawnOutOfResourcesIsRetriedWithBackoffAndNotCounted) {
  // A full fd table must not mark a child failed: max_restarts 0 and
  // intensity 0 would fail it at the first counted restart.
  ChildSpec spec = worker("A");
  spec.max_restarts = 0;
  SupervisorSpec root = tree({spec});
  root.policy.intensity = 0;
  Script script(std::move(root));
  script.auto_spawned = false;
  EXPECT_EQ(spawns(script.boot()), (V{"A"}));
  for (const Duration delay : {1000ms, 2000ms, 4000ms}) {
    const Actions failed = script.spawn_out_of_resources("A");
    EXPECT_EQ(changes(failed), (V{"A starting->backoff out_of_resources"}));
    EXPECT_EQ(last_change(failed, "A")->detail,
              "spawn failed: Too many open files; not counted as a restart, retry in " +
                  format_delay(delay));
    EXPECT_EQ(script.status("A").restarts, 0);
    EXPECT_EQ(script.status("A").next_restart_at, script.now() + delay);
    EXPECT_TRUE(spawns(script.advance(delay - 1ms)).empty());
    EXPECT_EQ(spawns(script.advance(1ms)), (V{"A"}));
  }
  script.spawned("A");
  EXPECT_EQ(script.state("A"), ChildState::running);
  EXPECT_EQ(script.status("A").restarts, 0);
  // A spawn that worked starts the retry delays over.
  script.command(CommandKind::restart, "A");
  script.exit("A", ExitStatus::killed(15));
  script.fire_timers();
  EXPECT_EQ(changes(script.spawn_out_of_resources("A")),
            (V{"A starting->backoff out_of_resources"}));
  EXPECT_EQ(script.status("A").next_restart_at, script.now() + 1000ms);
}

TEST(SupervisorBackoff, SpawnOutOfResourcesRetriesOnlyThatChildUnderOneForAll) {
  SupervisorSpec root = tree({worker("A"), worker("B")});
  root.policy.strategy = Strategy::one_for_all;
  Script script(std::move(root));
  script.auto_spawned = false;
  script.boot();
  script.spawned("A");
  const Actions failed = script.spawn_out_of_resources("B");
  EXPECT_EQ(changes(failed), (V{"B starting->backoff out_of_resources"}));
  EXPECT_EQ(script.state("A"), ChildState::running) << "not a restart of the strategy's";
  EXPECT_EQ(spawns(script.advance(1s)), (V{"B"}));
}

TEST(SupervisorBackoff, SpawnOutOfResourcesDuringShutdownEndsTheChild) {
  Script script(tree({worker("A")}));
  script.auto_spawned = false;
  script.boot();
  script.command(CommandKind::shutdown);
  script.spawn_out_of_resources("A");
  EXPECT_TRUE(is_final(script.state("A")));
  EXPECT_EQ(script.pending_timers(), 0u);
}

TEST(SupervisorBackoff, StaleTimerFiringsAreIgnored) {
  Script script(tree({worker("A", RestartType::permanent)}));
  script.boot();
  script.crash("A");
  script.advance(1s);
  const auto first_timer = std::get<ScheduleTimer>(
      *std::find_if(script.log().begin(), script.log().end(),
                    [](const Action& a) { return std::holds_alternative<ScheduleTimer>(a); }));
  EXPECT_TRUE(script.fire(first_timer.timer).empty());
  EXPECT_TRUE(script.fire(987654).empty());
}

// --------------------------------------------------------- max_restarts ---

TEST(SupervisorMaxRestarts, ChildFailsInsteadOfExceedingIt) {
  ChildSpec spec = worker("A");
  spec.max_restarts = 2;
  Script script(tree({spec}));
  script.boot();
  script.crash("A");
  script.advance(1s);
  script.crash("A");
  script.advance(2s);
  EXPECT_EQ(script.status("A").restarts, 2);
  const Actions third = script.crash("A");
  EXPECT_EQ(changes(third), (V{"A running->failed max_restarts"}));
  EXPECT_EQ(finished(third), (std::vector<TreeOutcome>{TreeOutcome::some_not_done}));
}

TEST(SupervisorMaxRestarts, ZeroMeansNeverRestarted) {
  ChildSpec spec = worker("A");
  spec.max_restarts = 0;
  Script script(tree({spec}));
  script.boot();
  EXPECT_EQ(changes(script.crash("A")), (V{"A running->failed max_restarts"}));
}

TEST(SupervisorMaxRestarts, RestoredHistoryCountsAgainstIt) {
  ChildSpec spec = worker("A");
  spec.max_restarts = 2;
  Script script(tree({spec}));
  script.restore("A", 1);
  script.boot();
  EXPECT_EQ(script.status("A").restarts, 1);
  script.crash("A");
  script.advance(1s);
  EXPECT_EQ(changes(script.crash("A")), (V{"A running->failed max_restarts"}));
}

TEST(SupervisorMaxRestarts, RestoredFailedChildStaysFailedAtBoot) {
  Script script(tree({worker("A"), worker("B")}));
  script.restore("A", 2, true);
  const Actions boot = script.boot();
  EXPECT_EQ(spawns(boot), (V{"B"}));
  EXPECT_EQ(changes(boot, "A"), (V{"A waiting->failed restored"}));
}

// ---------------------------------------------------------- finished ---

TEST(SupervisorFinished, AllDoneWhenEveryChildCompletes) {
  Script script(tree({worker("A"), stream_worker("B")}));
  script.boot();
  EXPECT_TRUE(finished(script.exit("A", ExitStatus::exited(0))).empty());
  script.stream("B");
  const Actions last = script.exit("B", ExitStatus::exited(0));
  EXPECT_EQ(finished(last), (std::vector<TreeOutcome>{TreeOutcome::all_done}));
  EXPECT_EQ(script.supervisor().outcome(), TreeOutcome::all_done);
}

TEST(SupervisorFinished, SomeNotDoneWhenAChildWasStoppedExternally) {
  Script script(tree({worker("A"), worker("B")}));
  script.boot();
  script.exit("A", ExitStatus::exited(0));
  const Actions last = script.exit("B", ExitStatus::exited(143));
  EXPECT_EQ(finished(last), (std::vector<TreeOutcome>{TreeOutcome::some_not_done}));
  EXPECT_EQ(finished(script.log()).size(), 1u);
}

}  // namespace
}  // namespace supervise::core::testing

namespace supervise::core::testing {
namespace {

TEST(SupervisorMaxRestarts, RestoredFailedStreamThatCompletedSinceIsDone) {
  Script script(tree({stream_worker("A")}));
  script.restore("A", 2, true);
  script.stream("A");
  const Actions boot = script.boot();
  EXPECT_EQ(changes(boot), (std::vector<std::string>{"A waiting->done stream_complete"}));
}

TEST(SupervisorStatus, EveryNodeIsListedInStartOrderWithItsParent) {
  Script script(tree({worker("B", RestartType::transient, {on("A")}), worker("A"),
                      supervisor_node("S", plain_policy(), {worker("x")})}));
  script.boot();
  const std::vector<ChildStatus> all = script.supervisor().status(script.now());
  std::vector<std::string> listed;
  for (const ChildStatus& status : all) {
    listed.push_back(status.id + "@" + status.parent + ":" + std::string(to_string(status.state)));
  }
  EXPECT_EQ(listed,
            (std::vector<std::string>{"A@:running", "B@:waiting", "S@:running", "x@S:running"}));
  EXPECT_EQ(all[1].waiting_for, (std::vector<std::string>{"A"}));
  EXPECT_FALSE(script.supervisor().status_of("nope", script.now()).has_value());
}

}  // namespace
}  // namespace supervise::core::testing
