#include "supervisor/cli/status_table.hpp"

#include <gtest/gtest.h>

namespace supervise::cli {
namespace {

using core::ChildState;
using status::ChildReport;

ChildReport child(std::string id, ChildState state, int depth) {
  ChildReport report;
  report.id = std::move(id);
  report.name = "Name of " + report.id;
  report.state = state;
  report.depth = depth;
  report.tasks = status::TaskCounts{1, 3};
  return report;
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> result;
  std::size_t start = 0;
  for (std::size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
    result.push_back(text.substr(start, end - start));
  }
  return result;
}

TEST(StatusTable, GroupsChildrenByDepthUnderASummary) {
  status::StatusReport report;
  report.source = status::Source::supervisor;
  report.supervisor_pid = 4242;
  report.initiative_name = "Demo";
  report.initiative_id = "7f3c9a21-demo";
  auto a = child("Stream-A", ChildState::done, 0);
  a.tasks = status::TaskCounts{3, 3};
  auto b = child("Stream-B", ChildState::backoff, 1);
  b.restarts = 1;
  b.restarts_in_window = 1;
  b.last_exit = core::ExitStatus::killed(9);
  b.next_restart_in_seconds = 1.6;
  auto z = child("Stream-Z", ChildState::waiting, 2);
  z.waiting_for = {"Stream-B"};
  report.children = {a, b, z};

  const auto out = lines(render_status_table(report, /*color=*/false));
  ASSERT_EQ(out.size(), 7u);
  EXPECT_EQ(out[0].rfind("Overall: 1/3 complete", 0), 0u) << out[0];
  EXPECT_NE(out[0].find("supervised by pid 4242"), std::string::npos);
  EXPECT_EQ(out[1], "Depth 0 (Independent)");
  EXPECT_NE(out[2].find("[DONE]"), std::string::npos);
  EXPECT_NE(out[2].find("███████████████ 3/3"), std::string::npos);
  EXPECT_EQ(out[3], "Depth 1");
  EXPECT_NE(out[4].find("[BACKOFF]"), std::string::npos);
  EXPECT_NE(out[4].find("restart in 2s"), std::string::npos);
  EXPECT_NE(out[4].find("signal 9"), std::string::npos);
  EXPECT_NE(out[4].find("█████░░░░░░░░░░ 1/3"), std::string::npos);
  EXPECT_EQ(out[5], "Depth 2");
  EXPECT_NE(out[6].find("waits for Stream-B"), std::string::npos);
}

TEST(StatusTable, ARunningChildShowsItsProcessCount) {
  status::StatusReport report;
  report.source = status::Source::supervisor;
  auto a = child("Stream-A", ChildState::running, 0);
  a.pid = 77;
  a.processes = 4;
  auto b = child("Stream-B", ChildState::running, 0);
  b.pid = 78;
  b.processes = 1;
  auto c = child("Stream-C", ChildState::running, 0);
  c.pid = 79;  // not counted yet
  report.children = {a, b, c};
  const auto out = lines(render_status_table(report, false));
  ASSERT_EQ(out.size(), 5u);
  EXPECT_NE(out[2].find("pid 77  4 processes"), std::string::npos) << out[2];
  EXPECT_NE(out[3].find("pid 78  1 process"), std::string::npos) << out[3];
  EXPECT_EQ(out[3].find("processes"), std::string::npos) << out[3];
  EXPECT_EQ(out[4].find("process"), std::string::npos) << out[4];
}

TEST(StatusTable, OfflineReportSaysNothingSupervisesAndMarksDeadWorkers) {
  status::StatusReport report;
  auto a = child("Stream-A", ChildState::stopped, 0);
  a.dead = true;
  report.children = {a};
  report.notes = {"nothing supervises these workers"};
  const auto out = lines(render_status_table(report, false));
  EXPECT_NE(out[0].find("no supervisor running"), std::string::npos);
  EXPECT_NE(out[2].find("[DEAD]"), std::string::npos);
  EXPECT_EQ(out.back(), "Note: nothing supervises these workers");
}

TEST(StatusTable, ColourOnlyWhenAsked) {
  status::StatusReport report;
  report.children = {child("Stream-A", ChildState::running, 0)};
  EXPECT_EQ(render_status_table(report, false).find('\x1b'), std::string::npos);
  EXPECT_NE(render_status_table(report, true).find("\x1b[32m"), std::string::npos);
}

TEST(FormatDurationShort, PicksTheLargestUnits) {
  EXPECT_EQ(format_duration_short(12.4), "12s");
  EXPECT_EQ(format_duration_short(185), "3m05s");
  EXPECT_EQ(format_duration_short(3720), "1h02m");
  EXPECT_EQ(format_duration_short(-3), "0s");
}

}  // namespace
}  // namespace supervise::cli
