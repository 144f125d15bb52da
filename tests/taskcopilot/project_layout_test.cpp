#include "supervisor/taskcopilot/project_layout.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include "tests/support/temp_dir.hpp"

namespace supervise::taskcopilot {
namespace {

namespace fs = std::filesystem;
using supervise::testing::TempDir;
using ::testing::HasSubstr;

class ProjectLayoutTest : public ::testing::Test {
 protected:
  ProjectLayoutTest() {
    fs::create_directories(root_);
    layout_ = ProjectLayout::from_root(root_, {.home_dir = home_});
  }

  TempDir dir_;
  fs::path root_ = dir_ / "my-project";
  fs::path home_ = dir_ / "home";
  ProjectLayout layout_;
};

TEST_F(ProjectLayoutTest, ContractPathsHangOffTheRootAndHome) {
  const fs::path orchestrator = root_ / ".claude" / "orchestrator";
  EXPECT_EQ(layout_.root, root_);
  EXPECT_EQ(layout_.workspace_id, "my-project");
  EXPECT_EQ(layout_.home_dir, home_);
  EXPECT_EQ(layout_.orchestrator_dir, orchestrator);
  EXPECT_EQ(layout_.pids_dir, orchestrator / "pids");
  EXPECT_EQ(layout_.logs_dir, orchestrator / "logs");
  EXPECT_EQ(layout_.archive_dir, orchestrator / "logs" / "archive");
  EXPECT_EQ(layout_.monitor_log, orchestrator / "logs" / "monitor.log");
  EXPECT_EQ(layout_.shim, orchestrator / "worker-wrapper.sh");
  EXPECT_EQ(layout_.foreman_prompt, orchestrator / "foreman-prompt.md");
  EXPECT_EQ(layout_.worktrees_dir, root_ / ".claude" / "worktrees");
  EXPECT_EQ(layout_.tasks_db, home_ / ".claude" / "tasks" / "my-project" / "tasks.db");
  EXPECT_EQ(layout_.memory_db, home_ / ".claude" / "memory" / "my-project" / "memory.db");
  EXPECT_EQ(layout_.control_socket, orchestrator / "supervise.sock");
  EXPECT_EQ(layout_.journal_db, orchestrator / "supervise.db");
  EXPECT_EQ(layout_.supervisor_pid_file, orchestrator / "supervise.pid");
}

TEST_F(ProjectLayoutTest, AWorkerLogCarriesTheInitiativePrefixOnlyWhenTheTreeNamesOne) {
  EXPECT_EQ(layout_.worker_log("Stream-A", "7f3c9a21-demo").value(),
            layout_.logs_dir / "Stream-A_7f3c9a21.log");
  EXPECT_EQ(layout_.worker_log("builder", "").value(), layout_.logs_dir / "builder.log");
  EXPECT_FALSE(layout_.worker_log("../escape", "").ok());
}

TEST_F(ProjectLayoutTest, ATrailingSlashDoesNotChangeTheWorkspaceId) {
  const auto layout = ProjectLayout::from_root(root_.string() + "/", {.home_dir = home_});
  EXPECT_EQ(layout.workspace_id, "my-project");
  EXPECT_EQ(layout.root, root_);
}

TEST_F(ProjectLayoutTest, ARelativeRootIsMadeAbsolute) {
  const fs::path before = fs::current_path();
  fs::current_path(dir_.path());
  const auto layout = ProjectLayout::from_root("my-project", {.home_dir = home_});
  fs::current_path(before);
  EXPECT_EQ(layout.root, root_);
}

TEST_F(ProjectLayoutTest, EveryPathUnderHomeOrTheOrchestratorDirCanBeOverridden) {
  const auto layout = ProjectLayout::from_root(
      root_,
      {.tasks_db = dir_ / "t.db", .memory_db = dir_ / "m.db", .orchestrator_dir = dir_ / "o"});
  EXPECT_EQ(layout.tasks_db, dir_ / "t.db");
  EXPECT_EQ(layout.memory_db, dir_ / "m.db");
  EXPECT_EQ(layout.orchestrator_dir, dir_ / "o");
  EXPECT_EQ(layout.pids_dir, dir_ / "o" / "pids");
  EXPECT_EQ(layout.monitor_log, dir_ / "o" / "logs" / "monitor.log");
}

TEST_F(ProjectLayoutTest, HomeComesFromTheEnvironmentWithoutOverride) {
  const char* saved = ::getenv("HOME");
  const std::string previous = saved != nullptr ? saved : "";
  ::setenv("HOME", home_.c_str(), 1);
  const auto layout = ProjectLayout::from_root(root_);
  if (saved != nullptr) {
    ::setenv("HOME", previous.c_str(), 1);
  } else {
    ::unsetenv("HOME");
  }
  EXPECT_EQ(layout.tasks_db, home_ / ".claude" / "tasks" / "my-project" / "tasks.db");
}

TEST_F(ProjectLayoutTest, PidFileIsNamedForTheStream) {
  const auto path = layout_.pid_file("Stream-B");
  ASSERT_TRUE(path.ok()) << path.error().message;
  EXPECT_EQ(*path, layout_.pids_dir / "Stream-B.pid");
}

TEST_F(ProjectLayoutTest, LogFileCarriesTheFirstEightCharactersOfTheInitiative) {
  const auto path = layout_.log_file("Stream-B", "1234abcd-ffff-4000");
  ASSERT_TRUE(path.ok()) << path.error().message;
  EXPECT_EQ(*path, layout_.logs_dir / "Stream-B_1234abcd.log");

  const auto short_id = layout_.log_file("Stream-B", "abc");
  ASSERT_TRUE(short_id.ok());
  EXPECT_EQ(*short_id, layout_.logs_dir / "Stream-B_abc.log");
}

TEST_F(ProjectLayoutTest, WorkDirIsTheRootForMainAndAWorktreeOtherwise) {
  EXPECT_EQ(*layout_.work_dir("main"), root_);
  EXPECT_EQ(*layout_.work_dir("Stream-B"), root_ / ".claude" / "worktrees" / "Stream-B");
}

TEST_F(ProjectLayoutTest, UnsafeStreamIdsAreRefusedByEveryPathFunction) {
  for (const std::string& id : std::vector<std::string>{"../evil", "", "a/b", ".hidden", "x\ny"}) {
    const auto pid = layout_.pid_file(id);
    ASSERT_FALSE(pid.ok()) << id;
    EXPECT_EQ(pid.error().code, ErrorCode::unsafe_id);
    EXPECT_THAT(pid.error().message, HasSubstr("stream id"));
    EXPECT_FALSE(layout_.log_file(id, "12345678").ok()) << id;
    EXPECT_FALSE(layout_.work_dir(id).ok()) << id;
  }
}

TEST_F(ProjectLayoutTest, TheMessageNamesTheIdWithoutControlCharacters) {
  const auto pid = layout_.pid_file("../evil");
  ASSERT_FALSE(pid.ok());
  EXPECT_THAT(pid.error().message, HasSubstr("'../evil'"));
  const auto control = layout_.pid_file("a\x1b[2Jb");
  ASSERT_FALSE(control.ok());
  EXPECT_EQ(control.error().message.find('\x1b'), std::string::npos);
}

TEST_F(ProjectLayoutTest, AnUnsafeInitiativePrefixIsRefused) {
  const auto path = layout_.log_file("Stream-B", "../../xyz");
  ASSERT_FALSE(path.ok());
  EXPECT_EQ(path.error().code, ErrorCode::unsafe_id);
  EXPECT_THAT(path.error().message, HasSubstr("initiative id"));
}

}  // namespace
}  // namespace supervise::taskcopilot
