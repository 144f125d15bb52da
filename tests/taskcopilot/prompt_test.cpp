#include "supervisor/taskcopilot/prompt.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "tests/support/temp_dir.hpp"

namespace supervise::taskcopilot {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

StreamTask task(std::string id, std::optional<std::string> phase, std::string created_at,
                std::optional<std::string> agent = std::nullopt) {
  std::string title = "Title " + id;
  return {std::move(id),    std::move(title), std::move(agent),
          std::move(phase), "pending",        std::move(created_at)};
}

PromptContext context() {
  return {"Stream-B",
          "Backend",
          "/repo/.claude/worktrees/Stream-B",
          {"Stream-A", "Stream-C"},
          {task("T1", "docs", "1"), task("T2", std::nullopt, "2", "qa")}};
}

const std::string kAllPlaceholders =
    "You are a **Stream Foreman** id={stream_id} name={stream_name} dir={worktree_path} "
    "deps={dependencies} count={task_count} any={any_stream_task_id}\n{task_table}";

std::vector<std::string> ids_in_table(const std::vector<StreamTask>& tasks) {
  std::vector<std::string> ids;
  for (const StreamTask& ordered : order_for_prompt(tasks)) {
    ids.push_back(ordered.id);
  }
  return ids;
}

TEST(StreamForWorker, IsTheStreamWithTheWorkersIdWhenThereIsOne) {
  Stream stored;
  stored.id = "Stream-A";
  stored.name = "Backend";
  StreamTask task;
  task.id = "TASK-1";
  stored.tasks.push_back(task);
  core::ChildSpec worker;
  worker.id = "Stream-A";
  worker.name = "other name";
  EXPECT_EQ(stream_for_worker(worker, {stored}), stored);
}

TEST(StreamForWorker, IsMadeFromTheSpecWhenTaskCopilotHasNone) {
  core::ChildSpec worker;
  worker.id = "Stream-C";
  worker.depends_on = {{"Stream-A"}, {"Stream-B"}};
  const Stream stream = stream_for_worker(worker, {});
  EXPECT_EQ(stream.id, "Stream-C");
  EXPECT_EQ(stream.name, "Stream-C");
  EXPECT_EQ(stream.dependencies, (std::vector<std::string>{"Stream-A", "Stream-B"}));
  EXPECT_TRUE(stream.tasks.empty());
  worker.name = "Docs";
  EXPECT_EQ(stream_for_worker(worker, {}).name, "Docs");
}

TEST(OrderForPrompt, OrdersByPhaseThenCreationWithOtherPhasesLast) {
  const std::vector<StreamTask> tasks{
      task("other", "research", "0"),       task("integration", "integration", "0"),
      task("devops", "devops", "0"),        task("docs", "docs", "0"),
      task("quality", "quality", "0"),      task("frontend", "frontend", "0"),
      task("backend-late", "backend", "9"), task("default-early", std::nullopt, "1"),
      task("empty-phase", "", "5"),
  };
  EXPECT_EQ(ids_in_table(tasks),
            (std::vector<std::string>{"default-early", "empty-phase", "backend-late", "frontend",
                                      "quality", "docs", "devops", "integration", "other"}));
}

TEST(FormatTaskTable, HasHeaderSeparatorAndOneRowPerTaskWithDefaults) {
  const std::string table = format_task_table(
      {task("T1", "docs", "1"), task("T2", std::nullopt, "2", "qa"), task("T3", "x", "3", "")});
  EXPECT_EQ(table,
            "| Task ID | Title | Agent | Phase |\n"
            "|---------|-------|-------|-------|\n"
            "| T2 | Title T2 | qa | backend |\n"
            "| T1 | Title T1 | me | docs |\n"
            "| T3 | Title T3 | me | x |");
}

TEST(FormatTaskTable, EscapesPipesAndLineBreaksInCells) {
  StreamTask odd = task("T1", std::nullopt, "1");
  odd.title = "a | b\r\nc\nd";
  EXPECT_THAT(format_task_table({odd}), HasSubstr("| T1 | a \\| b c d | me | backend |"));
}

TEST(BuildPrompt, ReplacesEveryPlaceholder) {
  const std::string prompt = build_prompt(kAllPlaceholders, context());
  EXPECT_THAT(prompt, HasSubstr("id=Stream-B name=Backend dir=/repo/.claude/worktrees/Stream-B "
                                "deps=Stream-A, Stream-C count=2 any=T2\n"
                                "| Task ID | Title | Agent | Phase |\n"));
  EXPECT_THAT(prompt, HasSubstr("| T2 | Title T2 | qa | backend |\n| T1 | Title T1 | me | docs |"));
  EXPECT_THAT(prompt, Not(HasSubstr("{")));
}

TEST(BuildPrompt, WithoutDependenciesOrTasksUsesNoneAndThePlaceholderId) {
  PromptContext empty = context();
  empty.dependencies.clear();
  empty.tasks.clear();
  const std::string prompt = build_prompt(kAllPlaceholders, empty);
  EXPECT_THAT(prompt, HasSubstr("deps=None count=0 any=TASK-xxx\n"));
  EXPECT_THAT(prompt, ::testing::EndsWith("| Task ID | Title | Agent | Phase |\n"
                                          "|---------|-------|-------|-------|"));
}

TEST(BuildPrompt, DropsEverythingBeforeTheMarker) {
  const std::string prompt = build_prompt(
      "# Notes for editors {stream_id}\n\nYou are a **Stream Foreman** for {stream_id}.",
      context());
  EXPECT_EQ(prompt, "You are a **Stream Foreman** for Stream-B.");
}

TEST(BuildPrompt, KeepsTheWholeTextWithoutMarker) {
  EXPECT_EQ(build_prompt("Work on {stream_id}.", context()), "Work on Stream-B.");
}

TEST(BuildPrompt, LeavesOtherBracesAndNeverSubstitutesInsertedText) {
  PromptContext tricky = context();
  tricky.stream_name = "{stream_id}";
  tricky.tasks = {task("T1", std::nullopt, "1")};
  tricky.tasks[0].title = "uses {task_count} in JSON {\"a\": 1}";
  const std::string prompt =
      build_prompt("{stream_name} {unknown} {} {\"json\": true} {task_table} {stream_id", tricky);
  EXPECT_THAT(prompt, StartsWith("{stream_id} {unknown} {} {\"json\": true} | Task ID"));
  EXPECT_THAT(prompt, HasSubstr("uses {task_count} in JSON {\"a\": 1}"));
  EXPECT_THAT(prompt, HasSubstr("| {stream_id"));
}

TEST(PromptContextOf, TakesTheStreamFields) {
  Stream stream;
  stream.id = "S";
  stream.name = "N";
  stream.dependencies = {"D"};
  stream.tasks = {task("T", std::nullopt, "1")};
  const PromptContext made = prompt_context(stream, "/w");
  EXPECT_EQ(made.stream_id, "S");
  EXPECT_EQ(made.stream_name, "N");
  EXPECT_EQ(made.worktree_path, "/w");
  EXPECT_EQ(made.dependencies, std::vector<std::string>{"D"});
  EXPECT_EQ(made.tasks, stream.tasks);
}

class PromptTemplateTest : public ::testing::Test {
 protected:
  void write(const fs::path& path, const std::string& text) { std::ofstream(path) << text; }

  supervise::testing::TempDir dir_;
  fs::path project_ = dir_ / "foreman-prompt.md";
  fs::path default_ = dir_ / "default.md";
};

TEST_F(PromptTemplateTest, TheProjectTemplateWinsWhenItExists) {
  write(project_, "project {stream_id}");
  write(default_, "default {stream_id}");
  const auto prompt = build_prompt(project_, default_, context());
  ASSERT_TRUE(prompt.ok()) << prompt.error().message;
  EXPECT_EQ(*prompt, "project Stream-B");
}

TEST_F(PromptTemplateTest, TheDefaultTemplateIsUsedWithoutAProjectOne) {
  write(default_, "default {stream_id}");
  const auto prompt = build_prompt(project_, default_, context());
  ASSERT_TRUE(prompt.ok()) << prompt.error().message;
  EXPECT_EQ(*prompt, "default Stream-B");
}

TEST_F(PromptTemplateTest, NoTemplateAtAllIsAnIoErrorNamingTheDefault) {
  const auto prompt = build_prompt(project_, default_, context());
  ASSERT_FALSE(prompt.ok());
  EXPECT_EQ(prompt.error().code, ErrorCode::io);
  EXPECT_THAT(prompt.error().message, HasSubstr(default_.string()));
}

TEST(DefaultTemplate, HasTheMarkerAndEveryPlaceholder) {
  const fs::path shipped = fs::path(SUPERVISE_SOURCE_DIR) / "specs" / "foreman-prompt.md";
  const auto text = read_prompt_template(shipped, shipped);
  ASSERT_TRUE(text.ok()) << text.error().message;
  EXPECT_THAT(*text, HasSubstr(std::string(kForemanMarker)));
  for (const char* placeholder :
       {"{stream_id}", "{stream_name}", "{worktree_path}", "{dependencies}", "{task_table}",
        "{task_count}", "{any_stream_task_id}"}) {
    EXPECT_THAT(text->substr(text->find(kForemanMarker)), HasSubstr(placeholder));
  }
  const std::string prompt = build_prompt(*text, context());
  EXPECT_THAT(prompt, StartsWith(std::string(kForemanMarker)));
  EXPECT_THAT(prompt, Not(HasSubstr("{stream_id}")));
  EXPECT_THAT(prompt, Not(HasSubstr("-->"))) << "the editors' notes must not reach the agent";
  EXPECT_THAT(prompt, HasSubstr("| T2 | Title T2 | qa | backend |"));
}

}  // namespace
}  // namespace supervise::taskcopilot
