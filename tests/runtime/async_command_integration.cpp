// Commands beside the loop (git, exec hooks) as real processes: stdin and
// the environment, the time limit (the whole group killed, within a bound),
// what a command leaves behind, failures reported, the output's limit, and
// an exit status that the orphan reaper must leave to us.

#include <gtest/gtest.h>
#include <signal.h>

#include <boost/asio/io_context.hpp>
#include <fstream>
#include <sstream>

#include "supervisor/process/pidfd.hpp"
#include "supervisor/runtime/async_command.hpp"
#include "supervisor/runtime/orphan_reaper.hpp"
#include "tests/runtime/run_io_until.hpp"
#include "tests/support/process_files.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/wait_for.hpp"

namespace supervise::runtime {
namespace {

using namespace std::chrono_literals;
using supervise::testing::read_pid_when_written;
using supervise::testing::read_text;
using supervise::testing::run_io_until;
using supervise::testing::running;
using supervise::testing::TempDir;
using supervise::testing::wait_for;

struct CommandRun {
  std::optional<AsyncCommand::Result> result;
  std::shared_ptr<AsyncCommand> process;
};

AsyncCommand::Options command(std::vector<std::string> argv, const TempDir& dir,
                              std::chrono::milliseconds limit = 10s) {
  AsyncCommand::Options options;
  options.argv = std::move(argv);
  options.work_dir = dir.path();
  options.time_limit = limit;
  return options;
}

void start(boost::asio::io_context& io, const AsyncCommand::Options& options, CommandRun& run) {
  run.process = AsyncCommand::start(
      io, options, [&run](AsyncCommand::Result result) { run.result = std::move(result); });
}

TEST(AsyncCommand, GetsItsInputOnStdinAndItsVariablesInTheEnvironment) {
  TempDir dir;
  boost::asio::io_context io;
  auto options = command({"sh", "-c",
                          "cat > event.json; printf '%s %s' \"$SUPERVISE_EVENT\" "
                          "\"$SUPERVISE_CHILD\" > env.txt"},
                         dir);
  options.input = R"({"event":"gave_up","child":"Stream-A"})";
  options.env = {{"SUPERVISE_EVENT", "gave_up"}, {"SUPERVISE_CHILD", "Stream-A"}};
  CommandRun run;
  start(io, options, run);
  ASSERT_TRUE(run_io_until(io, [&] { return run.result.has_value(); }));
  EXPECT_TRUE(run.result->started);
  EXPECT_EQ(run.result->exit_code, 0) << run.result->output;
  EXPECT_FALSE(run.result->timed_out);
  EXPECT_EQ(read_text(dir / "event.json"), options.input);
  EXPECT_EQ(read_text(dir / "env.txt"), "gave_up Stream-A");
}

TEST(AsyncCommand, AHangingCommandAndWhatItStartedAreKilledAtTheTimeLimit) {
  TempDir dir;
  boost::asio::io_context io;
  CommandRun run;
  const auto began = std::chrono::steady_clock::now();
  start(io, command({"sh", "-c", "sleep 30 & echo $! > child.pid; sleep 30"}, dir, 300ms), run);
  const int child = read_pid_when_written(dir / "child.pid");
  ASSERT_GT(child, 0);
  ASSERT_TRUE(run_io_until(
      io, [&] { return run.result.has_value(); }, 10s));
  const auto took = std::chrono::steady_clock::now() - began;
  EXPECT_TRUE(run.result->timed_out);
  EXPECT_EQ(run.result->signal, SIGKILL);
  EXPECT_GE(took, 300ms);
  EXPECT_LT(took, 5s) << "killed at its limit, not when it would have ended";
  EXPECT_TRUE(wait_for([&] { return !running(child); }, 5s)) << "its background child too";
}

TEST(AsyncCommand, WhatACommandLeavesInItsGroupEndsWithIt) {
  TempDir dir;
  boost::asio::io_context io;
  CommandRun run;
  start(io, command({"sh", "-c", "sleep 30 & echo $! > child.pid"}, dir), run);
  ASSERT_TRUE(run_io_until(io, [&] { return run.result.has_value(); }));
  EXPECT_EQ(run.result->exit_code, 0);
  const int child = read_pid_when_written(dir / "child.pid");
  EXPECT_TRUE(wait_for([&] { return !running(child); }, 5s));
}

TEST(AsyncCommand, FailuresAreReportedWithTheStatusAndOutput) {
  TempDir dir;
  boost::asio::io_context io;
  CommandRun failing;
  start(io, command({"sh", "-c", "echo oops; exit 3"}, dir), failing);
  CommandRun missing;
  start(io, command({"no-such-program-here"}, dir), missing);
  ASSERT_TRUE(run_io_until(io, [&] { return failing.result && missing.result; }));
  EXPECT_TRUE(failing.result->started);
  EXPECT_EQ(failing.result->exit_code, 3);
  EXPECT_EQ(failing.result->output, "oops\n");
  EXPECT_FALSE(missing.result->started);
  EXPECT_NE(missing.result->output.find("not found"), std::string::npos) << missing.result->output;
}

TEST(AsyncCommand, LettingGoOfARunningCommandKillsItsGroup) {
  TempDir dir;
  boost::asio::io_context io;
  CommandRun run;
  start(io, command({"sh", "-c", "echo $$ > hook.pid; sleep 30"}, dir), run);
  const int pid = read_pid_when_written(dir / "hook.pid");
  ASSERT_GT(pid, 0);
  run.process.reset();
  // Reaped by the pending wait, which outlives the handle.
  EXPECT_TRUE(run_io_until(
      io, [&] { return run.result.has_value(); }, 5s));
  EXPECT_FALSE(running(pid));
}

TEST(AsyncCommand, KeepsTheStartOfItsOutputUpToTheLimit) {
  TempDir dir;
  boost::asio::io_context io;
  auto options = command({"sh", "-c", "printf '%0100d' 0"}, dir);
  options.output_limit = 10;
  CommandRun run;
  start(io, options, run);
  ASSERT_TRUE(run_io_until(io, [&] { return run.result.has_value(); }));
  EXPECT_TRUE(run.result->succeeded());
  EXPECT_EQ(run.result->output, "0000000000");
}

// supervise is a subreaper that reaps zombies outside its session; a
// command runs in a session of its own. Its exit status must still be ours
// when the reaper runs first (as when SIGCHLD is handled before the pidfd).
TEST(AsyncCommand, ItsExitStatusIsOursEvenWhenTheOrphanReaperRunsFirst) {
  TempDir dir;
  boost::asio::io_context io;
  OrphanReaper reaper;
  auto options = command({"sh", "-c", "exit 7"}, dir);
  options.reaper = &reaper;
  CommandRun run;
  start(io, options, run);
  ASSERT_GT(run.process->pid(), 0);
  auto handle = process::open_pidfd(run.process->pid());
  ASSERT_TRUE(handle.fd.valid());
  ASSERT_TRUE(process::wait_pidfd(handle.fd.get(), 10s));
  reaper.reap();
  ASSERT_TRUE(run_io_until(io, [&] { return run.result.has_value(); }));
  EXPECT_EQ(run.result->exit_code, 7);
}

}  // namespace
}  // namespace supervise::runtime
