// Adoption through the whole runtime, on a manual clock and a fake launcher:
// a live worker named by its PID file at boot is watched, never started a
// second time, and its exit is judged by the policy like any other (its
// status from the shim's exit banner in the stream log, its stream's
// completion from Task Copilot).

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include "supervisor/legacy/pid_file.hpp"
#include "tests/runtime/runtime_on_fakes.hpp"
#include "tests/support/task_copilot_fixture.hpp"

namespace supervise::runtime {
namespace {

using namespace std::chrono_literals;
using core::ChildState;
using core::ExitStatus;
using supervise::testing::RuntimeOnFakes;
using supervise::testing::TaskCopilotFixture;

/// A PID the PID file can hold (within pid_max): only the fake launcher
/// ever sees it.
constexpr int kAdoptedPid = 4242;

/// Stream-A, a shim worker (no command) of the four-stream initiative.
const std::string kStreamTree = std::string(R"(
version: 1
initiative: )") + supervise::testing::kFourStreamInitiative +
                                R"(
supervisor:
  backoff: {initial: 1s, jitter: 0}
  children:
    - id: Stream-A
      restart: transient
      complete_when: stream
      work_dir: .
)";

class RuntimeAdoptionTest : public ::testing::Test {
 protected:
  RuntimeAdoptionTest()
      : tree_(kStreamTree, [](RuntimeOptions& options) { options.adopt = true; }),
        db_(supervise::testing::make_four_stream_project(tree_.runtime().layout().tasks_db,
                                                         tree_.runtime().layout().memory_db)) {}

  /// What a shim started elsewhere leaves: its PID file, its start banner in
  /// the stream log; the process itself "runs" in the fake launcher.
  void start_outside_shim() {
    const auto& layout = tree_.runtime().layout();
    const auto pid_file = *layout.pid_file("Stream-A");
    std::filesystem::create_directories(pid_file.parent_path());
    std::string error;
    ASSERT_TRUE(legacy::write_pid_file(pid_file, kAdoptedPid, error)) << error;
    std::filesystem::create_directories(layout.logs_dir);
    std::ofstream(log_file()) << "========================================\n"
                              << "Worker started: 2026-01-13T10:30:30+00:00\n"
                              << "Stream: Stream-A\n"
                              << "PID: " << kAdoptedPid << "\n"
                              << "========================================\n"
                              << "agent output\n";
    tree_.launcher.add_live_process(kAdoptedPid);
  }

  /// The shim's EXIT trap writes this before it exits.
  void write_exit_banner(int code) {
    std::ofstream(log_file(), std::ios::app) << "========================================\n"
                                             << "Worker exited: 2026-01-13T11:30:30+00:00\n"
                                             << "Stream: Stream-A\n"
                                             << "Exit code: " << code << "\n"
                                             << "========================================\n";
  }

  std::filesystem::path log_file() {
    return *tree_.runtime().layout().log_file("Stream-A", tree_.runtime().document().initiative_id);
  }

  /// Boots, and waits for the first Task Copilot read (beside the loop).
  void boot_and_adopt() {
    tree_.boot();
    ASSERT_TRUE(tree_.run_until([&] { return tree_.state("Stream-A") == ChildState::adopted; }))
        << "state: " << core::to_string(tree_.state("Stream-A").value_or(ChildState::waiting));
    ASSERT_EQ(tree_.pid("Stream-A"), kAdoptedPid);
    ASSERT_TRUE(tree_.launcher.spawned("Stream-A").empty()) << "started a second worker";
  }

  /// The adopted shim ends; pidfd tells that, never how.
  void adopted_shim_ends() {
    tree_.launcher.end(kAdoptedPid, ExitStatus::unknown());
    tree_.settle();
  }

  RuntimeOnFakes tree_;
  TaskCopilotFixture db_;
};

TEST_F(RuntimeAdoptionTest, AnAdoptedWorkerWhoseStreamIsCompleteWhenItEndsIsDone) {
  start_outside_shim();
  boot_and_adopt();
  db_.complete_stream("Stream-A");
  write_exit_banner(0);
  adopted_shim_ends();
  // The exit is judged once Task Copilot has been read again.
  ASSERT_TRUE(tree_.run_until([&] { return tree_.runtime().finished(); }));
  EXPECT_EQ(tree_.state("Stream-A"), ChildState::done);
  EXPECT_TRUE(tree_.launcher.spawned("Stream-A").empty());
  EXPECT_EQ(tree_.finish().outcome, core::TreeOutcome::all_done);
  EXPECT_FALSE(std::filesystem::exists(*tree_.runtime().layout().pid_file("Stream-A")))
      << "the PID file of the ended shim was left behind";
}

TEST_F(RuntimeAdoptionTest, AnAdoptedWorkerThatExitsZeroWithTasksLeftIsRestartedAfterTheBackoff) {
  start_outside_shim();
  boot_and_adopt();
  write_exit_banner(0);
  const auto ended_at = tree_.clock.now();
  adopted_shim_ends();
  ASSERT_TRUE(tree_.run_until([&] { return tree_.state("Stream-A") == ChildState::backoff; }));
  EXPECT_EQ(tree_.status("Stream-A")->last_exit, ExitStatus::exited(0));
  tree_.advance(1s);
  // Starting a shim looks for an earlier one's leftovers beside the loop.
  ASSERT_TRUE(tree_.run_until([&] { return !tree_.launcher.spawned("Stream-A").empty(); }));
  const auto* restarted = tree_.launcher.spawned("Stream-A").front();
  EXPECT_EQ(restarted->started_at - ended_at, 1s);
  ASSERT_GE(restarted->spec.argv.size(), 2u);
  EXPECT_EQ(restarted->spec.argv[0], (tree_.dir() / "worker-wrapper.sh").string());
  EXPECT_EQ(restarted->spec.argv[1], "Stream-A");
  EXPECT_EQ(tree_.state("Stream-A"), ChildState::running);
  EXPECT_EQ(tree_.status("Stream-A")->restarts, 1);
}

TEST_F(RuntimeAdoptionTest, AnAdoptedWorkerStoppedWithSigtermFromOutsideIsNotRestarted) {
  start_outside_shim();
  boot_and_adopt();
  // What `orchestrate.py stop` leads to: the shim reports 128 + SIGTERM.
  write_exit_banner(128 + SIGTERM);
  adopted_shim_ends();
  ASSERT_TRUE(tree_.run_until([&] { return tree_.runtime().finished(); }));
  EXPECT_EQ(tree_.state("Stream-A"), ChildState::stopped);
  EXPECT_EQ(tree_.status("Stream-A")->reason, core::Reason::stopped_externally);
  tree_.advance(1min);
  EXPECT_TRUE(tree_.launcher.spawned("Stream-A").empty());
  EXPECT_EQ(tree_.finish().outcome, core::TreeOutcome::some_not_done);
}

TEST_F(RuntimeAdoptionTest, AnAdoptedWorkerWithoutAnExitBannerCountsAsACrash) {
  start_outside_shim();
  boot_and_adopt();
  adopted_shim_ends();  // killed with SIGKILL: its EXIT trap never ran
  ASSERT_TRUE(tree_.run_until([&] { return tree_.state("Stream-A") == ChildState::backoff; }));
  EXPECT_EQ(tree_.status("Stream-A")->last_exit, ExitStatus::unknown());
  EXPECT_EQ(tree_.status("Stream-A")->reason, core::Reason::crashed);
}

TEST_F(RuntimeAdoptionTest, AShutdownStopsAnAdoptedWorkerWithTheUsualDeadline) {
  start_outside_shim();
  boot_and_adopt();
  tree_.runtime().command({core::CommandKind::shutdown, ""});
  tree_.settle();
  const auto t0 = tree_.clock.now();
  tree_.advance(10s);  // the default shutdown timeout
  const auto& sent = tree_.launcher.process(kAdoptedPid).signals;
  ASSERT_EQ(sent.size(), 3u);
  EXPECT_EQ(sent[0].signal, SIGTERM);
  EXPECT_EQ(sent[0].at, t0);
  EXPECT_EQ(sent[2].signal, SIGKILL);
  EXPECT_EQ(sent[2].at, t0 + 10s);
  adopted_shim_ends();
  ASSERT_TRUE(tree_.run_until([&] { return tree_.runtime().finished(); }));
  EXPECT_EQ(tree_.finish().outcome, core::TreeOutcome::shut_down);
}

}  // namespace
}  // namespace supervise::runtime
