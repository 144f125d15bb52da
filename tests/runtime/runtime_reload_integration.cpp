// A spec reload (what SIGHUP does) through the whole runtime, on a manual
// clock and a fake launcher: unchanged children keep their process and
// history, changed ones are stopped (with their shutdown deadline) and
// started anew, new ones start, removed ones stop.

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
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

  void reload(const std::string& children) {
    next_spec_ = tree_of(children);
    tree_.runtime().reload();
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

}  // namespace
}  // namespace supervise::runtime
