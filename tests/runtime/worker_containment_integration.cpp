// A worker whose descendants leave its process group and session (setsid, a
// double fork) is contained all the same: its exit is reported only once
// they are gone, and they die with it when we go. Once with a cgroup per
// worker, once with the fallback (the subreaper and start markers).

#include <gtest/gtest.h>
#include <signal.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <optional>
#include <string>

#include "supervisor/process/cgroup_v2.hpp"
#include "supervisor/process/marked_processes.hpp"
#include "supervisor/process/start_marker.hpp"
#include "supervisor/runtime/child_process.hpp"
#include "supervisor/runtime/orphan_reaper.hpp"
#include "supervisor/runtime/worker_containment.hpp"
#include "tests/runtime/run_io_until.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/wait_for.hpp"

namespace supervise::runtime {
namespace {

using supervise::testing::run_io_until;
using supervise::testing::TempDir;
using supervise::testing::wait_for;

/// The escaping worker: one descendant in a new session, one after a
/// double fork in a new session, the main process itself a third.
constexpr const char* kEscaper = "setsid sleep 1000 & (setsid sleep 1001 &); exec sleep 1002";

enum class Mode { cgroup, marker };

class WorkerContainmentTest : public ::testing::TestWithParam<Mode> {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(become_child_subreaper()); }

  void SetUp() override {
    ContainmentScope scope{process::new_start_id(), {}};
    if (GetParam() == Mode::cgroup) {
      const auto base = process::find_cgroup_base();
      if (base.directory.empty()) {
        GTEST_SKIP() << "no writable cgroup v2 here: " << base.error;
      }
      scope.cgroup = base.directory / ("supervise-test-" + scope.start_id);
      std::string error;
      ASSERT_TRUE(process::create_cgroup(scope.cgroup, error)) << error;
    }
    containment_ = WorkerContainment::create(io_, scans_.get_executor(), removals_, scope);
  }

  void TearDown() override {
    if (containment_) {
      containment_->kill_now();
      // Whatever a failed test left must not outlive it.
      wait_for([&] { return marked().empty(); });
      if (containment_->has_cgroup()) {
        std::string ignored;
        process::remove_cgroup(containment_->scope().cgroup, ignored);
      }
    }
    scans_.join();
  }

  /// The worker's live processes by its marker; {0} when the scan could not
  /// finish (never mistaken for "none").
  std::vector<int> marked() const {
    return process::find_marked_processes(containment_->scope().start_id)
        .value_or(std::vector<int>{0});
  }

  std::unique_ptr<ChildProcess> spawn_escaper() {
    LaunchSpec spec;
    spec.argv = {"bash", "-c", kEscaper};
    spec.env = inherited_environment({});
    spec.env.push_back(process::start_marker_entry(containment_->scope().start_id));
    spec.work_dir = dir_.path();
    auto result = ChildProcess::spawn(
        io_, reaper_, spec,
        [this](core::ExitStatus status) {
          exit_ = status;
          // What is alive the moment the exit is reported: a restart would
          // start now, beside whatever this finds.
          alive_at_exit_ = marked();
        },
        containment_);
    EXPECT_EQ(result.error, "");
    return std::move(result.process);
  }

  TempDir dir_;
  boost::asio::io_context io_;
  boost::asio::thread_pool scans_{1};
  OrphanReaper reaper_;
  std::shared_ptr<CgroupRemovals> removals_ = CgroupRemovals::create(io_);
  std::shared_ptr<WorkerContainment> containment_;
  std::optional<core::ExitStatus> exit_;
  std::vector<int> alive_at_exit_;
};

TEST_P(WorkerContainmentTest, DescendantsThatLeftTheSessionAreGoneBeforeTheExitIsReported) {
  auto child = spawn_escaper();
  ASSERT_TRUE(child);
  EXPECT_EQ(containment_->has_cgroup(), GetParam() == Mode::cgroup);
  ASSERT_TRUE(wait_for([&] { return marked().size() == 3; })) << marked().size();
  ASSERT_TRUE(run_io_until(io_, [&] { return child->process_count() == 3; }))
      << child->process_count().value_or(-1);

  ::kill(child->pid(), SIGKILL);
  ASSERT_TRUE(run_io_until(io_, [&] { return exit_.has_value(); }));
  EXPECT_EQ(exit_->signal, SIGKILL);
  EXPECT_TRUE(alive_at_exit_.empty()) << alive_at_exit_.size() << " still alive";
  if (GetParam() == Mode::cgroup) {
    // The kernel may refuse its removal for a moment after the last exit.
    ASSERT_TRUE(run_io_until(io_, [&] { return removals_->idle(); }));
    EXPECT_FALSE(std::filesystem::exists(containment_->scope().cgroup))
        << "the empty cgroup is removed";
  }
}

TEST_P(WorkerContainmentTest, StoppingTheMainProcessStopsTheEscapedToo) {
  auto child = spawn_escaper();
  ASSERT_TRUE(child);
  ASSERT_TRUE(wait_for([&] { return marked().size() == 3; }));
  std::string error;
  ASSERT_TRUE(child->signal(SIGTERM, error)) << error;
  ASSERT_TRUE(run_io_until(io_, [&] { return exit_.has_value(); }));
  EXPECT_EQ(exit_->signal, SIGTERM);
  EXPECT_TRUE(alive_at_exit_.empty()) << alive_at_exit_.size() << " still alive";
}

TEST_P(WorkerContainmentTest, EverythingDiesWhenTheSupervisorLetsGoOfARunningWorker) {
  auto child = spawn_escaper();
  ASSERT_TRUE(child);
  ASSERT_TRUE(wait_for([&] { return marked().size() == 3; }));
  child.reset();  // what happens to every worker when `up` exits
  EXPECT_TRUE(wait_for([&] { return marked().empty(); })) << marked().size() << " still alive";
}

INSTANTIATE_TEST_SUITE_P(Containment, WorkerContainmentTest,
                         ::testing::Values(Mode::cgroup, Mode::marker),
                         [](const ::testing::TestParamInfo<Mode>& info) {
                           return info.param == Mode::cgroup ? std::string("cgroup")
                                                             : std::string("marker");
                         });

}  // namespace
}  // namespace supervise::runtime
