#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <set>

#include "supervisor/legacy/pid_file.hpp"
#include "supervisor/legacy/shim_launch.hpp"
#include "supervisor/legacy/worker_identity.hpp"
#include "supervisor/process/proc_reader.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/wait_for.hpp"

namespace supervise::legacy {
namespace {

using process::read_process;

using supervise::testing::TempDir;
using supervise::testing::wait_for;
using namespace std::chrono_literals;

/// A shim stand-in: `$1` is the stream, `$2` the PID file, `$3` the log dir;
/// what it does after that comes from the script body.
std::filesystem::path script(const TempDir& dir, const std::string& body) {
  const auto path = dir / "worker-wrapper.sh";
  std::ofstream(path) << "#!/bin/bash\n" << body << "\n";
  return path;  // no executable bit: launched through bash
}

/// Kills the session a detached shim created, at the end of a test.
struct SessionGuard {
  int session = 0;
  ~SessionGuard() {
    if (session > 1) {
      ::kill(-session, SIGKILL);
    }
  }
};

ShimLaunch launch_of(const TempDir& dir, const std::filesystem::path& shim) {
  return ShimLaunch{.shim = shim,
                    .arguments = {"Stream-A", (dir / "Stream-A.pid").string(), dir.path().string(),
                                  dir.path().string(), "init-1234", "the prompt"},
                    .working_dir = dir.path(),
                    .environment = {{"SHIM_TEST_VALUE", "from-launch"}}};
}

TEST(LaunchDetachedShim, RunsInItsOwnSessionReparentedAwayFromUs) {
  TempDir dir;
  const auto shim = script(dir,
                           "echo \"$SHIM_TEST_VALUE $6\" > \"$3/seen\"\n"
                           "printf '%s\\n' $$ > \"$2\"\nexec sleep 600");
  const LaunchResult launched = launch_detached_shim(launch_of(dir, shim));
  ASSERT_TRUE(launched.ok) << launched.error;
  SessionGuard guard{launched.pid};
  EXPECT_EQ(wait_for_shim_start(launched.pid, dir / "Stream-A.pid", dir / "log", 0, 10s),
            ShimStart::pid_file_written);
  const auto process = read_process(launched.pid);
  ASSERT_TRUE(process);
  EXPECT_EQ(process->stat.session, launched.pid);
  EXPECT_EQ(process->stat.pgrp, launched.pid);
  EXPECT_NE(process->stat.ppid, ::getpid());
  std::ifstream seen(dir / "seen");
  std::string line;
  std::getline(seen, line);
  EXPECT_EQ(line, "from-launch the prompt");
}

/// The descriptors a process holds, by number.
std::set<int> open_descriptors(int pid) {
  std::set<int> numbers;
  std::error_code error;
  for (const auto& entry :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", error)) {
    numbers.insert(std::stoi(entry.path().filename().string()));
  }
  return numbers;
}

TEST(LaunchDetachedShim, ShimInheritsNoDescriptorBeyondTheStandardThree) {
  TempDir dir;
  // A descriptor of ours without close-on-exec, like spdlog's log file.
  const int leaked = ::open((dir / "ours.log").c_str(), O_WRONLY | O_CREAT, 0644);
  ASSERT_GE(leaked, 3);
  // `exec sleep`: what remains open is what the shim inherited, not what bash
  // opened for itself.
  const auto shim = script(dir, "printf '%s\\n' $$ > \"$2\"\nexec sleep 600");
  const LaunchResult launched = launch_detached_shim(launch_of(dir, shim));
  ::close(leaked);
  ASSERT_TRUE(launched.ok) << launched.error;
  SessionGuard guard{launched.pid};
  ASSERT_EQ(wait_for_shim_start(launched.pid, dir / "Stream-A.pid", dir / "log", 0, 10s),
            ShimStart::pid_file_written);
  ASSERT_TRUE(wait_for([&] {
    const auto process = read_process(launched.pid);
    return process && process->argv.size() == 2 && process->argv[0] == "sleep";
  })) << "the shim never exec'ed sleep";
  // `sleep` opens and closes files of its own as it starts (its locale): an
  // inherited descriptor is the one that stays, so wait for the three alone.
  std::set<int> descriptors;
  EXPECT_TRUE(wait_for([&] {
    descriptors = open_descriptors(launched.pid);
    return descriptors == std::set<int>{0, 1, 2};
  })) << descriptors.size()
      << " descriptors, the highest " << *descriptors.rbegin();
}

/// Bit `signal` of a SigIgn/SigBlk mask line of /proc/<pid>/status.
bool status_mask_has(int pid, const std::string& field, int signal) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind(field + ":", 0) == 0) {
      const auto mask = std::stoull(line.substr(field.size() + 1), nullptr, 16);
      return (mask >> (signal - 1)) & 1U;
    }
  }
  throw std::runtime_error("no " + field + " for pid " + std::to_string(pid));
}

TEST(LaunchDetachedShim, TheShimDoesNotInheritOurIgnoredSigpipeOrBlockedSignals) {
  TempDir dir;
  const auto shim = script(dir, "printf '%s\\n' $$ > \"$2\"\nexec sleep 600");
  // supervise ignores SIGPIPE; a test process stands in for it here.
  const auto previous = ::signal(SIGPIPE, SIG_IGN);
  sigset_t blocked;
  sigemptyset(&blocked);
  sigaddset(&blocked, SIGTERM);
  sigset_t old_mask;
  ::pthread_sigmask(SIG_BLOCK, &blocked, &old_mask);
  const LaunchResult launched = launch_detached_shim(launch_of(dir, shim));
  ::pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  ::signal(SIGPIPE, previous);
  ASSERT_TRUE(launched.ok) << launched.error;
  SessionGuard guard{launched.pid};
  ASSERT_EQ(wait_for_shim_start(launched.pid, dir / "Stream-A.pid", dir / "log", 0, 10s),
            ShimStart::pid_file_written);
  EXPECT_FALSE(status_mask_has(launched.pid, "SigIgn", SIGPIPE));
  EXPECT_FALSE(status_mask_has(launched.pid, "SigBlk", SIGTERM));
}

TEST(LaunchDetachedShim, ShimThatEndsAtOnceAfterItsBannerCountsAsStarted) {
  TempDir dir;
  const auto shim = script(dir,
                           "printf 'Worker started: now\\nPID: %s\\n' $$ >> \"$3/log\"\n"
                           "printf '%s\\n' $$ > \"$2\"\nrm -f \"$2\"\nexit 0");
  std::ofstream(dir / "log") << "Worker started: earlier\nPID: 1\n";
  const auto offset = std::filesystem::file_size(dir / "log");
  const LaunchResult launched = launch_detached_shim(launch_of(dir, shim));
  ASSERT_TRUE(launched.ok) << launched.error;
  SessionGuard guard{launched.pid};
  ASSERT_TRUE(wait_for([&] {
    const auto process = read_process(launched.pid);
    return !process || process->stat.has_ended();
  }));
  EXPECT_EQ(wait_for_shim_start(launched.pid, dir / "Stream-A.pid", dir / "log", offset, 10s),
            ShimStart::ran_and_ended);
}

TEST(LaunchDetachedShim, ShimThatEndsWithoutStartingFailed) {
  TempDir dir;
  const auto shim = script(dir, "exit 2");
  const LaunchResult launched = launch_detached_shim(launch_of(dir, shim));
  ASSERT_TRUE(launched.ok) << launched.error;
  SessionGuard guard{launched.pid};
  EXPECT_EQ(wait_for_shim_start(launched.pid, dir / "Stream-A.pid", dir / "log", 0, 10s),
            ShimStart::failed);
}

TEST(LaunchDetachedShim, ShimThatNeverWritesItsPidFileTimesOut) {
  TempDir dir;
  const auto shim = script(dir, "exec sleep 600");
  const LaunchResult launched = launch_detached_shim(launch_of(dir, shim));
  ASSERT_TRUE(launched.ok) << launched.error;
  SessionGuard guard{launched.pid};
  EXPECT_EQ(wait_for_shim_start(launched.pid, dir / "Stream-A.pid", dir / "log", 0, 200ms),
            ShimStart::timed_out);
}

TEST(LaunchDetachedShim, MissingWorkingDirIsALaunchError) {
  TempDir dir;
  auto launch = launch_of(dir, script(dir, "exit 0"));
  launch.working_dir = dir / "missing";
  const LaunchResult launched = launch_detached_shim(launch);
  EXPECT_FALSE(launched.ok);
  EXPECT_NE(launched.error.find("No such file"), std::string::npos) << launched.error;
}

TEST(LastBannerPid, FindsThePidOfTheLastStartBanner) {
  TempDir dir;
  std::ofstream(dir / "log") << "========\nWorker started: 2026-01-13T10:00:00+00:00\n"
                                "Stream: Stream-A\nInitiative: x\nPID: 1234\n========\n"
                                "agent says PID: 999\n"
                                "Worker started: 2026-01-13T11:00:00+00:00\nStream: Stream-A\n"
                                "Initiative: x\nPID: 5678\nWork dir: /w\n";
  EXPECT_EQ(last_banner_pid(dir / "log"), 5678);
}

TEST(LastBannerPid, NoBannerOrNoLogIsNothing) {
  TempDir dir;
  std::ofstream(dir / "log") << "PID: 1234\njust agent output\n";
  EXPECT_FALSE(last_banner_pid(dir / "log"));
  EXPECT_FALSE(last_banner_pid(dir / "missing"));
}

TEST(ShimStart, HasANameForEachOutcome) {
  EXPECT_EQ(to_string(ShimStart::pid_file_written), "pid_file_written");
  EXPECT_EQ(to_string(ShimStart::ran_and_ended), "ran_and_ended");
  EXPECT_EQ(to_string(ShimStart::failed), "failed");
  EXPECT_EQ(to_string(ShimStart::timed_out), "timed_out");
}

}  // namespace
}  // namespace supervise::legacy
