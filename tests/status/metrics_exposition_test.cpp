// supervise's metric families from a snapshot: one sample per child and
// state, exit codes, stalled, stream tasks, intensity, process metrics.

#include "supervisor/status/metrics_exposition.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "supervisor/status/restart_latency.hpp"

namespace supervise::status {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

MetricsSnapshot three_children() {
  MetricsSnapshot snapshot;
  ChildReport a;
  a.id = "Stream-A";
  a.state = core::ChildState::running;
  a.restarts = 2;
  a.last_exit = core::ExitStatus::killed(9);
  a.stalled = true;
  ChildReport b;
  b.id = "Stream-B";
  b.state = core::ChildState::backoff;
  b.last_exit = core::ExitStatus::exited(3);
  ChildReport c;
  c.id = "builder";
  c.state = core::ChildState::waiting;
  snapshot.report.children = {a, b, c};
  snapshot.stream_tasks["Stream-A"] = {{"completed", 1}, {"pending", 2}};
  snapshot.intensity_restarts[std::string(kRootSupervisorLabel)] = 2;
  return snapshot;
}

TEST(MetricsExposition, EveryChildHasUpStateRestartsAndStalled) {
  const auto text = metrics_text(three_children());
  EXPECT_THAT(text, HasSubstr("supervise_child_up{child=\"Stream-A\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("supervise_child_up{child=\"Stream-B\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("supervise_child_state{child=\"Stream-B\",state=\"backoff\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("supervise_child_state{child=\"Stream-B\",state=\"running\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("supervise_child_restarts_total{child=\"Stream-A\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("supervise_child_stalled{child=\"Stream-A\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("supervise_child_stalled{child=\"builder\"} 0\n"));
}

TEST(MetricsExposition, EachChildIsInExactlyOneState) {
  const auto families = metric_families(three_children());
  const auto& state = families[1];
  ASSERT_EQ(state.name, "supervise_child_state");
  std::map<std::string, double> ones;
  for (const auto& sample : state.samples) {
    ones[sample.labels[0].second] += sample.value;
  }
  EXPECT_EQ(ones,
            (std::map<std::string, double>{{"Stream-A", 1}, {"Stream-B", 1}, {"builder", 1}}));
  EXPECT_EQ(state.samples.size(), 3u * 9u) << "every state of every child";
}

TEST(MetricsExposition, LastExitCodesReadSignalsAsTheShellDoes) {
  const auto text = metrics_text(three_children());
  EXPECT_THAT(text, HasSubstr("supervise_child_last_exit_code{child=\"Stream-A\"} 137\n"));
  EXPECT_THAT(text, HasSubstr("supervise_child_last_exit_code{child=\"Stream-B\"} 3\n"));
  EXPECT_THAT(text, Not(HasSubstr("supervise_child_last_exit_code{child=\"builder\"}")))
      << "a child that never exited has no exit code";
}

TEST(MetricsExposition, StreamTasksAndIntensityHaveTheirLabels) {
  const auto text = metrics_text(three_children());
  EXPECT_THAT(text, HasSubstr("supervise_stream_tasks{child=\"Stream-A\",status=\"pending\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("supervise_intensity_restarts{supervisor=\"(root)\"} 2\n"));
}

TEST(MetricsExposition, EveryFamilyTheIssueNamesHasHelpAndType) {
  auto snapshot = three_children();
  snapshot.process = ProcessMetrics{1.5, 4096, 8192, 1700000000, 12, 1024};
  const auto text = metrics_text(snapshot);
  for (const std::string name :
       {"supervise_child_up", "supervise_child_state", "supervise_child_restarts_total",
        "supervise_child_last_exit_code", "supervise_child_stalled", "supervise_stream_tasks",
        "supervise_restart_latency_seconds", "supervise_intensity_restarts",
        "process_resident_memory_bytes", "process_open_fds", "process_cpu_seconds_total",
        "process_start_time_seconds"}) {
    EXPECT_THAT(text, HasSubstr("# HELP " + name + " ")) << name;
    EXPECT_THAT(text, HasSubstr("# TYPE " + name + " ")) << name;
  }
  EXPECT_THAT(text, HasSubstr("# TYPE supervise_restart_latency_seconds histogram\n"));
  EXPECT_THAT(text, HasSubstr("process_open_fds 12\n"));
  EXPECT_THAT(text, HasSubstr("process_max_fds 1024\n"));
}

TEST(RestartLatency, MeasuresFromTheExitToRunningAgainAcrossFailedSpawns) {
  using core::ChildState;
  using core::Reason;
  const auto t0 = core::TimePoint{} + std::chrono::hours(1);
  RestartLatency latency;
  latency.state_changed({"A", ChildState::running, ChildState::backoff, Reason::crashed, "", {}},
                        t0);
  latency.state_changed(
      {"A", ChildState::backoff, ChildState::starting, Reason::backoff_elapsed, "", {}},
      t0 + std::chrono::seconds(1));
  latency.state_changed(
      {"A", ChildState::starting, ChildState::backoff, Reason::spawn_failed, "", {}},
      t0 + std::chrono::seconds(1));
  latency.state_changed({"A", ChildState::starting, ChildState::running, Reason::spawned, "", {}},
                        t0 + std::chrono::seconds(3));
  EXPECT_EQ(latency.histogram().count(), 1u);
  EXPECT_DOUBLE_EQ(latency.histogram().sum(), 3.0);

  latency.state_changed({"A", ChildState::starting, ChildState::running, Reason::spawned, "", {}},
                        t0 + std::chrono::seconds(9));
  EXPECT_EQ(latency.histogram().count(), 1u) << "a first start is no restart";

  latency.state_changed({"B", ChildState::running, ChildState::backoff, Reason::crashed, "", {}},
                        t0);
  latency.state_changed({"B", ChildState::backoff, ChildState::failed, Reason::intensity, "", {}},
                        t0);
  latency.state_changed({"B", ChildState::waiting, ChildState::running, Reason::spawned, "", {}},
                        t0 + std::chrono::seconds(5));
  EXPECT_EQ(latency.histogram().count(), 1u) << "a child that gave up was not restarted";
}

}  // namespace
}  // namespace supervise::status
