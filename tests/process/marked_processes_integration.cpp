#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "supervisor/process/marked_processes.hpp"
#include "supervisor/process/start_marker.hpp"
#include "tests/support/wait_for.hpp"

namespace supervise::process {
namespace {

using supervise::testing::wait_for;

/// Forks `sleep 1000` with `entry` added to its environment.
pid_t start_sleeper(const std::string& entry) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::putenv(const_cast<char*>(entry.c_str()));
    ::execlp("sleep", "sleep", "1000", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  return pid;
}

TEST(MarkedProcesses, FindsAndKillsOnlyTheProcessesOfOneStart) {
  const auto mine = new_start_id();
  const auto other = new_start_id();
  const auto mine_entry = start_marker_entry(mine);
  const auto other_entry = start_marker_entry(other);
  const pid_t a = start_sleeper(mine_entry);
  const pid_t b = start_sleeper(mine_entry);
  const pid_t stranger = start_sleeper(other_entry);
  std::vector<int> expected{a, b};
  std::sort(expected.begin(), expected.end());
  // Each is found once it has exec'd (its environment is its exec's): the
  // stranger too, before anything is asserted about it.
  ASSERT_TRUE(wait_for([&] { return find_marked_processes(mine) == expected; }));
  ASSERT_TRUE(wait_for([&] { return find_marked_processes(other) == std::vector<int>{stranger}; }));

  EXPECT_EQ(kill_marked_processes(mine), 2U);
  int status = 0;
  ASSERT_EQ(::waitpid(a, &status, 0), a);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  ASSERT_EQ(::waitpid(b, &status, 0), b);
  EXPECT_EQ(find_marked_processes(mine), std::vector<int>{});

  // The other start's process was left alone.
  EXPECT_EQ(find_marked_processes(other), std::vector<int>{stranger});
  EXPECT_EQ(kill_marked_processes(other), 1U);
  ::kill(stranger, SIGKILL);  // so that a failed kill above cannot hang the wait
  ::waitpid(stranger, &status, 0);
}

TEST(MarkedProcesses, KillingUntilNoneIsNewAlsoTakesWhatWasBornDuringAScan) {
  // A marked shell that starts 200 orphaned `sleep 1000`s as fast as it can:
  // a single scan-and-kill leaves those born after its scan.
  const auto start = new_start_id();
  const auto entry = start_marker_entry(start);
  const pid_t forker = ::fork();
  if (forker == 0) {
    ::putenv(const_cast<char*>(entry.c_str()));
    ::execlp("bash", "bash", "-c", "for i in $(seq 200); do (sleep 1000 &); done; sleep 1000",
             static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ASSERT_TRUE(wait_for(
      [&] { return find_marked_processes(start).value_or(std::vector<int>{}).size() >= 20; }));

  kill_marked_processes_and_their_offspring(start);
  EXPECT_TRUE(wait_for([&] { return find_marked_processes(start) == std::vector<int>{}; }))
      << find_marked_processes(start).value_or(std::vector<int>{}).size() << " still alive";
  ::kill(forker, SIGKILL);
  ::waitpid(forker, nullptr, 0);
  kill_marked_processes_and_their_offspring(start);  // what a failure above left
}

}  // namespace
}  // namespace supervise::process
