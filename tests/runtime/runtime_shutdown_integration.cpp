// Shutdown deadlines through the whole runtime, on a manual clock and a fake
// launcher: SIGTERM to the group, SIGKILL exactly at the child's shutdown
// timeout, reverse dependency order, brutal_kill, a second request.

#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "tests/runtime/runtime_on_fakes.hpp"

namespace supervise::runtime {
namespace {

using namespace std::chrono_literals;
using core::ChildState;
using core::ExitStatus;
using supervise::testing::FakeProcessLauncher;
using supervise::testing::RuntimeOnFakes;
using Signals = std::vector<FakeProcessLauncher::SentSignal>;

/// `server` is started first; `client` depends on it having started, so it
/// is stopped first. `scratch` is stopped with SIGKILL at once.
const std::string kShutdownTree = R"(
version: 1
supervisor:
  backoff: {jitter: 0}
  children:
    - id: server
      command: [server]
      work_dir: .
      restart: permanent
      shutdown: 10s
    - id: client
      command: [client]
      work_dir: .
      restart: permanent
      depends_on: [{id: server, condition: started}]
      shutdown: 3s
    - id: scratch
      command: [scratch]
      work_dir: .
      restart: permanent
      shutdown: brutal_kill
)";

class RuntimeShutdownTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tree_.boot();
    for (const auto* child : {"server", "client", "scratch"}) {
      ASSERT_NE(tree_.pid(child), 0) << child << " did not start";
      pids_[child] = tree_.pid(child);
    }
  }

  const Signals& signals_of(const std::string& child) {
    return tree_.launcher.process(pids_.at(child)).signals;
  }

  void shut_down() {
    tree_.runtime().command({core::CommandKind::shutdown, ""});
    tree_.settle();
  }

  /// The brutal_kill child ends on the SIGKILL it got at once.
  void end_scratch() {
    tree_.launcher.end(pids_.at("scratch"), ExitStatus::killed(SIGKILL));
    tree_.settle();
  }

  RuntimeOnFakes tree_{kShutdownTree};
  std::map<std::string, int> pids_;
};

TEST_F(RuntimeShutdownTest, SigtermFirstThenSigkillExactlyAtTheShutdownTimeout) {
  tree_.advance(1s);
  shut_down();
  end_scratch();
  const auto t0 = tree_.clock.now();
  // A worker stopped with SIGSTOP could not handle its SIGTERM: SIGCONT too.
  EXPECT_EQ(signals_of("client"), (Signals{{SIGTERM, t0}, {SIGCONT, t0}}));
  tree_.advance(3s - 1ms);
  EXPECT_EQ(signals_of("client").size(), 2u) << "SIGKILL before the shutdown timeout";
  tree_.advance(1ms);
  EXPECT_EQ(signals_of("client"), (Signals{{SIGTERM, t0}, {SIGCONT, t0}, {SIGKILL, t0 + 3s}}));

  // The server's turn comes once its dependent has ended; its own deadline
  // counts from its own SIGTERM.
  EXPECT_TRUE(signals_of("server").empty());
  tree_.advance(500ms);
  tree_.launcher.end(pids_["client"], ExitStatus::killed(SIGKILL));
  tree_.settle();
  const auto t1 = tree_.clock.now();
  EXPECT_EQ(signals_of("server"), (Signals{{SIGTERM, t1}, {SIGCONT, t1}}));
  tree_.advance(10s - 1ms);
  EXPECT_EQ(signals_of("server").size(), 2u);
  tree_.advance(1ms);
  EXPECT_EQ(signals_of("server").back(), (FakeProcessLauncher::SentSignal{SIGKILL, t1 + 10s}));

  tree_.launcher.end(pids_["server"], ExitStatus::killed(SIGKILL));
  tree_.settle();
  ASSERT_TRUE(tree_.runtime().finished());
  EXPECT_EQ(tree_.finish().outcome, core::TreeOutcome::shut_down);
}

TEST_F(RuntimeShutdownTest, AChildThatEndsOnSigtermGetsNoSigkill) {
  shut_down();
  end_scratch();
  tree_.advance(2s);
  tree_.launcher.end(pids_["client"], ExitStatus::killed(SIGTERM));
  tree_.settle();
  tree_.advance(9s);
  tree_.launcher.end(pids_["server"], ExitStatus::exited(143));
  tree_.settle();
  tree_.advance(1min);
  for (const auto* child : {"server", "client"}) {
    const auto& sent = signals_of(child);
    EXPECT_EQ(std::count_if(sent.begin(), sent.end(),
                            [](const auto& signal) { return signal.signal == SIGKILL; }),
              0)
        << child;
  }
  for (const auto* child : {"server", "client", "scratch"}) {
    EXPECT_EQ(tree_.state(child), ChildState::stopped) << child;
    EXPECT_FALSE(tree_.launcher.process(pids_[child]).abandoned) << child;
  }
  ASSERT_TRUE(tree_.runtime().finished());
  EXPECT_EQ(tree_.finish().outcome, core::TreeOutcome::shut_down);
}

TEST_F(RuntimeShutdownTest, BrutalKillIsSigkillAtOnce) {
  const auto t0 = tree_.clock.now();
  shut_down();
  EXPECT_EQ(signals_of("scratch"), (Signals{{SIGKILL, t0}}));
}

TEST_F(RuntimeShutdownTest, ASecondRequestKillsEveryGroupAtOnce) {
  shut_down();
  tree_.advance(1s);
  tree_.runtime().command({core::CommandKind::force, ""});
  tree_.settle();
  const auto t1 = tree_.clock.now();
  // Even the server, whose dependent has not ended yet.
  for (const auto* child : {"server", "client"}) {
    ASSERT_FALSE(signals_of(child).empty()) << child;
    EXPECT_EQ(signals_of(child).back(), (FakeProcessLauncher::SentSignal{SIGKILL, t1})) << child;
  }
}

TEST_F(RuntimeShutdownTest, AnOperatorStopHasTheSameDeadline) {
  tree_.advance(1s);
  tree_.runtime().command({core::CommandKind::stop, "client"});
  tree_.settle();
  const auto t0 = tree_.clock.now();
  tree_.advance(3s);
  EXPECT_EQ(signals_of("client"), (Signals{{SIGTERM, t0}, {SIGCONT, t0}, {SIGKILL, t0 + 3s}}));
  tree_.launcher.end(pids_["client"], ExitStatus::killed(SIGKILL));
  tree_.settle();
  EXPECT_EQ(tree_.state("client"), ChildState::stopped);
  EXPECT_EQ(tree_.launcher.spawned("client").size(), 1u) << "a stopped child was restarted";
  EXPECT_TRUE(signals_of("server").empty());
}

}  // namespace
}  // namespace supervise::runtime
