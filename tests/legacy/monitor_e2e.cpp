// `supervise --monitor-only` as users run it: the built binary, restarting a
// dead worker through the shim shipped beside it, into a new git worktree.

#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>

#include <fstream>

#include "supervisor/legacy/pid_file.hpp"
#include "supervisor/legacy/worker_identity.hpp"
#include "supervisor/process/proc_reader.hpp"
#include "supervisor/process/process_identity.hpp"
#include "supervisor/process/session_scan.hpp"
#include "supervisor/taskcopilot/project_layout.hpp"
#include "tests/legacy/legacy_fixtures.hpp"
#include "tests/support/process_files.hpp"
#include "tests/support/run_binary.hpp"
#include "tests/support/spawned_process.hpp"
#include "tests/support/task_copilot_fixture.hpp"
#include "tests/support/temp_dir.hpp"

namespace supervise::legacy {
namespace {

using process::read_process;
using process::WorkerVerdict;
using supervise::testing::read_text;
using test_support::run_git;

using supervise::testing::TempDir;
namespace fs = std::filesystem;

TEST(MonitorOnly, RestartsADeadWorkerThroughTheShippedShimIntoANewWorktree) {
  TempDir temp;
  const fs::path root = temp / "checkout";
  fs::create_directories(root);
  ASSERT_EQ(run_git(root, "init -q -b main"), 0);
  ASSERT_EQ(run_git(root, "-c user.email=t@e -c user.name=t commit -q --allow-empty -m init"), 0);
  const fs::path tasks_db = temp / "db" / "tasks.db";
  const fs::path memory_db = temp / "db" / "memory.db";
  auto db = testing::make_four_stream_project(tasks_db, memory_db);
  const auto layout = taskcopilot::ProjectLayout::from_root(root);
  fs::create_directories(layout.logs_dir);
  std::ofstream(*layout.log_file("Stream-A", testing::kFourStreamInitiative))
      << std::string(200, 'x') << "\n";
  const std::string agent =
      std::string(SUPERVISE_SOURCE_DIR) + "/tests/legacy/fixtures/fake-agent.sh";
  ::setenv("SUPERVISE_AGENT", (agent + " " + (temp / "agent.pid").string() + " sleep").c_str(), 1);

  const auto result =
      testing::run_supervise({"--monitor-only", "--auto-restart", "--project", root.string(),
                              "--tasks-db", tasks_db.string(), "--memory-db", memory_db.string()});
  ::unsetenv("SUPERVISE_AGENT");

  const PidFileRead pid_file = read_pid_file(*layout.pid_file("Stream-A"));
  struct SessionKiller {
    int session;
    ~SessionKiller() { testing::kill_session(session); }
  } cleanup{pid_file.pid};

  EXPECT_EQ(result.exit_code, 1) << result.err;
  EXPECT_NE(result.out.find("[MONITOR] Found 1 dead worker(s): Stream-A\n"), std::string::npos)
      << result.out;
  ASSERT_EQ(pid_file.state, PidFileState::valid) << read_text(layout.monitor_log);
  EXPECT_NE(result.out.find("[MONITOR] Worker Stream-A restarted (PID: " +
                            std::to_string(pid_file.pid) + ")\n"),
            std::string::npos)
      << result.out;
  EXPECT_EQ(verify_worker(pid_file.pid, "Stream-A", pid_file.mtime), WorkerVerdict::verified);
  const auto shim = read_process(pid_file.pid);
  ASSERT_TRUE(shim);
  ASSERT_GE(shim->argv.size(), 2u);
  EXPECT_EQ(fs::path(shim->argv[1]), fs::path(SUPERVISE_BUILD_DIR) / "worker-wrapper.sh");
  const fs::path worktree = *layout.work_dir("Stream-A");
  EXPECT_EQ(run_git(worktree, "rev-parse --verify -q refs/heads/Stream-A"), 0);
  EXPECT_TRUE(fs::exists(worktree / ".git"));  // a worktree's .git file, not a plain directory
  EXPECT_NE(read_text(layout.monitor_log).find("] [SUCCESS] Worker Stream-A restarted"),
            std::string::npos);
}

TEST(MonitorOnly, MissingTasksDbIsReportedWithExitZero) {
  TempDir temp;
  const auto result = testing::run_supervise({"--monitor-only", "--project", temp.path().string(),
                                              "--tasks-db", (temp / "none.db").string(),
                                              "--memory-db", (temp / "none2.db").string()});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.out,
            "[MONITOR] Task Copilot database not found: " + (temp / "none.db").string() + "\n");
}

TEST(MonitorOnly, UsageErrorExitsTwo) {
  EXPECT_EQ(testing::run_supervise({"--monitor-only", "--interval", "never"}).exit_code, 2);
}

}  // namespace
}  // namespace supervise::legacy
