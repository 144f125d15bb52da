// `supervise logs` on a project that `supervise up --spec` ran without Task
// Copilot: the log is found from the tree up ran last.

#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "tests/cli/running_supervisor.hpp"
#include "tests/support/run_binary.hpp"
#include "tests/support/temp_dir.hpp"

namespace supervise::cli {
namespace {

using supervise::testing::run_supervise;
using supervise::testing::TempDir;
using supervise::testing::without_task_copilot;

void run_up_once(const TempDir& dir, const std::string& spec) {
  std::filesystem::create_directories(dir / "project");
  std::ofstream(dir / "spec.yaml") << spec;
  auto arguments = without_task_copilot(dir);
  arguments.insert(arguments.begin(), "up");
  arguments.insert(arguments.end(), {"--spec", (dir / "spec.yaml").string(), "-q"});
  const auto up = run_supervise(arguments);
  ASSERT_EQ(up.exit_code, 0) << up.err;
}

TEST(LogsCommand, ASpecProjectWithoutTaskCopilotShowsTheWorkersLog) {
  TempDir dir;
  run_up_once(dir,
              "version: 1\n"
              "supervisor:\n"
              "  children:\n"
              "    - id: builder\n"
              "      command: [sh, -c, 'echo first line; echo last line from builder']\n"
              "      work_dir: .\n");
  auto arguments = without_task_copilot(dir);
  arguments.insert(arguments.begin(), {"logs", "builder"});
  const auto logs = run_supervise(arguments);
  ASSERT_EQ(logs.exit_code, 0) << logs.err;
  EXPECT_NE(logs.out.find("first line\nlast line from builder\n"), std::string::npos) << logs.out;
}

TEST(LogsCommand, ASpecNamingAnInitiativeFindsTheLogItsWorkersWrote) {
  TempDir dir;
  run_up_once(dir,
              "version: 1\n"
              "initiative: 0badc0de-beef\n"
              "supervisor:\n"
              "  children:\n"
              "    - id: builder\n"
              "      command: [sh, -c, 'echo built with an initiative']\n"
              "      work_dir: .\n");
  auto arguments = without_task_copilot(dir);
  arguments.insert(arguments.begin(), {"logs", "builder"});
  const auto logs = run_supervise(arguments);
  ASSERT_EQ(logs.exit_code, 0) << logs.err;
  EXPECT_NE(logs.out.find("built with an initiative\n"), std::string::npos) << logs.out;
}

TEST(LogsCommand, AChildTheLastTreeDidNotHaveStillNeedsTaskCopilot) {
  TempDir dir;
  run_up_once(dir,
              "version: 1\n"
              "supervisor:\n"
              "  children:\n"
              "    - id: builder\n"
              "      command: [sh, -c, 'true']\n"
              "      work_dir: .\n");
  auto arguments = without_task_copilot(dir);
  arguments.insert(arguments.begin(), {"logs", "Stream-Z"});
  const auto logs = run_supervise(arguments);
  EXPECT_EQ(logs.exit_code, 2);
  EXPECT_NE(logs.err.find("tasks.db"), std::string::npos) << logs.err;
}

}  // namespace
}  // namespace supervise::cli
