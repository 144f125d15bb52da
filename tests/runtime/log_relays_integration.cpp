// The workers' log relays kept across runs, with the built supervise-log-relay
// and real pipes: one relay serves every run of a child while we hold its
// pipe, a changed setting or a dead relay brings a new one, and a released
// relay writes everything it was given before it ends and its waiter hears.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <cerrno>
#include <fstream>
#include <sstream>
#include <string>

#include "supervisor/process/pidfd.hpp"
#include "supervisor/process/spawn.hpp"
#include "supervisor/runtime/log_relays.hpp"
#include "tests/runtime/run_io_until.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/wait_for.hpp"

namespace supervise::runtime {
namespace {

using supervise::testing::run_io_until;
using supervise::testing::TempDir;
using supervise::testing::wait_for;

std::string slurp(const std::filesystem::path& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

LogRelaySpec relay_spec(int keep = 2) {
  core::LogRotation rotation;
  rotation.max_size = 1024 * 1024;
  rotation.keep = keep;
  return LogRelaySpec{std::filesystem::path(SUPERVISE_BUILD_DIR) / "supervise-log-relay", rotation};
}

/// Runs `sh -c script` with stdout and stderr the relay's pipe, as a worker
/// runs, and waits until it has exited.
void run_worker(const StartedLogRelay& relay, const std::string& script) {
  process::SpawnRequest request;
  request.executable = "/bin/sh";
  request.argv = {"sh", "-c", script};
  request.work_dir = "/";
  request.stdout_fd = relay.writer.get();
  request.stderr_fd = relay.writer.get();
  auto launched = process::spawn_process(request);
  ASSERT_TRUE(launched.started()) << launched.message;
  ASSERT_TRUE(process::wait_pidfd(launched.pidfd.get(), std::chrono::seconds(10)));
  int ignored = 0;
  ::waitpid(launched.pid, &ignored, 0);
}

/// A pidfd on the relay, taken while it is our unreaped child.
process::FileDescriptor watch(const StartedLogRelay& relay) {
  return process::open_pidfd(relay.pid).fd;
}

/// A keeper of relays on a loop the test runs, and a log in a scratch dir.
class LogRelaysTest : public ::testing::Test {
 protected:
  /// Releases `child` (all when empty) and runs the loop until the keeper
  /// says every released relay has ended.
  bool release_and_wait(const std::string& child = "") {
    if (child.empty()) {
      relays_->release_all();
    } else {
      relays_->release(child);
    }
    bool told = false;
    relays_->when_idle([&] { told = true; });
    return run_io_until(io_, [&] { return told; });
  }

  TempDir dir_;
  const std::filesystem::path log_ = dir_.path() / "w.log";
  boost::asio::io_context io_;
  const std::shared_ptr<LogRelays> relays_ = LogRelays::create(io_);
  std::string error_;
};

TEST_F(LogRelaysTest, OneRelayServesEveryRunOfAChildAndKeepsTheirOrder) {
  const auto first = relays_->acquire("w", relay_spec(), log_, error_);
  ASSERT_TRUE(first) << error_;
  run_worker(*first, "echo run 1");
  ASSERT_TRUE(wait_for([&] { return slurp(log_) == "run 1\n"; })) << slurp(log_);
  // The run has ended and closed its end of the pipe; ours keeps the relay
  // reading, so the next run is given the same one.
  const auto second = relays_->acquire("w", relay_spec(), log_, error_);
  ASSERT_TRUE(second) << error_;
  EXPECT_EQ(second->pid, first->pid);
  run_worker(*second, "echo run 2; echo no newline >&2; printf tail");
  EXPECT_EQ(relays_->kept(), 1u);

  ASSERT_TRUE(release_and_wait("w"));
  EXPECT_EQ(slurp(log_), "run 1\nrun 2\nno newline\ntail");
  EXPECT_EQ(relays_->kept(), 0u);
  // Ended, and reaped by the keeper: it is no child of ours any more.
  int ignored = 0;
  EXPECT_EQ(::waitpid(first->pid, &ignored, WNOHANG), -1);
  EXPECT_EQ(errno, ECHILD);
}

TEST_F(LogRelaysTest, ChangedSettingsBringANewRelayAndTheOldOneEndsAfterWritingItsShare) {
  const auto other_log = dir_.path() / "w2.log";

  const auto first = relays_->acquire("w", relay_spec(2), log_, error_);
  ASSERT_TRUE(first) << error_;
  const auto first_ended = watch(*first);
  ASSERT_TRUE(first_ended.valid());
  run_worker(*first, "echo before the reload");

  const auto rotated_differently = relays_->acquire("w", relay_spec(3), log_, error_);
  ASSERT_TRUE(rotated_differently) << error_;
  EXPECT_NE(rotated_differently->pid, first->pid);
  ASSERT_TRUE(process::wait_pidfd(first_ended.get(), std::chrono::seconds(10)));
  EXPECT_EQ(slurp(log_), "before the reload\n");

  const auto elsewhere = relays_->acquire("w", relay_spec(3), other_log, error_);
  ASSERT_TRUE(elsewhere) << error_;
  EXPECT_NE(elsewhere->pid, rotated_differently->pid);
  run_worker(*elsewhere, "echo moved");
  EXPECT_EQ(relays_->kept(), 1u);

  ASSERT_TRUE(release_and_wait());
  EXPECT_EQ(slurp(other_log), "moved\n");
  EXPECT_EQ(slurp(log_), "before the reload\n");
}

TEST_F(LogRelaysTest, ARelayKilledBySomeoneIsReplacedAtTheNextRun) {
  const auto first = relays_->acquire("w", relay_spec(), log_, error_);
  ASSERT_TRUE(first) << error_;
  const auto ended = watch(*first);
  ASSERT_TRUE(ended.valid());
  ASSERT_EQ(::kill(first->pid, SIGKILL), 0);
  ASSERT_TRUE(process::wait_pidfd(ended.get(), std::chrono::seconds(10)));

  const auto next = relays_->acquire("w", relay_spec(), log_, error_);
  ASSERT_TRUE(next) << error_;
  EXPECT_NE(next->pid, first->pid);
  run_worker(*next, "echo after the kill");

  ASSERT_TRUE(release_and_wait("w"));
  EXPECT_EQ(slurp(log_), "after the kill\n");
}

TEST_F(LogRelaysTest, ARelayThatDiedBeforeItsReleaseIsNotWaitedFor) {
  const auto relay = relays_->acquire("w", relay_spec(), log_, error_);
  ASSERT_TRUE(relay) << error_;
  const auto ended = watch(*relay);
  ASSERT_TRUE(ended.valid());
  ASSERT_EQ(::kill(relay->pid, SIGKILL), 0);
  ASSERT_TRUE(process::wait_pidfd(ended.get(), std::chrono::seconds(10)));

  relays_->release("w");
  EXPECT_TRUE(relays_->idle()) << "nothing left to wait for";
  int ignored = 0;
  EXPECT_EQ(::waitpid(relay->pid, &ignored, WNOHANG), -1) << "reaped at the release";
}

TEST_F(LogRelaysTest, NothingReleasedMeansIdleAndAReleaseOfAnUnknownChildDoesNothing) {
  EXPECT_TRUE(release_and_wait("nobody"));
  EXPECT_TRUE(relays_->idle());
}

}  // namespace
}  // namespace supervise::runtime
