#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "supervisor/runtime/worker_command.hpp"
#include "supervisor/runtime/worktree.hpp"
#include "tests/support/task_copilot_fixture.hpp"
#include "tests/support/temp_dir.hpp"

namespace supervise::runtime {
namespace {

using supervise::testing::TempDir;

void make_repository(const std::filesystem::path& root) {
  std::filesystem::create_directories(root);
  const auto command = "git -C '" + root.string() + "' init -q && git -C '" + root.string() +
                       "' -c user.email=t@example.com -c user.name=t commit -q --allow-empty -m i";
  ASSERT_EQ(std::system(command.c_str()), 0);
}

class WorkerCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    make_repository(dir_ / "project");
    db_ = std::make_unique<supervise::testing::TaskCopilotFixture>(
        supervise::testing::make_four_stream_project(dir_ / "db" / "tasks.db",
                                                     dir_ / "db" / "memory.db"));
    taskcopilot::LayoutOverrides overrides;
    overrides.tasks_db = db_->tasks_db();
    overrides.memory_db = db_->memory_db();
    setting_.layout = taskcopilot::ProjectLayout::from_root(dir_ / "project", overrides);
    setting_.initiative_id = supervise::testing::kFourStreamInitiative;
    setting_.shim = "/opt/supervise/bin/worker-wrapper.sh";
    setting_.default_prompt =
        std::filesystem::path(SUPERVISE_SOURCE_DIR) / "specs/foreman-prompt.md";
    child_.id = "Stream-B";
    child_.name = "Frontend";
    // The runtime makes a stream's worktree (WorktreeCreation) before it
    // prepares the start; here a plain directory stands in for it.
    std::filesystem::create_directories(setting_.layout.worktrees_dir / child_.id);
  }

  TempDir dir_;
  std::unique_ptr<supervise::testing::TaskCopilotFixture> db_;
  WorkerSetting setting_;
  core::ChildSpec child_;
};

TEST_F(WorkerCommandTest, AStreamWorkerRunsTheShimWithTheSixLegacyArguments) {
  auto store = taskcopilot::TaskStore::open(setting_.layout);
  ASSERT_TRUE(store);
  const auto prepared = prepare_worker(child_, setting_, &*store);
  ASSERT_TRUE(prepared.launch) << prepared.error;
  const auto& layout = setting_.layout;
  const auto work_dir = layout.worktrees_dir / "Stream-B";
  const auto& argv = prepared.launch->argv;
  ASSERT_EQ(argv.size(), 7u);
  EXPECT_EQ(argv[0], "/opt/supervise/bin/worker-wrapper.sh");
  EXPECT_EQ(argv[1], "Stream-B");
  EXPECT_EQ(argv[2], (layout.pids_dir / "Stream-B.pid").string());
  EXPECT_EQ(argv[3], layout.logs_dir.string());
  EXPECT_EQ(argv[4], work_dir.string());
  EXPECT_EQ(argv[5], supervise::testing::kFourStreamInitiative);
  // The prompt names the stream and lists its tasks.
  EXPECT_NE(argv[6].find("Stream-B"), std::string::npos);
  EXPECT_NE(argv[6].find("TASK-B1"), std::string::npos) << argv[6];
  EXPECT_EQ(prepared.launch->work_dir, work_dir);
  EXPECT_EQ(prepared.launch->output, layout.logs_dir / "Stream-B_a1b2c3d4.log");
  EXPECT_EQ(environment_value(prepared.launch->env, "SUPERVISE_AGENT"), "");
}

TEST_F(WorkerCommandTest, TheProjectsOwnPromptTemplateWins) {
  std::filesystem::create_directories(setting_.layout.orchestrator_dir);
  std::ofstream(setting_.layout.foreman_prompt)
      << "notes\nYou are a **Stream Foreman** for {stream_id} ({task_count} tasks)";
  const auto prepared = prepare_worker(child_, setting_, nullptr);
  ASSERT_TRUE(prepared.launch) << prepared.error;
  // Without a task store the prompt lists no tasks.
  EXPECT_EQ(prepared.launch->argv.back(), "You are a **Stream Foreman** for Stream-B (0 tasks)");
}

TEST_F(WorkerCommandTest, TheSpecsAgentReachesTheShimAsSuperviseAgent) {
  setting_.agent = {"my-agent", "--fast"};
  child_.env = {{"EXTRA", "1"}};
  const auto prepared = prepare_worker(child_, setting_, nullptr);
  ASSERT_TRUE(prepared.launch) << prepared.error;
  EXPECT_EQ(environment_value(prepared.launch->env, "SUPERVISE_AGENT"), "my-agent --fast");
  EXPECT_EQ(environment_value(prepared.launch->env, "EXTRA"), "1");
}

TEST_F(WorkerCommandTest, AnAgentArgumentWithABlankIsRefused) {
  setting_.agent = {"my agent"};
  const auto prepared = prepare_worker(child_, setting_, nullptr);
  EXPECT_FALSE(prepared.launch);
  EXPECT_NE(prepared.error.find("my agent"), std::string::npos);
}

TEST_F(WorkerCommandTest, StreamMainWorksInTheProjectRootWithoutAWorktree) {
  child_.id = "main";
  const auto prepared = prepare_worker(child_, setting_, nullptr);
  ASSERT_TRUE(prepared.launch) << prepared.error;
  EXPECT_EQ(prepared.launch->work_dir, setting_.layout.root);
}

TEST_F(WorkerCommandTest, AWorktreeThatVanishedFailsTheStartNamingItAndRunsNoGit) {
  const auto work_dir = setting_.layout.worktrees_dir / "Stream-B";
  std::filesystem::remove_all(work_dir);
  const auto prepared = prepare_worker(child_, setting_, nullptr);
  EXPECT_FALSE(prepared.launch);
  EXPECT_NE(prepared.error.find(work_dir.string() + " does not exist"), std::string::npos)
      << prepared.error;
  // Making it is WorktreeCreation's job, beside the loop: nothing here ran git.
  EXPECT_FALSE(std::filesystem::exists(work_dir));
}

TEST_F(WorkerCommandTest, ACustomCommandRunsAsWrittenInItsWorkDirRelativeToTheRoot) {
  std::filesystem::remove_all(setting_.layout.worktrees_dir / "Stream-B");
  std::filesystem::create_directories(setting_.layout.root / "jobs");
  child_.command = {"./run.sh", "--once"};
  child_.work_dir = "jobs";
  const auto prepared = prepare_worker(child_, setting_, nullptr);
  ASSERT_TRUE(prepared.launch) << prepared.error;
  EXPECT_EQ(prepared.launch->argv, child_.command);
  EXPECT_EQ(prepared.launch->work_dir, setting_.layout.root / "jobs");
  EXPECT_FALSE(std::filesystem::exists(setting_.layout.worktrees_dir / "Stream-B"));
}

TEST_F(WorkerCommandTest, AMissingCustomWorkDirIsAnErrorNotAPlainDirectory) {
  child_.command = {"true"};
  child_.work_dir = "missing";
  const auto prepared = prepare_worker(child_, setting_, nullptr);
  EXPECT_FALSE(prepared.launch);
  EXPECT_FALSE(std::filesystem::exists(setting_.layout.root / "missing"));
}

TEST_F(WorkerCommandTest, WithoutAnInitiativeTheLogIsNamedForTheChildAlone) {
  setting_.initiative_id.clear();
  child_.command = {"true"};
  child_.work_dir = ".";
  const auto prepared = prepare_worker(child_, setting_, nullptr);
  ASSERT_TRUE(prepared.launch) << prepared.error;
  EXPECT_EQ(prepared.launch->output, setting_.layout.logs_dir / "Stream-B.log");
}

}  // namespace
}  // namespace supervise::runtime
