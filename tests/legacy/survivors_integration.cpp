#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>

#include "supervisor/legacy/process_identity.hpp"
#include "supervisor/legacy/session_scan.hpp"
#include "supervisor/legacy/survivors.hpp"
#include "tests/legacy/spawned_process.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/wait_for.hpp"

namespace supervise::legacy {
namespace {

using supervise::testing::SpawnedProcess;
using supervise::testing::TempDir;
using supervise::testing::wait_for;
using namespace std::chrono_literals;

bool gone(int pid) {
  const auto process = read_process(pid);
  return !process || process->stat.has_ended();
}

/// A shim-like session leader with background children (started by
/// `children_script`, which records their PIDs), then the leader is killed
/// with SIGKILL and reaped: what `kill -9` of a shim leaves behind.
struct DeadShim {
  TempDir dir;
  int session = 0;
  std::vector<int> children;

  explicit DeadShim(const std::string& children_script) {
    const auto pids = dir / "children";
    SpawnedProcess leader({"/bin/bash", "-c",
                           children_script + "; echo \"$a $b\" > " + pids.string() + ".tmp; mv " +
                               pids.string() + ".tmp " + pids.string() + "; wait"});
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

TEST(StopSurvivors, PidsBelowTwoAreSkipped) {
  EXPECT_FALSE(stop_survivors(0, "Stream-A", 1s).skipped.empty());
  EXPECT_FALSE(stop_survivors(1, "Stream-A", 1s).skipped.empty());
}

}  // namespace
}  // namespace supervise::legacy
