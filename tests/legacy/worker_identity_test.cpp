#include "supervisor/legacy/worker_identity.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "tests/support/spawned_process.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/wait_for.hpp"

namespace supervise::legacy {
namespace {

using process::ProcessInfo;
using process::read_process;
using process::system_pid_max;
using process::WorkerVerdict;
using supervise::testing::SpawnedProcess;
using supervise::testing::TempDir;
using supervise::testing::wait_for;
using namespace std::chrono_literals;

/// A script named worker-wrapper.sh that just waits: looks like a shim for
/// the stream given as its first argument.
std::filesystem::path fake_shim(const TempDir& dir) {
  const auto path = dir / "worker-wrapper.sh";
  std::ofstream(path) << "#!/bin/bash\ntrap 'exit 0' TERM\nsleep 600 &\nwait\n";
  std::filesystem::permissions(path, std::filesystem::perms::owner_all);
  return path;
}

/// Waits until /proc shows the process running `needle` in its argv, so that
/// the exec has happened before the test looks at the command line.
bool wait_for_exec(int pid, const std::string& needle) {
  return wait_for([&] {
    const auto info = read_process(pid);
    if (!info) {
      return false;
    }
    for (const auto& arg : info->argv) {
      if (arg.find(needle) != std::string::npos) {
        return true;
      }
    }
    return false;
  });
}

void set_mtime(const std::filesystem::path& path, WallClock::time_point when) {
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(when.time_since_epoch());
  const timespec ts{static_cast<time_t>(ns.count() / 1'000'000'000),
                    static_cast<long>(ns.count() % 1'000'000'000)};
  const timespec times[2] = {ts, ts};
  ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0);
}

PidFileRead pid_file_for(const TempDir& dir, int pid) {
  std::string error;
  EXPECT_TRUE(write_pid_file(dir / "Stream-A.pid", pid, error)) << error;
  return read_pid_file(dir / "Stream-A.pid");
}

// ------------------------------------------------------------------- rules ---

TEST(IsShimFor, MatchesTheArgumentAfterTheShimExactly) {
  const std::vector<std::string> argv{"bash", "/p/.claude/orchestrator/worker-wrapper.sh",
                                      "Stream-A", "/p/pids/Stream-A.pid"};
  EXPECT_TRUE(is_shim_for(argv, "Stream-A"));
  EXPECT_FALSE(is_shim_for(argv, "Stream-AB"));
  EXPECT_FALSE(is_shim_for(argv, "Stream"));
  EXPECT_FALSE(is_shim_for({"bash", "/p/worker-wrapper.sh"}, "Stream-A"));
  EXPECT_FALSE(is_shim_for({"bash", "/p/other.sh", "Stream-A"}, "Stream-A"));
  EXPECT_FALSE(is_shim_for({"bash", "/p/my-worker-wrapper.sh", "Stream-A"}, "Stream-A"));
  EXPECT_TRUE(is_shim_for({"worker-wrapper.sh", "Stream-A"}, "Stream-A"));
  EXPECT_FALSE(is_shim_for({}, "Stream-A"));
}

ProcessInfo shim_process(WallClock::time_point started) {
  ProcessInfo info;
  info.stat.pid = 4242;
  info.stat.state = 'S';
  info.uid = 1000;
  info.argv = {"bash", "/p/worker-wrapper.sh", "Stream-A"};
  info.start_time = started;
  return info;
}

TEST(JudgeWorker, ShimStartedBeforeItsPidFileIsVerified) {
  const auto mtime = WallClock::time_point(1'700'000'000'123'456'789ns);
  EXPECT_EQ(judge_worker(shim_process(mtime - 3s), 1000, "Stream-A", mtime),
            WorkerVerdict::verified);
  // Tick truncation and coarse mtimes: a start a few ms "after" is the writer.
  EXPECT_EQ(judge_worker(shim_process(mtime + 10ms), 1000, "Stream-A", mtime),
            WorkerVerdict::verified);
}

TEST(JudgeWorker, ProcessStartedAfterThePidFileIsRecycled) {
  const auto mtime = WallClock::time_point(1'700'000'000'123'456'789ns);
  EXPECT_EQ(judge_worker(shim_process(mtime + 200ms), 1000, "Stream-A", mtime),
            WorkerVerdict::recycled);
}

TEST(JudgeWorker, WholeSecondMtimesGetASecondsTolerance) {
  const auto mtime = WallClock::time_point(1'700'000'000s);
  EXPECT_EQ(judge_worker(shim_process(mtime + 900ms), 1000, "Stream-A", mtime),
            WorkerVerdict::verified);
  EXPECT_EQ(judge_worker(shim_process(mtime + 5s), 1000, "Stream-A", mtime),
            WorkerVerdict::recycled);
}

TEST(JudgeWorker, WallClockStepIsToleratedOnlyForTheSessionLeadingShimOfThatPidFile) {
  const auto mtime = WallClock::time_point(1'700'000'000'123'456'789ns);
  const std::filesystem::path file = "/p/.claude/orchestrator/pids/Stream-A.pid";
  const auto process = [&](WallClock::time_point started, int session,
                           std::vector<std::string> argv) {
    ProcessInfo info = shim_process(started);
    info.stat.session = session;
    info.argv = std::move(argv);
    return info;
  };
  const std::vector<std::string> shim_argv{"bash", "/p/worker-wrapper.sh", "Stream-A",
                                           file.string(), "/p/logs"};
  struct Row {
    ProcessInfo process;
    std::filesystem::path pid_file;
    WorkerVerdict expected;
  };
  const std::vector<Row> rows{
      // A clock stepped an hour forward after the shim wrote its file.
      {process(mtime + 1h, 4242, shim_argv), file, WorkerVerdict::verified},
      {process(mtime + 23h, 4242, shim_argv), file, WorkerVerdict::verified},
      {process(mtime + 25h, 4242, shim_argv), file, WorkerVerdict::recycled},
      // Without the PID file to compare, the strict rule.
      {process(mtime + 1h, 4242, shim_argv), {}, WorkerVerdict::recycled},
      // Not leading its own session.
      {process(mtime + 1h, 77, shim_argv), file, WorkerVerdict::recycled},
      // Writing another PID file (another project's stream of that name).
      {process(mtime + 1h, 4242,
               {"bash", "/q/worker-wrapper.sh", "Stream-A", "/q/pids/Stream-A.pid"}),
       file, WorkerVerdict::recycled},
      // Lexically the same file.
      {process(mtime + 1h, 4242,
               {"bash", "/p/worker-wrapper.sh", "Stream-A",
                "/p/.claude/orchestrator/./pids/Stream-A.pid"}),
       file, WorkerVerdict::verified},
      // Another stream's shim, or no PID-file argument.
      {process(mtime + 1h, 4242, {"bash", "/p/worker-wrapper.sh", "Stream-B", file.string()}), file,
       WorkerVerdict::recycled},
      {process(mtime + 1h, 4242, {"bash", "/p/worker-wrapper.sh", "Stream-A"}), file,
       WorkerVerdict::recycled},
      // Within the strict tolerance nothing changes.
      {process(mtime - 1s, 77, shim_argv), file, WorkerVerdict::verified},
  };
  for (std::size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(judge_worker(rows[i].process, 1000, "Stream-A", mtime, rows[i].pid_file),
              rows[i].expected)
        << "row " << i;
  }
}

TEST(JudgeWorker, ZombieOtherUserAndOtherProgramAreNotOurWorker) {
  const auto mtime = WallClock::time_point(1'700'000'000'123'456'789ns);
  auto zombie = shim_process(mtime - 1s);
  zombie.stat.state = 'Z';
  EXPECT_EQ(judge_worker(zombie, 1000, "Stream-A", mtime), WorkerVerdict::zombie);
  EXPECT_EQ(judge_worker(shim_process(mtime - 1s), 0, "Stream-A", mtime),
            WorkerVerdict::other_user);
  EXPECT_EQ(judge_worker(shim_process(mtime - 1s), 1000, "Stream-B", mtime),
            WorkerVerdict::not_the_shim);
}

// ------------------------------------------------------- real processes ---

TEST(VerifyWorker, InvalidPidsAreNeverProbed) {
  const auto now = WallClock::now();
  EXPECT_EQ(verify_worker(0, "Stream-A", now), WorkerVerdict::invalid_pid);
  EXPECT_EQ(verify_worker(-1, "Stream-A", now), WorkerVerdict::invalid_pid);
  EXPECT_EQ(verify_worker(1, "Stream-A", now), WorkerVerdict::invalid_pid);
  EXPECT_EQ(verify_worker(system_pid_max() + 1, "Stream-A", now), WorkerVerdict::invalid_pid);
}

TEST(VerifyWorker, ThisTestIsNotTheShim) {
  TempDir dir;
  const PidFileRead file = pid_file_for(dir, ::getpid());
  EXPECT_EQ(verify_worker(::getpid(), "Stream-A", file.mtime), WorkerVerdict::not_the_shim);
}

TEST(VerifyWorker, ShimThatWroteItsPidFileIsVerified) {
  TempDir dir;
  SpawnedProcess shim({fake_shim(dir).string(), "Stream-A"});
  ASSERT_TRUE(wait_for_exec(shim.pid(), "worker-wrapper.sh"));
  const PidFileRead file = pid_file_for(dir, shim.pid());
  EXPECT_EQ(verify_worker(shim.pid(), "Stream-A", file.mtime), WorkerVerdict::verified);
  EXPECT_EQ(verify_worker(shim.pid(), "Stream-AB", file.mtime), WorkerVerdict::not_the_shim);
}

TEST(VerifyWorker, PidFileOlderThanTheProcessMeansARecycledPid) {
  TempDir dir;
  // A shim-looking process for the right stream, but its PID file was written
  // five seconds before it started (backdated rather than waited for): the
  // PID was recycled and the file belongs to an earlier process.
  SpawnedProcess newcomer({fake_shim(dir).string(), "Stream-A"});
  ASSERT_TRUE(wait_for_exec(newcomer.pid(), "worker-wrapper.sh"));
  std::string error;
  ASSERT_TRUE(write_pid_file(dir / "Stream-A.pid", newcomer.pid(), error)) << error;
  set_mtime(dir / "Stream-A.pid", WallClock::now() - 5s);
  const PidFileRead file = read_pid_file(dir / "Stream-A.pid");
  ASSERT_EQ(file.pid, newcomer.pid());
  EXPECT_EQ(verify_worker(newcomer.pid(), "Stream-A", file.mtime), WorkerVerdict::recycled);
}

TEST(VerifyWorker, ProcessRunningAnotherProgramIsNotTheShim) {
  TempDir dir;
  SpawnedProcess sleeper({"/bin/sleep", "600"});
  ASSERT_TRUE(wait_for_exec(sleeper.pid(), "600"));
  const PidFileRead file = pid_file_for(dir, sleeper.pid());
  EXPECT_EQ(verify_worker(sleeper.pid(), "Stream-A", file.mtime), WorkerVerdict::not_the_shim);
}

TEST(VerifyWorker, UnreapedChildIsAZombie) {
  TempDir dir;
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::_exit(0);
  }
  ASSERT_TRUE(wait_for([&] {
    const auto info = read_process(child);
    return info && info->stat.is_zombie();
  }));
  const PidFileRead file = pid_file_for(dir, child);
  EXPECT_EQ(verify_worker(child, "Stream-A", file.mtime), WorkerVerdict::zombie);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_EQ(verify_worker(child, "Stream-A", file.mtime), WorkerVerdict::no_such_process);
}

TEST(VerifyWorker, ProcessOfAnotherUserIsNotOurWorker) {
  TempDir dir;
  if (::getuid() != 0) {
    // Not root: any process of another user will do; kill(pid, 0) gives
    // EPERM there, which must not crash.
    for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
      const int pid = std::atoi(entry.path().filename().c_str());
      const auto info = pid >= 2 ? read_process(pid) : std::nullopt;
      if (info && info->uid != ::getuid() && !info->stat.has_ended()) {
        EXPECT_EQ(verify_worker(pid, "Stream-A", WallClock::now()), WorkerVerdict::other_user);
        return;
      }
    }
    GTEST_SKIP() << "no process of another user to look at";
  }
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) {
      ::_exit(1);
    }
    for (;;) {
      ::pause();
    }
  }
  ASSERT_TRUE(wait_for([&] {
    const auto info = read_process(child);
    return info && info->uid == 65534;
  }));
  const PidFileRead file = pid_file_for(dir, child);
  EXPECT_EQ(verify_worker(child, "Stream-A", file.mtime), WorkerVerdict::other_user);
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
}

}  // namespace
}  // namespace supervise::legacy
