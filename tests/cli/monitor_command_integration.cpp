#include <gtest/gtest.h>

#include <fstream>

#include "supervisor/cli/monitor_command.hpp"
#include "supervisor/taskcopilot/project_layout.hpp"
#include "tests/support/task_copilot_fixture.hpp"
#include "tests/support/temp_dir.hpp"

namespace supervise::cli {
namespace {

using supervise::testing::TempDir;

class MonitorCommandTest : public ::testing::Test {
 protected:
  TempDir temp;
  std::filesystem::path root = temp / "project";
  std::filesystem::path tasks_db = temp / "db" / "tasks.db";
  std::filesystem::path memory_db = temp / "db" / "memory.db";
  testing::TaskCopilotFixture db = testing::make_four_stream_project(tasks_db, memory_db);
  taskcopilot::ProjectLayout layout;

  MonitorCommandTest() {
    std::filesystem::create_directories(root);
    layout = taskcopilot::ProjectLayout::from_root(root);
    std::filesystem::create_directories(layout.logs_dir);
  }

  /// Parses `supervise monitor <arguments>` and runs it; the exit status.
  int run(const std::string& arguments) {
    CLI::App app{"supervise"};
    int exit_status = -1;
    add_monitor_command(app, exit_status);
    app.parse("monitor --project " + root.string() + " --tasks-db " + tasks_db.string() +
                  " --memory-db " + memory_db.string() + " " + arguments,
              false);
    return exit_status;
  }

  std::string monitor_log() const {
    std::ifstream in(layout.monitor_log);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }
};

TEST_F(MonitorCommandTest, OneShotReportsADeadWorkerWithExitOne) {
  std::ofstream(layout.logs_dir / "Stream-A_a1b2c3d4.log") << std::string(200, 'x');
  EXPECT_EQ(run("--quiet"), 1);
  EXPECT_NE(monitor_log().find("[WARNING] Found 1 dead worker(s): Stream-A"), std::string::npos)
      << monitor_log();
  EXPECT_NE(monitor_log().find("[INFO] Auto-restart disabled."), std::string::npos);
}

TEST_F(MonitorCommandTest, OneShotWithNothingDeadExitsZero) {
  EXPECT_EQ(run("--quiet"), 0);
  EXPECT_NE(monitor_log().find("[INFO] All workers healthy"), std::string::npos);
}

TEST_F(MonitorCommandTest, MaxRestartsZeroNeverRestarts) {
  std::ofstream(layout.logs_dir / "Stream-A_a1b2c3d4.log") << std::string(200, 'x');
  EXPECT_EQ(run("--quiet --auto-restart --max-restarts 0"), 1);
  EXPECT_NE(monitor_log().find("[ERROR] Worker Stream-A has reached max restart limit (0)"),
            std::string::npos)
      << monitor_log();
}

TEST_F(MonitorCommandTest, BadNumbersAreUsageErrors) {
  EXPECT_THROW(run("--max-restarts -1"), CLI::ParseError);
  EXPECT_THROW(run("--interval 0"), CLI::ParseError);
  EXPECT_THROW(run("--interval soon"), CLI::ParseError);
  EXPECT_THROW(run("--no-such-flag"), CLI::ParseError);
}

}  // namespace
}  // namespace supervise::cli
