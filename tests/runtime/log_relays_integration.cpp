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

TEST(LogRelays, OneRelayServesEveryRunOfAChildAndKeepsTheirOrder) {
  TempDir dir;
  const auto log = dir.path() / "w.log";
  boost::asio::io_context io;
  const auto relays = LogRelays::create(io);
  std::string error;

  const auto first = relays->acquire("w", relay_spec(), log, error);
  ASSERT_TRUE(first) << error;
  run_worker(*first, "echo run 1");
  ASSERT_TRUE(wait_for([&] { return slurp(log) == "run 1\n"; })) << slurp(log);
  // The run has ended and closed its end of the pipe; ours keeps the relay
  // reading, so the next run is given the same one.
  const auto second = relays->acquire("w", relay_spec(), log, error);
  ASSERT_TRUE(second) << error;
  EXPECT_EQ(second->pid, first->pid);
  run_worker(*second, "echo run 2; echo no newline >&2; printf tail");
  EXPECT_EQ(relays->kept(), 1u);

  bool told = false;
  relays->release("w");
  relays->when_idle([&] { told = true; });
  ASSERT_TRUE(run_io_until(io, [&] { return told; }));
  EXPECT_EQ(slurp(log), "run 1\nrun 2\nno newline\ntail");
  EXPECT_EQ(relays->kept(), 0u);
  // Ended, and reaped by the keeper: it is no child of ours any more.
  int ignored = 0;
  EXPECT_EQ(::waitpid(first->pid, &ignored, WNOHANG), -1);
  EXPECT_EQ(errno, ECHILD);
}

TEST(LogRelays, ChangedSettingsBringANewRelayAndTheOldOneEndsAfterWritingItsShare) {
  TempDir dir;
  const auto log = dir.path() / "w.log";
  const auto other_log = dir.path() / "w2.log";
  boost::asio::io_context io;
  const auto relays = LogRelays::create(io);
  std::string error;

  const auto first = relays->acquire("w", relay_spec(2), log, error);
  ASSERT_TRUE(first) << error;
  const auto first_ended = watch(*first);
  ASSERT_TRUE(first_ended.valid());
  run_worker(*first, "echo before the reload");

  const auto rotated_differently = relays->acquire("w", relay_spec(3), log, error);
  ASSERT_TRUE(rotated_differently) << error;
  EXPECT_NE(rotated_differently->pid, first->pid);
  ASSERT_TRUE(process::wait_pidfd(first_ended.get(), std::chrono::seconds(10)));
  EXPECT_EQ(slurp(log), "before the reload\n");

  const auto elsewhere = relays->acquire("w", relay_spec(3), other_log, error);
  ASSERT_TRUE(elsewhere) << error;
  EXPECT_NE(elsewhere->pid, rotated_differently->pid);
  run_worker(*elsewhere, "echo moved");
  EXPECT_EQ(relays->kept(), 1u);

  bool told = false;
  relays->release_all();
  relays->when_idle([&] { told = true; });
  ASSERT_TRUE(run_io_until(io, [&] { return told; }));
  EXPECT_EQ(slurp(other_log), "moved\n");
  EXPECT_EQ(slurp(log), "before the reload\n");
}

TEST(LogRelays, ARelayKilledBySomeoneIsReplacedAtTheNextRun) {
  TempDir dir;
  const auto log = dir.path() / "w.log";
  boost::asio::io_context io;
  const auto relays = LogRelays::create(io);
  std::string error;

  const auto first = relays->acquire("w", relay_spec(), log, error);
  ASSERT_TRUE(first) << error;
  const auto ended = watch(*first);
  ASSERT_TRUE(ended.valid());
  ASSERT_EQ(::kill(first->pid, SIGKILL), 0);
  ASSERT_TRUE(process::wait_pidfd(ended.get(), std::chrono::seconds(10)));

  const auto next = relays->acquire("w", relay_spec(), log, error);
  ASSERT_TRUE(next) << error;
  EXPECT_NE(next->pid, first->pid);
  run_worker(*next, "echo after the kill");

  bool told = false;
  relays->release("w");
  relays->when_idle([&] { told = true; });
  ASSERT_TRUE(run_io_until(io, [&] { return told; }));
  EXPECT_EQ(slurp(log), "after the kill\n");
}

TEST(LogRelays, ARelayThatDiedBeforeItsReleaseIsNotWaitedFor) {
  TempDir dir;
  boost::asio::io_context io;
  const auto relays = LogRelays::create(io);
  std::string error;
  const auto relay = relays->acquire("w", relay_spec(), dir.path() / "w.log", error);
  ASSERT_TRUE(relay) << error;
  const auto ended = watch(*relay);
  ASSERT_TRUE(ended.valid());
  ASSERT_EQ(::kill(relay->pid, SIGKILL), 0);
  ASSERT_TRUE(process::wait_pidfd(ended.get(), std::chrono::seconds(10)));

  relays->release("w");
  EXPECT_TRUE(relays->idle()) << "nothing left to wait for";
  int ignored = 0;
  EXPECT_EQ(::waitpid(relay->pid, &ignored, WNOHANG), -1) << "reaped at the release";
}

TEST(LogRelays, NothingReleasedMeansIdleAndAReleaseOfAnUnknownChildDoesNothing) {
  boost::asio::io_context io;
  const auto relays = LogRelays::create(io);
  relays->release("nobody");
  EXPECT_TRUE(relays->idle());
  bool told = false;
  relays->when_idle([&] { told = true; });
  EXPECT_TRUE(run_io_until(io, [&] { return told; }));
}

}  // namespace
}  // namespace supervise::runtime
