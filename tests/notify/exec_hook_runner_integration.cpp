// The exec hook runner with real processes: a bound on how many run at
// once, a failing or hanging hook costing only itself, cancelling.

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "supervisor/notify/exec_hook_runner.hpp"
#include "tests/runtime/run_io_until.hpp"
#include "tests/support/process_files.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/wait_for.hpp"

namespace supervise::notify {
namespace {

using namespace std::chrono_literals;
using supervise::testing::read_pid_when_written;
using supervise::testing::read_text;
using supervise::testing::run_io_until;
using supervise::testing::running;
using supervise::testing::TempDir;
using supervise::testing::wait_for;

TEST(ExecHookRunner, RunsABoundedNumberAtOnceAndDropsTheOldestWaitingWhenFull) {
  TempDir dir;
  boost::asio::io_context io;
  ExecHookRunner runner(io, {2, 3, dir.path(), nullptr, 60s});
  for (int i = 0; i < 6; ++i) {
    ExecHookRunner::Run run;
    run.label = "notify[0] (sh)";
    run.argv = {"sh", "-c", "echo " + std::to_string(i) + " >> ran.txt; sleep 0.2"};
    runner.submit(std::move(run));
    EXPECT_LE(runner.running(), 2u);
  }
  EXPECT_EQ(runner.running(), 2u);
  EXPECT_EQ(runner.queued(), 3u);
  EXPECT_EQ(runner.stats().dropped, 1u);
  std::size_t most = 0;
  ASSERT_TRUE(run_io_until(
      io,
      [&] {
        most = std::max(most, runner.running());
        return runner.idle();
      },
      20s));
  EXPECT_LE(most, 2u);
  EXPECT_EQ(runner.stats().started, 5u);
  EXPECT_EQ(runner.stats().succeeded, 5u);
  // The first two started at once; run 2, the oldest waiting, was dropped.
  std::string ran = read_text(dir / "ran.txt");
  EXPECT_EQ(ran.find("2\n"), std::string::npos) << ran;
  for (const std::string kept : {"0\n", "1\n", "3\n", "4\n", "5\n"}) {
    EXPECT_NE(ran.find(kept), std::string::npos) << ran;
  }
}

TEST(ExecHookRunner, AFailingOrHangingHookCostsOnlyItself) {
  TempDir dir;
  boost::asio::io_context io;
  ExecHookRunner runner(io, {4, 10, dir.path(), nullptr, 60s});
  ExecHookRunner::Run hanging;
  hanging.label = "hang";
  hanging.argv = {"sleep", "30"};
  hanging.time_limit = 200ms;
  runner.submit(hanging);
  ExecHookRunner::Run failing;
  failing.label = "fail";
  failing.argv = {"false"};
  runner.submit(failing);
  ExecHookRunner::Run working;
  working.label = "work";
  working.argv = {"sh", "-c", "touch worked"};
  runner.submit(working);
  ASSERT_TRUE(run_io_until(
      io, [&] { return runner.idle(); }, 10s));
  EXPECT_EQ(runner.stats().failed, 2u);
  EXPECT_EQ(runner.stats().timed_out, 1u);
  EXPECT_EQ(runner.stats().succeeded, 1u);
  EXPECT_TRUE(std::filesystem::exists(dir / "worked"));
}

TEST(ExecHookRunner, CancelAllKillsWhatRuns) {
  TempDir dir;
  boost::asio::io_context io;
  ExecHookRunner runner(io, {1, 10, dir.path(), nullptr, 60s});
  ExecHookRunner::Run run;
  run.label = "long";
  run.argv = {"sh", "-c", "echo $$ > hook.pid; sleep 30"};
  runner.submit(run);
  runner.submit(run);
  const int pid = read_pid_when_written(dir / "hook.pid");
  ASSERT_GT(pid, 0);
  runner.cancel_all();
  EXPECT_TRUE(runner.idle());
  EXPECT_TRUE(wait_for(
      [&] {
        io.poll();
        return !running(pid);
      },
      5s));
}

}  // namespace
}  // namespace supervise::notify
