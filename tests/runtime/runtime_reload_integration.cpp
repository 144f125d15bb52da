// A spec reload (what SIGHUP does) through the whole runtime, on a manual
// clock and a fake launcher: unchanged children keep their process and
// history, changed ones are stopped (with their shutdown deadline) and
// started anew, new ones start, removed ones stop.

#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <optional>
#include <string>

#include "tests/runtime/runtime_on_fakes.hpp"

namespace supervise::runtime {
namespace {

using namespace std::chrono_literals;
using core::ChildState;
using core::ExitStatus;
using supervise::testing::RuntimeOnFakes;

std::string tree_of(const std::string& children) {
  return "version: 1\n"
         "supervisor:\n"
         "  backoff: {initial: 1s, jitter: 0}\n"
         "  children:\n" +
         children;
}

const std::string kKeep =
    "    - {id: keep, command: [keep], work_dir: ., restart: permanent, max_restarts: 10}\n";
const std::string kChange =
    "    - {id: change, command: [change, v1], work_dir: ., restart: permanent, shutdown: 3s}\n";
const std::string kChanged =
    "    - {id: change, command: [change, v2], work_dir: ., restart: permanent, shutdown: 3s}\n";
const std::string kRemove =
    "    - {id: remove, command: [remove], work_dir: ., restart: permanent, shutdown: 5s}\n";
const std::string kAdd = "    - {id: add, command: [add], work_dir: ., restart: permanent}\n";

class RuntimeReloadTest : public ::testing::Test {
 protected:
  RuntimeReloadTest()
      : tree_(tree_of(kKeep + kChange + kRemove), [this](RuntimeOptions& options) {
          options.reload = [this](std::string& error) -> std::optional<core::SpecDocument> {
            if (while_reading_) {
              while_reading_();
            }
            auto loaded = spec::load_spec_string(next_spec_, "next-spec.yaml");
            if (!loaded.document) {
              error = spec::format(loaded.errors);
            }
            return loaded.document;
          };
        }) {}

  void SetUp() override {
    tree_.boot();
    for (const auto* child : {"keep", "change", "remove"}) {
      ASSERT_NE(tree_.pid(child), 0) << child;
    }
  }

  /// Reloads and waits until the spec, read beside the loop, is applied.
  void reload(const std::string& children) {
    next_spec_ = tree_of(children);
    bool applied = false;
    tree_.runtime().reload([&applied] { applied = true; });
    ASSERT_TRUE(tree_.run_until([&applied] { return applied; }));
    tree_.settle();
  }

  int signals_to(int pid, int signal) const {
    int count = 0;
    for (const auto& sent : tree_.launcher.process(pid).signals) {
      count += sent.signal == signal ? 1 : 0;
    }
    return count;
  }

  std::string next_spec_;
  /// Runs where the spec is read (beside the loop), before it is.
  std::function<void()> while_reading_;
  RuntimeOnFakes tree_;
};

TEST_F(RuntimeReloadTest, UnchangedChildrenKeepRunningChangedOnesRestartNewOnesStart) {
  // A crash before the reload: its restart count is history to keep.
  tree_.end("keep", ExitStatus::exited(1));
  tree_.advance(1s);
  const int keep = tree_.pid("keep");
  const int change = tree_.pid("change");
  const int remove = tree_.pid("remove");
  ASSERT_EQ(tree_.status("keep")->restarts, 1);

  reload(kKeep + kChanged + kAdd);
  // The new tree waits until what must stop has stopped.
  EXPECT_EQ(signals_to(change, SIGTERM), 1);
  EXPECT_EQ(signals_to(remove, SIGTERM), 1);
  EXPECT_EQ(signals_to(keep, SIGTERM), 0);
  EXPECT_TRUE(tree_.launcher.spawned("add").empty());
  tree_.launcher.end(change, ExitStatus::killed(SIGTERM));
  tree_.launcher.end(remove, ExitStatus::killed(SIGTERM));
  tree_.settle();

  EXPECT_EQ(tree_.pid("keep"), keep) << "an unchanged child was restarted";
  EXPECT_EQ(tree_.state("keep"), ChildState::running);
  EXPECT_EQ(tree_.status("keep")->restarts, 1);
  EXPECT_TRUE(tree_.launcher.process(keep).signals.empty());

  const auto changed = tree_.launcher.spawned("change");
  ASSERT_EQ(changed.size(), 2u);
  EXPECT_EQ(changed.back()->spec.argv, (std::vector<std::string>{"change", "v2"}));
  EXPECT_EQ(tree_.state("change"), ChildState::running);
  EXPECT_EQ(tree_.launcher.spawned("add").size(), 1u);
  EXPECT_EQ(tree_.state("add"), ChildState::running);
  EXPECT_FALSE(tree_.state("remove")) << "a removed child is still in the tree";
  EXPECT_EQ(tree_.launcher.running(), 3);
}

TEST_F(RuntimeReloadTest, AChangedChildThatIgnoresSigtermIsKilledAtItsDeadlineThenReplaced) {
  const int change = tree_.pid("change");
  const auto t0 = tree_.clock.now();
  reload(kKeep + kChanged + kRemove);
  tree_.advance(3s - 1ms);
  EXPECT_EQ(signals_to(change, SIGKILL), 0);
  EXPECT_EQ(tree_.launcher.spawned("change").size(), 1u) << "replaced while the old one ran";
  tree_.advance(1ms);
  ASSERT_EQ(signals_to(change, SIGKILL), 1);
  EXPECT_EQ(tree_.launcher.process(change).signals.back().at, t0 + 3s);
  tree_.launcher.end(change, ExitStatus::killed(SIGKILL));
  tree_.settle();
  ASSERT_EQ(tree_.launcher.spawned("change").size(), 2u);
  EXPECT_EQ(tree_.launcher.spawned("change").back()->started_at, t0 + 3s);
}

TEST_F(RuntimeReloadTest, AnUnchangedSpecChangesNothing) {
  reload(kKeep + kChange + kRemove);
  for (const auto* process : tree_.launcher.processes()) {
    EXPECT_TRUE(process->signals.empty()) << process->pid;
  }
  EXPECT_EQ(tree_.launcher.processes().size(), 3u);
}

TEST_F(RuntimeReloadTest, ABrokenSpecKeepsTheRunningTree) {
  reload("    - {id: keep, restart: sometimes}\n");
  for (const auto* process : tree_.launcher.processes()) {
    EXPECT_TRUE(process->signals.empty()) << process->pid;
  }
  EXPECT_EQ(tree_.state("change"), ChildState::running);
  // The tree still works: a crash is restarted as before.
  tree_.end("change", ExitStatus::exited(1));
  tree_.advance(1s);
  EXPECT_EQ(tree_.launcher.spawned("change").size(), 2u);
}

TEST_F(RuntimeReloadTest, AChildStoppedByAnOperatorStaysStopped) {
  tree_.runtime().command({core::CommandKind::stop, "keep"});
  tree_.settle();
  tree_.end("keep", ExitStatus::killed(SIGTERM));
  ASSERT_EQ(tree_.state("keep"), ChildState::stopped);

  reload(kKeep + kChanged + kRemove);
  tree_.launcher.end(tree_.pid("change"), ExitStatus::killed(SIGTERM));
  tree_.settle();
  ASSERT_EQ(tree_.launcher.spawned("change").size(), 2u) << "the reload did not happen";
  EXPECT_EQ(tree_.state("keep"), ChildState::stopped);
  EXPECT_TRUE(tree_.status("keep")->held);
  tree_.advance(1min);
  EXPECT_EQ(tree_.launcher.spawned("keep").size(), 1u);
}

TEST_F(RuntimeReloadTest, TheLoopHandlesExitsWhileTheSpecIsRead) {
  const int change = tree_.pid("change");
  std::promise<void> release;
  const std::shared_future<void> released = release.get_future().share();
  std::atomic<bool> reading{false};
  while_reading_ = [&reading, released] {
    reading = true;
    released.wait();
  };
  next_spec_ = tree_of(kKeep + kChanged + kRemove);
  bool applied = false;
  tree_.runtime().reload([&applied] { applied = true; });
  const bool read_started = tree_.run_until([&reading] { return reading.load(); });
  // The read is held: the loop still takes an exit and restarts by policy.
  const int keep = tree_.pid("keep");
  tree_.launcher.end(keep, ExitStatus::exited(1));
  tree_.settle();
  const auto during_read = tree_.state("keep");
  const bool applied_during_read = applied;
  release.set_value();
  ASSERT_TRUE(read_started);
  EXPECT_EQ(during_read, ChildState::backoff);
  EXPECT_FALSE(applied_during_read);
  EXPECT_EQ(signals_to(change, SIGTERM), 0) << "the reload acted before its spec was read";
  ASSERT_TRUE(tree_.run_until([&applied] { return applied; }));
  EXPECT_EQ(signals_to(change, SIGTERM), 1);
}

TEST_F(RuntimeReloadTest, ASecondReloadWhileTheFirstIsReadIsRefused) {
  std::promise<void> release;
  const std::shared_future<void> released = release.get_future().share();
  std::atomic<int> reads{0};
  while_reading_ = [&reads, released] {
    ++reads;
    released.wait();
  };
  next_spec_ = tree_of(kKeep + kChanged + kRemove);
  bool first = false;
  bool second = false;
  tree_.runtime().reload([&first] { first = true; });
  tree_.runtime().reload([&second] { second = true; });
  const bool second_answered = second;
  release.set_value();
  EXPECT_TRUE(second_answered) << "the refused reload was not answered at once";
  ASSERT_TRUE(tree_.run_until([&first] { return first; }));
  EXPECT_EQ(reads.load(), 1);
}

}  // namespace
}  // namespace supervise::runtime
