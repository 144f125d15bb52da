#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <map>

#include "supervisor/legacy/survivors.hpp"
#include "supervisor/legacy/worker_identity.hpp"
#include "supervisor/process/proc_reader.hpp"
#include "supervisor/process/session_scan.hpp"
#include "tests/legacy/legacy_fixtures.hpp"
#include "tests/support/spawned_process.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/wait_for.hpp"

namespace supervise::legacy {
namespace {

using process::live_processes_with;
using process::read_process;
using process::ScanKey;
using test_support::gone;

using supervise::testing::SpawnedProcess;
using supervise::testing::TempDir;
using supervise::testing::wait_for;
using namespace std::chrono_literals;

/// A shim-like session leader with background children (started by
/// `children_script`, which records their PIDs), then the leader is killed
/// with SIGKILL and reaped: what `kill -9` of a shim leaves behind.
struct DeadShim {
  TempDir dir;
  int session = 0;
  std::vector<int> children;

  /// `env` is what the leader (and so its children) get on top of ours.
  explicit DeadShim(const std::string& children_script, std::map<std::string, std::string> env = {
                                                            {"SUPERVISE_STREAM_ID", "Stream-A"}}) {
    const auto pids = dir / "children";
    SpawnedProcess leader({"/bin/bash", "-c",
                           children_script + "; echo \"$a $b\" > " + pids.string() + ".tmp; mv " +
                               pids.string() + ".tmp " + pids.string() + "; wait"},
                          {.new_session = true, .env = std::move(env), .output_file = ""});
    session = leader.pid();
    wait_for([&] { return std::filesystem::exists(pids); });
    std::ifstream in(pids);
    for (int pid = 0; in >> pid;) {
      children.push_back(pid);
    }
    ::kill(leader.pid(), SIGKILL);
    leader.wait();
    leader.spare_group();
  }  // the leader is reaped here; its children live on in its session

  ~DeadShim() {
    for (const int pid : children) {
      ::kill(pid, SIGKILL);
    }
  }
};

TEST(StopSurvivors, StopsWhatAKilledShimLeftRunning) {
  DeadShim shim("sleep 600 & a=$!; sleep 600 & b=$!");
  ASSERT_EQ(shim.children.size(), 2u);
  const SurvivorReport report = stop_survivors(shim.session, "Stream-A", 5s);
  EXPECT_TRUE(report.all_stopped()) << report.skipped;
  std::vector<int> found = report.found;
  std::sort(found.begin(), found.end());
  auto expected = shim.children;
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(found, expected);
  for (const int pid : shim.children) {
    EXPECT_TRUE(gone(pid)) << pid;
  }
}

TEST(StopSurvivors, AgentIgnoringSigtermIsKilledAfterTheGrace) {
  DeadShim shim("(trap '' TERM; exec sleep 600) & a=$!; b=");
  ASSERT_EQ(shim.children.size(), 1u);
  ASSERT_TRUE(wait_for([&] {
    const auto process = read_process(shim.children[0]);
    return process && !process->argv.empty() && process->argv[0] == "sleep";
  }));
  const auto started = std::chrono::steady_clock::now();
  const SurvivorReport report = stop_survivors(shim.session, "Stream-A", 200ms);
  EXPECT_TRUE(report.all_stopped());
  EXPECT_TRUE(gone(shim.children[0]));
  EXPECT_GE(std::chrono::steady_clock::now() - started, 200ms);
}

TEST(StopSurvivors, NothingLeftIsNothingToDo) {
  SpawnedProcess quick({"/bin/true"});
  ASSERT_TRUE(quick.wait());
  const SurvivorReport report = stop_survivors(quick.pid(), "Stream-A", 1s);
  EXPECT_TRUE(report.found.empty());
  EXPECT_TRUE(report.all_stopped());
}

TEST(StopSurvivors, ALiveProcessUnderThatPidIsNeverTouched) {
  SpawnedProcess live({"/bin/sleep", "600"});
  ASSERT_TRUE(wait_for([&] {
    return read_process(live.pid()) && read_process(live.pid())->stat.session == live.pid();
  }));
  const SurvivorReport report = stop_survivors(live.pid(), "Stream-A", 1s);
  EXPECT_FALSE(report.skipped.empty());
  EXPECT_FALSE(gone(live.pid()));
}

TEST(StopSurvivors, ALiveOldShimOfTheStreamIsStoppedWithItsSession) {
  TempDir dir;
  const auto shim = dir / "worker-wrapper.sh";
  std::ofstream(shim) << "#!/bin/bash\ntrap '' TERM\nsleep 600 &\nwait\n";
  SpawnedProcess old_shim({"/bin/bash", shim.string(), "Stream-A"});
  ASSERT_TRUE(
      wait_for([&] { return live_processes_with(ScanKey::session, old_shim.pid()).size() == 2; }));
  EXPECT_FALSE(stop_survivors(old_shim.pid(), "Stream-B", 1s).skipped.empty());
  const SurvivorReport report = stop_survivors(old_shim.pid(), "Stream-A", 200ms);
  EXPECT_TRUE(report.all_stopped()) << report.skipped;
  EXPECT_EQ(report.found.size(), 2u);
  EXPECT_TRUE(old_shim.wait(2s));
  EXPECT_TRUE(
      wait_for([&] { return live_processes_with(ScanKey::session, old_shim.pid()).empty(); }));
}

TEST(StopSurvivors, UnmarkedProcessesInASessionWithTheOldNumberAreNeverSignalled) {
  // What a later session leader that reused the old shim's PID (a nohup job)
  // leaves when it ends: same session id, nothing of the stream about it.
  TempDir elsewhere;
  DeadShim unrelated("cd " + elsewhere.path().string() + "; sleep 600 & a=$!; b=", {});
  ASSERT_EQ(unrelated.children.size(), 1u);
  TempDir work_dir;
  const SurvivorReport report = stop_survivors(unrelated.session, "Stream-A", 200ms,
                                               {.shim_started = WallClock::now() - 1h,
                                                .shim_ended = std::nullopt,
                                                .work_dir = work_dir.path()});
  EXPECT_TRUE(report.all_stopped());
  EXPECT_TRUE(report.found.empty());
  EXPECT_EQ(report.ignored, unrelated.children);
  EXPECT_FALSE(gone(unrelated.children[0]));
}

TEST(StopSurvivors, MarkedProcessesOutsideTheShimsLifetimeAreNeverSignalled) {
  DeadShim shim("sleep 600 & a=$!; b=");
  ASSERT_EQ(shim.children.size(), 1u);
  const auto now = WallClock::now();
  const SurvivorReport before =
      stop_survivors(shim.session, "Stream-A", 200ms,
                     {.shim_started = std::nullopt, .shim_ended = now - 1h, .work_dir = {}});
  EXPECT_EQ(before.ignored, shim.children);
  const SurvivorReport after =
      stop_survivors(shim.session, "Stream-A", 200ms,
                     {.shim_started = now + 1h, .shim_ended = std::nullopt, .work_dir = {}});
  EXPECT_EQ(after.ignored, shim.children);
  EXPECT_FALSE(gone(shim.children[0]));
  // Another stream's mark is no mark.
  EXPECT_EQ(stop_survivors(shim.session, "Stream-B", 200ms).ignored, shim.children);
  EXPECT_FALSE(gone(shim.children[0]));
}

TEST(StopSurvivors, AnOldOrchestratorsAgentIsFoundByItsWorkDir) {
  // Shims of the old orchestrator export no mark; the agent runs in the
  // stream's work dir.
  TempDir work_dir;
  std::filesystem::create_directories(work_dir / "sub");
  DeadShim shim("cd " + (work_dir / "sub").string() + "; sleep 600 & a=$!; b=", {});
  ASSERT_EQ(shim.children.size(), 1u);
  const SurvivorReport report = stop_survivors(shim.session, "Stream-A", 2s,
                                               {.shim_started = WallClock::now() - 1min,
                                                .shim_ended = std::nullopt,
                                                .work_dir = work_dir.path()});
  EXPECT_TRUE(report.all_stopped());
  EXPECT_EQ(report.found, shim.children);
  EXPECT_TRUE(gone(shim.children[0]));
}

TEST(IsSurvivorOf, NeedsTheLifetimeAndAMarkOfTheStream) {
  const auto t = WallClock::from_time_t(1'800'000'000);
  const std::vector<std::string> marked{"HOME=/h", "SUPERVISE_STREAM_ID=Stream-A"};
  const std::vector<std::string> unmarked{"HOME=/h", "SUPERVISE_STREAM_ID=Stream-AB"};
  const SurvivorScope window{.shim_started = t, .shim_ended = t + 10min, .work_dir = "/w/Stream-A"};
  struct Row {
    WallClock::time_point start;
    std::vector<std::string> environment;
    std::filesystem::path cwd;
    SurvivorScope scope;
    bool expected;
  };
  const std::vector<Row> rows{
      {t + 1s, marked, "/", window, true},
      {t + 1s, unmarked, "/w/Stream-A", window, true},
      {t + 1s, unmarked, "/w/Stream-A/src/deep", window, true},
      {t + 1s, unmarked, "/w/Stream-AB", window, false},
      {t + 1s, unmarked, "/w", window, false},
      {t + 1s, unmarked, "", window, false},
      {t + 1s, unmarked, "/w/Stream-A", {window.shim_started, window.shim_ended, {}}, false},
      {t - kSurvivorTimeSlack + 1s, marked, "/", window, true},           // banner time truncated
      {t - kSurvivorTimeSlack - 1s, marked, "/", window, false},          // older than the shim
      {t + 10min + kSurvivorTimeSlack + 1s, marked, "/", window, false},  // after its end
      {t + 10min + 1s, marked, "/", window, true},
      {t - 1h, marked, "/", {std::nullopt, std::nullopt, {}}, true},  // no bounds known
  };
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Row& row = rows[i];
    EXPECT_EQ(is_survivor_of(row.start, row.environment, row.cwd, "Stream-A", row.scope),
              row.expected)
        << "row " << i;
  }
}

TEST(StopSurvivors, PidsBelowTwoAreSkipped) {
  EXPECT_FALSE(stop_survivors(0, "Stream-A", 1s).skipped.empty());
  EXPECT_FALSE(stop_survivors(1, "Stream-A", 1s).skipped.empty());
}

}  // namespace
}  // namespace supervise::legacy
