// Exec hooks as real processes: the event on stdin and in the environment,
// the time limit (the whole group killed, within a bound), what a hook
// leaves behind, failures reported, and the runner's bound on concurrency.

#include <gtest/gtest.h>
#include <signal.h>

#include <boost/asio/io_context.hpp>
#include <fstream>
#include <sstream>

#include "supervisor/notify/exec_hook_runner.hpp"
#include "supervisor/notify/hook_process.hpp"
#include "tests/runtime/run_io_until.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/wait_for.hpp"

namespace supervise::notify {
namespace {

using namespace std::chrono_literals;
using supervise::testing::run_io_until;
using supervise::testing::TempDir;
using supervise::testing::wait_for;

std::string read_text(const std::filesystem::path& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

/// Alive and not a zombie.
bool alive(int pid) {
  const auto stat = read_text("/proc/" + std::to_string(pid) + "/stat");
  const auto close = stat.rfind(')');
  return !stat.empty() && close != std::string::npos && stat.substr(close + 2, 1) != "Z";
}

int read_pid(const std::filesystem::path& path) {
  int pid = 0;
  wait_for([&] {
    std::ifstream(path) >> pid;
    return pid > 0;
  });
  return pid;
}

struct HookRun {
  std::optional<HookProcess::Result> result;
  std::shared_ptr<HookProcess> process;
};

HookProcess::Options hook(std::vector<std::string> argv, const TempDir& dir,
                          std::chrono::milliseconds limit = 10s) {
  HookProcess::Options options;
  options.argv = std::move(argv);
  options.work_dir = dir.path();
  options.time_limit = limit;
  return options;
}

void start(boost::asio::io_context& io, const HookProcess::Options& options, HookRun& run) {
  run.process = HookProcess::start(
      io, options, [&run](HookProcess::Result result) { run.result = std::move(result); });
}

TEST(HookProcess, GetsTheEventOnStdinAndItsNameAndChildInTheEnvironment) {
  TempDir dir;
  boost::asio::io_context io;
  auto options = hook({"sh", "-c",
                       "cat > event.json; printf '%s %s' \"$SUPERVISE_EVENT\" "
                       "\"$SUPERVISE_CHILD\" > env.txt"},
                      dir);
  options.input = R"({"event":"gave_up","child":"Stream-A"})";
  options.env = {{"SUPERVISE_EVENT", "gave_up"}, {"SUPERVISE_CHILD", "Stream-A"}};
  HookRun run;
  start(io, options, run);
  ASSERT_TRUE(run_io_until(io, [&] { return run.result.has_value(); }));
  EXPECT_TRUE(run.result->started);
  EXPECT_EQ(run.result->exit_code, 0) << run.result->output;
  EXPECT_FALSE(run.result->timed_out);
  EXPECT_EQ(read_text(dir / "event.json"), options.input);
  EXPECT_EQ(read_text(dir / "env.txt"), "gave_up Stream-A");
}

TEST(HookProcess, AHangingHookAndWhatItStartedAreKilledAtTheTimeLimit) {
  TempDir dir;
  boost::asio::io_context io;
  HookRun run;
  const auto began = std::chrono::steady_clock::now();
  start(io, hook({"sh", "-c", "sleep 30 & echo $! > child.pid; sleep 30"}, dir, 300ms), run);
  const int child = read_pid(dir / "child.pid");
  ASSERT_GT(child, 0);
  ASSERT_TRUE(run_io_until(
      io, [&] { return run.result.has_value(); }, 10s));
  const auto took = std::chrono::steady_clock::now() - began;
  EXPECT_TRUE(run.result->timed_out);
  EXPECT_EQ(run.result->signal, SIGKILL);
  EXPECT_GE(took, 300ms);
  EXPECT_LT(took, 5s) << "killed at its limit, not when it would have ended";
  EXPECT_TRUE(wait_for([&] { return !alive(child); }, 5s)) << "its background child too";
}

TEST(HookProcess, WhatAHookLeavesInItsGroupEndsWithIt) {
  TempDir dir;
  boost::asio::io_context io;
  HookRun run;
  start(io, hook({"sh", "-c", "sleep 30 & echo $! > child.pid"}, dir), run);
  ASSERT_TRUE(run_io_until(io, [&] { return run.result.has_value(); }));
  EXPECT_EQ(run.result->exit_code, 0);
  const int child = read_pid(dir / "child.pid");
  EXPECT_TRUE(wait_for([&] { return !alive(child); }, 5s));
}

TEST(HookProcess, FailuresAreReportedWithTheStatusAndOutput) {
  TempDir dir;
  boost::asio::io_context io;
  HookRun failing;
  start(io, hook({"sh", "-c", "echo oops; exit 3"}, dir), failing);
  HookRun missing;
  start(io, hook({"no-such-hook-program-here"}, dir), missing);
  ASSERT_TRUE(run_io_until(io, [&] { return failing.result && missing.result; }));
  EXPECT_TRUE(failing.result->started);
  EXPECT_EQ(failing.result->exit_code, 3);
  EXPECT_EQ(failing.result->output, "oops\n");
  EXPECT_FALSE(missing.result->started);
  EXPECT_NE(missing.result->output.find("not found"), std::string::npos) << missing.result->output;
}

TEST(HookProcess, LettingGoOfARunningHookKillsItsGroup) {
  TempDir dir;
  boost::asio::io_context io;
  HookRun run;
  start(io, hook({"sh", "-c", "echo $$ > hook.pid; sleep 30"}, dir), run);
  const int pid = read_pid(dir / "hook.pid");
  ASSERT_GT(pid, 0);
  run.process.reset();
  // Reaped by the pending wait, which outlives the handle.
  EXPECT_TRUE(run_io_until(
      io, [&] { return run.result.has_value(); }, 5s));
  EXPECT_FALSE(alive(pid));
}

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
  const int pid = read_pid(dir / "hook.pid");
  ASSERT_GT(pid, 0);
  runner.cancel_all();
  EXPECT_TRUE(runner.idle());
  EXPECT_TRUE(wait_for(
      [&] {
        io.poll();
        return !alive(pid);
      },
      5s));
}

}  // namespace
}  // namespace supervise::notify
