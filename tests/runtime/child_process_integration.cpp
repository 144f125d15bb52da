#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>

#include "supervisor/process/proc_reader.hpp"
#include "supervisor/process/process_group.hpp"
#include "supervisor/runtime/child_process.hpp"
#include "supervisor/runtime/orphan_reaper.hpp"
#include "tests/runtime/recycled_readiness.hpp"
#include "tests/runtime/run_io_until.hpp"
#include "tests/support/process_files.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/wait_for.hpp"

namespace supervise::runtime {
namespace {

using process::group_exists;
using process::read_proc_stat;
using supervise::testing::read_text;

using supervise::testing::RecycledReadiness;
using supervise::testing::run_io_until;
using supervise::testing::TempDir;
using supervise::testing::wait_for;

std::optional<int> read_pid(const std::filesystem::path& path) {
  std::ifstream file(path);
  int pid = 0;
  if (file >> pid) {
    return pid;
  }
  return std::nullopt;
}

/// A process that no longer exists at all (not even as a zombie).
bool gone(int pid) {
  return !read_proc_stat(pid).has_value();
}

class ChildProcessTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(become_child_subreaper()); }

  LaunchSpec shell(const std::string& script) {
    LaunchSpec spec;
    spec.argv = {"sh", "-c", script};
    spec.env = inherited_environment({});
    spec.work_dir = dir_.path();
    return spec;
  }

  std::unique_ptr<ChildProcess> spawn(const LaunchSpec& spec) {
    auto result = ChildProcess::spawn(io_, reaper_, spec,
                                      [this](core::ExitStatus status) { exit_ = status; });
    EXPECT_EQ(result.error, "");
    return std::move(result.process);
  }

  bool wait_exit(std::chrono::milliseconds deadline = std::chrono::seconds(10)) {
    return run_io_until(
        io_, [this] { return exit_.has_value(); }, deadline);
  }

  /// Runs `recycled` (whose `register_next` starts or adopts `pid`) and
  /// then every handler its stale readiness made ready. A handler that
  /// blocks the loop for a process that runs would hold this up until `pid`
  /// is killed from aside (after 5 s): such a test fails instead of hanging.
  bool deliver_stale_readiness(RecycledReadiness& recycled, const std::function<int()>& start) {
    std::atomic<int> pid{0};
    std::atomic<bool> handled{false};
    std::thread unblocker([&pid, &handled] {
      if (!wait_for([&handled] { return handled.load(); }, std::chrono::seconds(5)) &&
          pid.load() > 0) {
        ::kill(pid.load(), SIGKILL);
      }
    });
    recycled.arm([&] { pid = start(); });
    const bool ran = run_io_until(io_, [&recycled] { return recycled.ran(); });
    io_.poll();
    handled = true;
    unblocker.join();
    return ran && pid.load() > 0;
  }

  TempDir dir_;
  boost::asio::io_context io_;
  OrphanReaper reaper_;
  std::optional<core::ExitStatus> exit_;
};

TEST_F(ChildProcessTest, SpawnedChildLeadsItsOwnSessionAndGroup) {
  auto child = spawn(shell("exec sleep 1000"));
  ASSERT_TRUE(child);
  const auto stat = read_proc_stat(child->pid());
  ASSERT_TRUE(stat);
  EXPECT_EQ(stat->pgrp, child->pid());
  EXPECT_EQ(stat->session, child->pid());
  std::string error;
  ASSERT_TRUE(child->signal(SIGKILL, error)) << error;
  ASSERT_TRUE(wait_exit());
  EXPECT_EQ(*exit_, core::ExitStatus::killed(SIGKILL));
}

TEST_F(ChildProcessTest, ReportsTheExitCode) {
  auto child = spawn(shell("exit 7"));
  ASSERT_TRUE(child);
  ASSERT_TRUE(wait_exit());
  EXPECT_EQ(*exit_, core::ExitStatus::exited(7));
}

TEST_F(ChildProcessTest, AppendsOutputToTheLogAndAppliesEnvAndWorkDir) {
  std::filesystem::create_directory(dir_ / "work");
  { std::ofstream(dir_ / "out.log") << "before\n"; }
  auto spec = shell("echo \"$GREETING from $(pwd)\"; echo oops >&2");
  spec.env = inherited_environment({{"GREETING", "hello"}});
  spec.work_dir = dir_ / "work";
  spec.output = dir_ / "out.log";
  auto child = spawn(spec);
  ASSERT_TRUE(child);
  ASSERT_TRUE(wait_exit());
  EXPECT_EQ(*exit_, core::ExitStatus::exited(0));
  const auto work = std::filesystem::canonical(dir_ / "work").string();
  EXPECT_EQ(read_text(dir_ / "out.log"), "before\nhello from " + work + "\noops\n");
}

TEST_F(ChildProcessTest, StdinIsEmpty) {
  auto spec = shell("if read line; then exit 1; else exit 0; fi");
  auto child = spawn(spec);
  ASSERT_TRUE(child);
  ASSERT_TRUE(wait_exit());
  EXPECT_EQ(*exit_, core::ExitStatus::exited(0));
}

TEST_F(ChildProcessTest, MissingCommandIsAnErrorValue) {
  auto spec = shell("");
  spec.argv = {"no-such-command-anywhere"};
  auto result = ChildProcess::spawn(io_, reaper_, spec, [](core::ExitStatus) {});
  EXPECT_FALSE(result.process);
  EXPECT_NE(result.error.find("no-such-command-anywhere"), std::string::npos);
}

TEST_F(ChildProcessTest, MissingWorkDirIsAnErrorValue) {
  auto spec = shell("true");
  spec.work_dir = dir_ / "missing";
  auto result = ChildProcess::spawn(io_, reaper_, spec, [](core::ExitStatus) {});
  EXPECT_FALSE(result.process);
  EXPECT_FALSE(result.error.empty());
}

TEST_F(ChildProcessTest, NonExecutableFileIsAnErrorValue) {
  { std::ofstream(dir_ / "plain") << "not a program\n"; }
  auto spec = shell("true");
  spec.argv = {"./plain"};
  auto result = ChildProcess::spawn(io_, reaper_, spec, [](core::ExitStatus) {});
  EXPECT_FALSE(result.process);
  EXPECT_FALSE(result.error.empty());
}

// The legacy bug: kill -9 of the shim left its agent running. The exit is
// reported only once the orphaned grandchild is dead and reaped.
TEST_F(ChildProcessTest, ExitIsReportedOnlyAfterTheOrphanedGrandchildIsKilledAndReaped) {
  auto child = spawn(shell("sleep 1000 & echo $! > grandchild.pid; wait"));
  ASSERT_TRUE(child);
  ASSERT_TRUE(wait_for([&] { return read_pid(dir_ / "grandchild.pid").has_value(); }));
  const int grandchild = *read_pid(dir_ / "grandchild.pid");
  ASSERT_FALSE(gone(grandchild));

  ASSERT_EQ(::kill(child->pid(), SIGKILL), 0);
  ASSERT_TRUE(wait_exit());
  EXPECT_EQ(*exit_, core::ExitStatus::killed(SIGKILL));
  EXPECT_TRUE(gone(grandchild)) << "grandchild " << grandchild << " survived or is a zombie";
  EXPECT_FALSE(group_exists(child->pid()));
}

TEST_F(ChildProcessTest, SignalReachesTheWholeGroup) {
  auto child = spawn(shell("sleep 1000 & echo $! > grandchild.pid; wait"));
  ASSERT_TRUE(child);
  ASSERT_TRUE(wait_for([&] { return read_pid(dir_ / "grandchild.pid").has_value(); }));
  const int grandchild = *read_pid(dir_ / "grandchild.pid");

  std::string error;
  ASSERT_TRUE(child->signal(SIGTERM, error)) << error;
  ASSERT_TRUE(wait_exit());
  EXPECT_EQ(exit_->signal, SIGTERM);
  EXPECT_TRUE(gone(grandchild));
}

TEST_F(ChildProcessTest, DestroyingARunningChildKillsItsGroup) {
  auto child = spawn(shell("sleep 1000 & echo $! > grandchild.pid; wait"));
  ASSERT_TRUE(child);
  ASSERT_TRUE(wait_for([&] { return read_pid(dir_ / "grandchild.pid").has_value(); }));
  const int pid = child->pid();
  child.reset();
  EXPECT_TRUE(wait_for([&] {
    reaper_.reap();
    return !group_exists(pid);
  }));
}

TEST_F(ChildProcessTest, AdoptedProcessEndReportedAsUnknownStatus) {
  // A session leader that the runtime did not start, like a shim of the old
  // orchestrator.
  const pid_t forked = ::fork();
  ASSERT_GE(forked, 0);
  if (forked == 0) {
    ::setsid();
    ::execlp("sleep", "sleep", "1000", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  const std::optional<int> pid = forked;
  ASSERT_TRUE(wait_for([&] {
    const auto stat = read_proc_stat(*pid);
    return stat && stat->session == *pid;
  }));

  auto result =
      ChildProcess::adopt(io_, reaper_, *pid, [this](core::ExitStatus status) { exit_ = status; });
  ASSERT_TRUE(result.process) << result.error;
  EXPECT_TRUE(result.process->adopted());
  EXPECT_FALSE(run_io_until(
      io_, [this] { return exit_.has_value(); }, std::chrono::milliseconds(50)));

  std::string error;
  ASSERT_TRUE(result.process->signal(SIGTERM, error)) << error;
  ASSERT_TRUE(wait_exit());
  EXPECT_TRUE(exit_->is_unknown());
  EXPECT_TRUE(gone(*pid));
}

TEST_F(ChildProcessTest, AdoptingADeadPidIsAnErrorValue) {
  auto child = spawn(shell("exit 0"));
  ASSERT_TRUE(child);
  const int pid = child->pid();
  ASSERT_TRUE(wait_exit());
  auto result = ChildProcess::adopt(io_, reaper_, pid, [](core::ExitStatus) {});
  EXPECT_FALSE(result.process);
  EXPECT_FALSE(result.error.empty());
}

/// A session leader the runtime did not start, like a shim of the old
/// orchestrator; the test reaps it.
pid_t start_outside_leader() {
  const pid_t forked = ::fork();
  if (forked == 0) {
    ::setsid();
    ::execlp("sleep", "sleep", "1000", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  return forked;
}

TEST_F(ChildProcessTest, AProcessThatEndsWhileBeingVerifiedIsNotAdopted) {
  const pid_t pid = start_outside_leader();
  ASSERT_GT(pid, 0);
  ASSERT_TRUE(wait_for([&] {
    const auto stat = read_proc_stat(pid);
    return stat && stat->session == pid;
  }));
  // It passes the check and then ends (its PID could be anyone's next):
  // what the check said must not be trusted.
  auto result = ChildProcess::adopt(
      io_, reaper_, pid,
      [](int candidate) {
        ::kill(candidate, SIGKILL);
        siginfo_t info{};
        ::waitid(P_PID, static_cast<id_t>(candidate), &info, WEXITED | WNOWAIT);
        return std::string();
      },
      [this](core::ExitStatus status) { exit_ = status; });
  EXPECT_FALSE(result.process);
  EXPECT_EQ(result.failure, ChildProcess::AdoptFailure::ended) << result.error;
  int raw = 0;
  EXPECT_EQ(::waitpid(pid, &raw, 0), pid);
}

TEST_F(ChildProcessTest, AProcessTheVerifierRejectsIsNotAdopted) {
  const pid_t pid = start_outside_leader();
  ASSERT_GT(pid, 0);
  auto result = ChildProcess::adopt(
      io_, reaper_, pid, [](int) { return std::string("not the shim"); }, [](core::ExitStatus) {});
  EXPECT_FALSE(result.process);
  EXPECT_EQ(result.failure, ChildProcess::AdoptFailure::not_verified);
  EXPECT_EQ(result.error, "not the shim");
  ::kill(pid, SIGKILL);
  int raw = 0;
  EXPECT_EQ(::waitpid(pid, &raw, 0), pid);
}

TEST_F(ChildProcessTest, AnAdoptedProcessThatLeadsNoGroupIsSignalledThroughItsPidfd) {
  // Not a group leader: in the test's own group, which must not be signalled.
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::execlp("sleep", "sleep", "1000", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ASSERT_TRUE(wait_for([&] {
    const auto stat = read_proc_stat(pid);
    return stat && stat->comm == "sleep";
  }));
  auto result =
      ChildProcess::adopt(io_, reaper_, pid, [this](core::ExitStatus status) { exit_ = status; });
  ASSERT_TRUE(result.process) << result.error;
  std::string error;
  ASSERT_TRUE(result.process->signal(SIGTERM, error)) << error;
  siginfo_t info{};
  ASSERT_EQ(::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED), 0);
  EXPECT_EQ(info.si_code, CLD_KILLED);
  EXPECT_EQ(info.si_status, SIGTERM);
  ASSERT_TRUE(wait_exit());
  // Ended and reaped: a later signal reaches nothing, whoever gets the PID.
  EXPECT_TRUE(result.process->signal(SIGKILL, error)) << error;
}

TEST(ExitStatusFromWait, DistinguishesExitFromSignal) {
  EXPECT_EQ(exit_status_from_wait(3 << 8), core::ExitStatus::exited(3));
  EXPECT_EQ(exit_status_from_wait(SIGKILL), core::ExitStatus::killed(SIGKILL));
}

// A pidfd can be reported readable while its process runs (see
// recycled_readiness.hpp). Boost.Process answered such a wakeup with a
// blocking waitpid(): the loop, and with it the control socket, hung until
// the worker ended.
TEST_F(ChildProcessTest, AWakeupOfThePidfdWhileTheChildRunsIsNotTakenForItsExit) {
  RecycledReadiness recycled(io_);
  ASSERT_TRUE(recycled.valid());
  std::unique_ptr<ChildProcess> child;
  ASSERT_TRUE(deliver_stale_readiness(recycled, [&] {
    child = spawn(shell("exec sleep 1000"));
    return child ? child->pid() : 0;
  }));
  EXPECT_FALSE(exit_.has_value()) << "the loop waited for the child, or took it for ended";
  EXPECT_FALSE(child->main_exited());

  std::string error;
  ASSERT_TRUE(child->signal(SIGKILL, error)) << error;
  ASSERT_TRUE(wait_exit());
  EXPECT_EQ(*exit_, core::ExitStatus::killed(SIGKILL)) << "its real exit is still reported";
}

// The same wakeup for an adopted process: taken for its end, it had its
// group killed.
TEST_F(ChildProcessTest, AWakeupOfThePidfdWhileAnAdoptedProcessRunsIsNotTakenForItsEnd) {
  const pid_t pid = start_outside_leader();
  ASSERT_GT(pid, 0);
  ASSERT_TRUE(wait_for([&] {
    const auto stat = read_proc_stat(pid);
    return stat && stat->session == pid && stat->comm == "sleep";
  }));
  RecycledReadiness recycled(io_);
  ASSERT_TRUE(recycled.valid());
  ChildProcess::AdoptResult adopted;
  ASSERT_TRUE(deliver_stale_readiness(recycled, [&] {
    adopted =
        ChildProcess::adopt(io_, reaper_, pid, [this](core::ExitStatus status) { exit_ = status; });
    return adopted.process ? pid : 0;
  })) << adopted.error;
  EXPECT_FALSE(exit_.has_value());

  std::string error;
  ASSERT_TRUE(adopted.process->signal(SIGTERM, error)) << error;
  int raw = 0;
  ASSERT_EQ(::waitpid(pid, &raw, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(raw));
  EXPECT_EQ(WTERMSIG(raw), SIGTERM) << "it was killed (SIGKILL) before it was asked to stop";
  ASSERT_TRUE(wait_exit());
  EXPECT_TRUE(exit_->is_unknown());
}

}  // namespace
}  // namespace supervise::runtime
