#include "supervisor/process/session_scan.hpp"

#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>

#include "tests/support/spawned_process.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/wait_for.hpp"

namespace supervise::process {
namespace {

using supervise::testing::SpawnedProcess;
using supervise::testing::TempDir;
using supervise::testing::wait_for;

std::vector<int> pids_of(const std::vector<ProcStat>& stats) {
  std::vector<int> pids;
  for (const auto& stat : stats) {
    pids.push_back(stat.pid);
  }
  return pids;
}

/// A session leader (bash) with two background sleeps, like a shim and its
/// agent; the script records the sleeps' PIDs once both run, with builtins
/// alone (an external `mv` would be a third, short-lived process in the
/// session that a scan may catch).
struct ShimLikeSession {
  TempDir dir;
  std::unique_ptr<SpawnedProcess> leader;
  std::vector<int> children;

  ShimLikeSession() {
    const auto pids = dir / "children";
    leader = std::make_unique<SpawnedProcess>(std::vector<std::string>{
        "/bin/bash", "-c",
        "sleep 600 & a=$!; sleep 600 & b=$!; echo \"$a $b\" > " + pids.string() + "; wait"});
    // The file may be seen empty between its creation and echo's write.
    wait_for([&] {
      children.clear();
      std::ifstream in(pids);
      for (int pid = 0; in >> pid;) {
        children.push_back(pid);
      }
      return children.size() == 2;
    });
    std::sort(children.begin(), children.end());
  }

  ~ShimLikeSession() {
    for (const int pid : children) {
      ::kill(pid, SIGKILL);
    }
  }
};

TEST(SessionScan, FindsTheLeaderAndEverythingItStarted) {
  ShimLikeSession session;
  ASSERT_EQ(session.children.size(), 2u);
  std::vector<int> expected{session.leader->pid(), session.children[0], session.children[1]};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(pids_of(live_processes_with(ScanKey::session, session.leader->pid())), expected);
  EXPECT_EQ(pids_of(live_processes_with(ScanKey::process_group, session.leader->pid())), expected);
  EXPECT_EQ(pids_of(live_processes_with(ScanKey::session_or_group, session.leader->pid())),
            expected);
}

TEST(SessionScan, FindsTheOrphansOfAKilledLeaderButNotItsZombie) {
  ShimLikeSession session;
  ASSERT_EQ(session.children.size(), 2u);
  const int leader = session.leader->pid();
  ASSERT_EQ(::kill(leader, SIGKILL), 0);
  // Not reaped yet: the leader is a zombie, which the scan leaves out.
  ASSERT_TRUE(wait_for([&] {
    const auto info = read_process(leader);
    return info && info->stat.is_zombie();
  }));
  EXPECT_EQ(pids_of(live_processes_with(ScanKey::session, leader)), session.children);
  ASSERT_TRUE(session.leader->wait());
  EXPECT_EQ(pids_of(live_processes_with(ScanKey::session, leader)), session.children);

  for (const int pid : session.children) {
    ::kill(pid, SIGKILL);
  }
  EXPECT_TRUE(wait_for([&] { return live_processes_with(ScanKey::session, leader).empty(); }));
}

TEST(SessionScan, IdsBelowTwoMatchNothing) {
  EXPECT_TRUE(live_processes_with(ScanKey::session, 0).empty());
  EXPECT_TRUE(live_processes_with(ScanKey::process_group, 1).empty());
  EXPECT_TRUE(live_processes_with(ScanKey::session, -1).empty());
}

TEST(SessionScan, SkipsMalformedAndForeignEntriesOfAFakeProc) {
  TempDir proc;
  const auto add = [&](const std::string& name, const std::string& stat) {
    std::filesystem::create_directories(proc / name);
    std::ofstream(proc / name / "stat") << stat;
  };
  add("100", "100 (agent) S 1 500 500 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 10 0 0");
  add("101", "101 (a (b)) c) R 100 500 500 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 11 0 0");
  add("102", "102 (dead) Z 1 500 500 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 12 0 0");
  add("103", "103 (other) S 1 600 600 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 13 0 0");
  add("104", "garbage");
  add("self", "105 (self) S 1 500 500 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 14 0 0");
  std::filesystem::create_directories(proc / "106");  // vanished: no stat
  const auto found = live_processes_with(ScanKey::session, 500, proc.path());
  EXPECT_EQ(pids_of(found), (std::vector<int>{100, 101}));
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[1].comm, "a (b)) c");
}

TEST(ScanKey, HasANameForEachKey) {
  EXPECT_EQ(to_string(ScanKey::session), "session");
  EXPECT_EQ(to_string(ScanKey::process_group), "process_group");
  EXPECT_EQ(to_string(ScanKey::session_or_group), "session_or_group");
}

}  // namespace
}  // namespace supervise::process
