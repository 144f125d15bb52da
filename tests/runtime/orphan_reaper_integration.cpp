#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "supervisor/runtime/orphan_reaper.hpp"

namespace supervise::runtime {
namespace {

/// Reaps what earlier tests in this process left (gtest may run several in
/// one process). Their orphans may still end meanwhile, so counts below are
/// lower bounds and each test checks its own processes by PID.
void reap_earlier_zombies() {
  while (::waitpid(-1, nullptr, WNOHANG) > 0) {
  }
}

/// A child of ours, in a session of its own, that has ended: a zombie
/// until someone reaps it.
int ended_child_of_another_session() {
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::setsid();
    ::_exit(0);
  }
  siginfo_t info{};
  while (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOWAIT) != 0 && errno == EINTR) {
  }
  return pid;
}

bool still_a_zombie(int pid) {
  siginfo_t info{};
  return ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
         info.si_pid == pid;
}

void reap_for_good(int pid) {
  while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
  }
}

// The kernel lists a process's children oldest first, so the order of the
// forks below is the order reap() meets the zombies in.
TEST(OrphanReaper, ReapsOrphansOneByOneAndLeavesATrackedMainProcessToItsWatcher) {
  reap_earlier_zombies();
  OrphanReaper reaper;
  const int first_orphan = ended_child_of_another_session();
  const int second_orphan = ended_child_of_another_session();
  const int main_process = ended_child_of_another_session();
  reaper.track(main_process);

  const auto reaped = reaper.reap();
  EXPECT_GE(reaped.count, 2);
  EXPECT_EQ(reaped.blocked_by, main_process);
  EXPECT_FALSE(still_a_zombie(first_orphan));
  EXPECT_FALSE(still_a_zombie(second_orphan));
  EXPECT_TRUE(still_a_zombie(main_process)) << "its exit status is its watcher's";
  reap_for_good(main_process);
}

TEST(OrphanReaper, AnOrphanBehindATrackedZombieWaitsForReapAll) {
  reap_earlier_zombies();
  OrphanReaper reaper;
  const int main_process = ended_child_of_another_session();
  const int orphan = ended_child_of_another_session();
  reaper.track(main_process);

  const auto reaped = reaper.reap();
  EXPECT_EQ(reaped.blocked_by, main_process);
  EXPECT_TRUE(still_a_zombie(orphan));

  EXPECT_GE(reaper.reap_all(), 1);
  EXPECT_FALSE(still_a_zombie(orphan));
  EXPECT_TRUE(still_a_zombie(main_process));
  reap_for_good(main_process);
  EXPECT_EQ(reaper.reap().blocked_by, 0) << "nothing is left to reap";
}

TEST(OrphanReaper, AZombieOfOurOwnSessionIsNotAnOrphan) {
  reap_earlier_zombies();
  OrphanReaper reaper;
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::_exit(0);
  }
  siginfo_t info{};
  ASSERT_EQ(::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOWAIT), 0);
  EXPECT_EQ(reaper.reap().blocked_by, pid);
  reaper.reap_all();
  EXPECT_TRUE(still_a_zombie(pid));
  reap_for_good(pid);
}

}  // namespace
}  // namespace supervise::runtime
