#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "tests/cli/running_supervisor.hpp"
#include "tests/support/run_binary.hpp"
#include "tests/support/task_copilot_fixture.hpp"
#include "tests/support/temp_dir.hpp"

namespace supervise {
namespace {

using testing::run_supervise;

std::vector<std::string> project_flags(const testing::TempDir& dir) {
  return {"--project",   dir.path().string(),         "--tasks-db", (dir / "tasks.db").string(),
          "--memory-db", (dir / "memory.db").string()};
}

TEST(StatusCommand, OfflineJsonWithAnInitiativeNameThatIsNotUtf8StillPrints) {
  testing::TempDir dir;
  testing::TaskCopilotFixture db(dir.path());
  db.add_initiative("init-1", "caf\xE9")  // Latin-1, as a careless writer stores it
      .add_prd("PRD-1", "init-1")
      .add_task({.id = "TASK-1",
                 .prd_id = "PRD-1",
                 .metadata = testing::stream_metadata("Stream-A", "A")});
  auto arguments = project_flags(dir);
  arguments.insert(arguments.begin(), {"status", "--json"});
  const auto result = run_supervise(arguments);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto json = nlohmann::json::parse(result.out);
  EXPECT_EQ(json["source"], "offline");
  EXPECT_EQ(json["initiative"]["name"], "caf\xEF\xBF\xBD");
  EXPECT_EQ(json["children"][0]["id"], "Stream-A");
  EXPECT_EQ(json["children"][0]["state"], "stopped");
}

TEST(StatusCommand, AMissingDatabaseIsExitTwoNamingIt) {
  testing::TempDir dir;
  auto arguments = project_flags(dir);
  arguments.insert(arguments.begin(), "status");
  const auto result = run_supervise(arguments);
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find((dir / "tasks.db").string()), std::string::npos) << result.err;
}

TEST(StatusCommand, ADatabaseThatIsNotSqliteIsExitTwoNotACrash) {
  testing::TempDir dir;
  testing::TaskCopilotFixture db(dir.path());
  db.add_initiative("init-1", "x");
  // memory.db replaced by garbage after the fixture made it.
  db.remove_memory_db();
  std::ofstream(dir / "memory.db") << std::string(4096, 'x');
  auto arguments = project_flags(dir);
  arguments.insert(arguments.begin(), "status");
  const auto result = run_supervise(arguments);
  EXPECT_EQ(result.exit_code, 2) << result.out << result.err;
  EXPECT_FALSE(result.err.empty());
}

TEST(StatusCommand, WatchRefreshesUntilInterrupted) {
  testing::TempDir dir;
  testing::TaskCopilotFixture db(dir.path());
  db.add_initiative("init-1", "Watched")
      .add_prd("PRD-1", "init-1")
      .add_task({.id = "TASK-1",
                 .prd_id = "PRD-1",
                 .metadata = testing::stream_metadata("Stream-A", "A")});
  auto arguments = project_flags(dir);
  arguments.insert(arguments.begin(), {"status", "--watch", "--interval", "0.1"});
  testing::BackgroundSupervise watch(arguments, dir.path(), "watch");
  const auto refreshes = [&] {
    const std::string out = watch.out();
    std::size_t count = 0;
    for (auto at = out.find("Overall:"); at != std::string::npos;
         at = out.find("Overall:", at + 1)) {
      ++count;
    }
    return count;
  };
  // Each refresh reads the database again: a change shows in a later one.
  ASSERT_TRUE(testing::wait_for([&] { return refreshes() >= 2; })) << watch.err();
  db.set_task_status("TASK-1", "completed");
  ASSERT_TRUE(testing::wait_for([&] {
    return watch.out().find("Overall: 1/1 complete") != std::string::npos;
  })) << watch.out();
  watch.signal(SIGINT);
  EXPECT_TRUE(watch.wait_exit(std::chrono::seconds(10)));
}

}  // namespace
}  // namespace supervise

namespace supervise::cli {
namespace {

/// `status` of a project that runs a spec of custom commands and has no Task
/// Copilot database: live from the running supervisor, then, once it is
/// gone, from the tree it ran last.
TEST(StatusCommand, ASpecProjectWithoutTaskCopilotHasAStatusRunningOrNot) {
  testing::TempDir dir;
  const auto root = dir.path() / "project";
  std::filesystem::create_directories(root);
  const auto spec = dir.path() / "spec.yaml";
  std::ofstream(spec) << "version: 1\n"
                         "supervisor:\n"
                         "  children:\n"
                         "    - id: alpha\n"
                         "      command: [sleep, '300']\n"
                         "      work_dir: .\n"
                         "    - id: beta\n"
                         "      command: [sleep, '301']\n"
                         "      work_dir: .\n";
  const std::vector<std::string> project{"--project",   root.string(),
                                         "--tasks-db",  (dir.path() / "none/tasks.db").string(),
                                         "--memory-db", (dir.path() / "none/memory.db").string()};
  const auto status = [&] {
    std::vector<std::string> arguments{"status", "--json"};
    arguments.insert(arguments.end(), project.begin(), project.end());
    return testing::run_supervise(arguments);
  };
  const auto states = [](const testing::BinaryResult& result) {
    std::map<std::string, std::string> found;
    const auto report = nlohmann::json::parse(result.out, nullptr, false);
    if (report.is_object() && report.contains("children")) {
      for (const auto& child : report["children"]) {
        found[child.value("id", "")] = child.value("state", "");
      }
    }
    return found;
  };
  {
    std::vector<std::string> arguments{"up", "-q", "--stay", "--spec", spec.string()};
    arguments.insert(arguments.end(), project.begin(), project.end());
    testing::BackgroundSupervise up(arguments, dir.path());
    testing::BinaryResult live;
    ASSERT_TRUE(testing::wait_for([&] {
      live = status();
      const auto now = states(live);
      return live.exit_code == 0 && now.size() == 2 && now.at("alpha") == "running" &&
             now.at("beta") == "running";
    })) << live.out
        << live.err;
  }  // SIGTERM, and waits for the tree to end

  const auto offline = status();
  EXPECT_EQ(offline.exit_code, 0) << offline.err;
  const std::map<std::string, std::string> stopped{{"alpha", "stopped"}, {"beta", "stopped"}};
  EXPECT_EQ(states(offline), stopped) << offline.out;
  EXPECT_NE(offline.out.find("supervise.spec.yaml"), std::string::npos) << offline.out;
}

}  // namespace
}  // namespace supervise::cli
