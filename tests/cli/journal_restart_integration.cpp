// The journal (supervise.db) carries a child's restarts and its failed mark
// across a restart of `supervise up` (the built binary): a child that used
// its `max_restarts` is not started again by the next `up`, and `supervise
// status` shows its restarts with no supervisor running.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "supervisor/cli/up_command.hpp"
#include "tests/cli/running_supervisor.hpp"
#include "tests/support/wait_for.hpp"

namespace supervise::cli {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using supervise::testing::ControlPlaneProject;
using supervise::testing::read_text;
using supervise::testing::wait_for;

class JournalRestartTest : public ::testing::Test {
 protected:
  /// How often the crashing child has run (it appends a line per start).
  std::size_t runs() const {
    std::istringstream lines(read_text(project_.root() / "runs"));
    std::size_t count = 0;
    for (std::string line; std::getline(lines, line);) {
      ++count;
    }
    return count;
  }

  std::pair<int, json> cli_status() const {
    const auto result = project_.run("status", {"--json"});
    return {result.exit_code, json::parse(result.out, nullptr, false)};
  }

  ControlPlaneProject project_;
};

TEST_F(JournalRestartTest, AChildThatUsedItsMaxRestartsStaysFailedAcrossARestartOfUp) {
  // Stream-A is a stream of the active initiative, so the offline status,
  // which lists the initiative's streams, shows it too.
  project_.write_spec(
      "    - id: Stream-A\n"
      "      command: [sh, -c, 'echo run >> runs; exit 3']\n"
      "      work_dir: .\n"
      "      restart: permanent\n"
      "      max_restarts: 2\n");

  {  // First run: the child crashes, is restarted twice, and fails; up ends.
    const auto up = project_.start_up(/*stay=*/false, "first");
    const auto status = up->wait_exit();
    ASSERT_TRUE(status) << project_.diagnostics(*up);
    EXPECT_EQ(*status, kUpSomeNotDone) << project_.diagnostics(*up);
    EXPECT_EQ(runs(), 3u);
  }

  {  // No supervisor: the offline view has the journal's restarts.
    const auto [code, status] = cli_status();
    EXPECT_EQ(code, 1) << status.dump(2);
    EXPECT_EQ(status["source"], "offline");
    EXPECT_EQ(status["healthy"], false);
    const auto child = ControlPlaneProject::child_of(status, "Stream-A");
    EXPECT_EQ(child["state"], "failed") << status.dump(2);
    EXPECT_EQ(child["restarts"], 2) << status.dump(2);
    EXPECT_TRUE(child["pid"].is_null());
  }

  {  // Second run on the same project: the child stays failed.
    const auto up = project_.start_up(/*stay=*/true, "second");
    ASSERT_TRUE(project_.wait_socket()) << project_.diagnostics(*up);
    const auto [code, status] = cli_status();
    EXPECT_EQ(code, 1) << status.dump(2);
    EXPECT_EQ(status["source"], "supervisor");
    const auto child = ControlPlaneProject::child_of(status, "Stream-A");
    EXPECT_EQ(child["state"], "failed") << status.dump(2);
    EXPECT_EQ(child["restarts"], 2) << status.dump(2);
    EXPECT_TRUE(child["pid"].is_null());
    EXPECT_TRUE(child["next_restart_in_seconds"].is_null());
    up->signal(SIGTERM);
    EXPECT_EQ(up->wait_exit(), kUpAllDone) << project_.diagnostics(*up);
    EXPECT_EQ(runs(), 3u) << "the failed child was started again";
  }

  {  // The journal still says so afterwards.
    const auto [code, status] = cli_status();
    EXPECT_EQ(code, 1);
    const auto child = ControlPlaneProject::child_of(status, "Stream-A");
    EXPECT_EQ(child["state"], "failed") << status.dump(2);
    EXPECT_EQ(child["restarts"], 2);
  }
}

TEST_F(JournalRestartTest, AnOperatorStartGivesARestoredFailedChildANewLife) {
  project_.write_spec(
      "    - id: Stream-A\n"
      "      command: [sh, -c, 'echo run >> runs; until [ -e release ]; do sleep 0.02; done; "
      "exit 3']\n"
      "      work_dir: .\n"
      "      restart: permanent\n"
      "      max_restarts: 1\n");
  std::ofstream(project_.root() / "release").put('\n');
  {
    const auto up = project_.start_up(/*stay=*/false, "first");
    ASSERT_EQ(up->wait_exit(), kUpSomeNotDone) << project_.diagnostics(*up);
    ASSERT_EQ(runs(), 2u);
  }
  std::filesystem::remove(project_.root() / "release");

  const auto up = project_.start_up(/*stay=*/true, "second");
  ASSERT_TRUE(project_.wait_socket()) << project_.diagnostics(*up);
  ASSERT_EQ(project_.wait_state("Stream-A", "failed")["restarts"], 1);
  const auto started = project_.run("start", {"Stream-A"});
  EXPECT_EQ(started.exit_code, 0) << started.err;
  const auto running = project_.wait_state("Stream-A", "running");
  ASSERT_EQ(running["state"], "running") << project_.diagnostics(*up);
  EXPECT_EQ(running["restarts"], 0) << running.dump();
  EXPECT_TRUE(wait_for([&] { return runs() == 3; }));
}

}  // namespace
}  // namespace supervise::cli
