// The production ProcessLauncher hands the runtime what ChildProcess does,
// through the handle: exit status, signals, errors as values, adoption.

#include <gtest/gtest.h>
#include <signal.h>

#include <boost/asio/io_context.hpp>
#include <fstream>
#include <optional>
#include <string>

#include "supervisor/runtime/child_process_launcher.hpp"
#include "tests/runtime/run_io_until.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/wait_for.hpp"

namespace supervise::runtime {
namespace {

using supervise::testing::run_io_until;
using supervise::testing::TempDir;
using supervise::testing::wait_for;

class ChildProcessLauncherTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(become_child_subreaper()); }

  LaunchSpec shell(const std::string& script) {
    LaunchSpec spec;
    spec.argv = {"sh", "-c", script};
    spec.env = inherited_environment({});
    spec.work_dir = dir_.path();
    return spec;
  }

  ProcessLauncher::ExitHandler record_exit() {
    return [this](core::ExitStatus status) { exit_ = status; };
  }

  bool wait_exit() {
    return run_io_until(io_, [this] { return exit_.has_value(); });
  }

  TempDir dir_;
  boost::asio::io_context io_;
  OrphanReaper reaper_;
  ChildProcessLauncher launcher_{reaper_};
  std::optional<core::ExitStatus> exit_;
};

TEST_F(ChildProcessLauncherTest, ASpawnedProcessReportsItsExitStatus) {
  auto started = launcher_.spawn(io_, shell("exit 3"), record_exit());
  ASSERT_TRUE(started.process) << started.error;
  EXPECT_GT(started.process->pid(), 1);
  EXPECT_FALSE(started.process->adopted());
  ASSERT_TRUE(wait_exit());
  EXPECT_EQ(*exit_, core::ExitStatus::exited(3));
  EXPECT_TRUE(started.process->main_exited());
}

TEST_F(ChildProcessLauncherTest, ASignalThroughTheHandleReachesTheProcess) {
  auto started = launcher_.spawn(io_, shell("exec sleep 1000"), record_exit());
  ASSERT_TRUE(started.process) << started.error;
  std::string error;
  ASSERT_TRUE(started.process->signal(SIGTERM, error)) << error;
  ASSERT_TRUE(wait_exit());
  EXPECT_EQ(*exit_, core::ExitStatus::killed(SIGTERM));
}

TEST_F(ChildProcessLauncherTest, AFailedSpawnIsAnErrorValue) {
  auto spec = shell("true");
  spec.argv = {"no-such-command-anywhere"};
  auto started = launcher_.spawn(io_, spec, record_exit());
  EXPECT_FALSE(started.process);
  EXPECT_NE(started.error.find("no-such-command-anywhere"), std::string::npos);
  EXPECT_FALSE(started.out_of_resources);
}

TEST_F(ChildProcessLauncherTest, AdoptionWatchesALiveProcessAndRefusesOneThatIsNotVerified) {
  // A process we did not start: the child of a shell we did.
  auto shell_process = launcher_.spawn(io_, shell("sleep 1000 & echo $! > sleeper.pid; wait"),
                                       [](core::ExitStatus) {});
  ASSERT_TRUE(shell_process.process) << shell_process.error;
  int pid = 0;
  ASSERT_TRUE(wait_for([&] {
    std::ifstream(dir_ / "sleeper.pid") >> pid;
    return pid > 0;
  }));

  const auto refused = launcher_.adopt(
      io_, pid, [](int) { return std::string("not the stream's shim"); }, record_exit());
  EXPECT_FALSE(refused.process);
  EXPECT_EQ(refused.failure, ProcessLauncher::AdoptFailure::not_verified);
  EXPECT_EQ(refused.error, "not the stream's shim");

  auto adopted = launcher_.adopt(
      io_, pid, [](int) { return std::string(); }, record_exit());
  ASSERT_TRUE(adopted.process) << adopted.error;
  EXPECT_TRUE(adopted.process->adopted());
  EXPECT_EQ(adopted.process->pid(), pid);
  std::string error;
  ASSERT_TRUE(adopted.process->signal(SIGKILL, error)) << error;
  ASSERT_TRUE(wait_exit());
  // pidfd tells that an adopted process ended, never how.
  EXPECT_TRUE(exit_->is_unknown());
}

}  // namespace
}  // namespace supervise::runtime
