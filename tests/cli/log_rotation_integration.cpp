// Worker logs through the log relay with `supervise up`: rotation by the
// spec's `logs:`, `supervise logs`, and relays that end with their workers,
// also after a kill -9 of `up` and a new `up` that adopted the workers.

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "supervisor/logs/rotated_names.hpp"
#include "tests/cli/running_supervisor.hpp"
#include "tests/support/run_binary.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/wait_for.hpp"

namespace supervise::cli {
namespace {

using supervise::testing::BackgroundSupervise;
using supervise::testing::ControlPlaneProject;
using supervise::testing::read_text;
using supervise::testing::run_supervise;
using supervise::testing::TempDir;
using supervise::testing::wait_for;
using supervise::testing::without_task_copilot;

/// PIDs of live log relays writing `log` (found by their command line).
std::vector<int> live_relays_for(const std::filesystem::path& log) {
  std::vector<int> found;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const auto name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) {
      continue;
    }
    const auto stat = read_text(entry.path() / "stat");
    const auto close = stat.rfind(')');
    if (stat.empty() || close == std::string::npos || stat.substr(close + 2, 1) == "Z") {
      continue;
    }
    const auto cmdline = read_text(entry.path() / "cmdline");
    if (cmdline.find("supervise-log-relay") != std::string::npos &&
        cmdline.find(std::string(1, '\0') + log.string() + '\0') != std::string::npos) {
      found.push_back(std::stoi(name));
    }
  }
  return found;
}

TEST(LogRotation, TwoHundredThousandLinesKeepTwoRotatedFilesAndLogsEndsWithTheLast) {
  TempDir dir;
  std::filesystem::create_directories(dir / "project");
  std::ofstream(dir / "spec.yaml") << "version: 1\n"
                                      "logs: {max_size: 1MB, keep: 2}\n"
                                      "supervisor:\n"
                                      "  children:\n"
                                      "    - id: counter\n"
                                      "      command: [seq, '1', '200000']\n"
                                      "      work_dir: .\n";
  auto arguments = without_task_copilot(dir);
  arguments.insert(arguments.begin(), "up");
  arguments.insert(arguments.end(), {"--spec", (dir / "spec.yaml").string(), "-q"});
  const auto up = run_supervise(arguments);
  ASSERT_EQ(up.exit_code, 0) << up.err;

  const auto log = dir / "project/.claude/orchestrator/logs/counter.log";
  EXPECT_TRUE(live_relays_for(log).empty()) << "a relay outlived up";
  // 200,000 numbered lines are 1.3 MB: one rotation; never more than two
  // older files.
  EXPECT_TRUE(std::filesystem::exists(logs::rotated_name(log, 1)));
  EXPECT_FALSE(std::filesystem::exists(logs::rotated_name(log, 3)));
  std::vector<std::filesystem::path> files;
  for (const int index : {2, 1}) {
    if (std::filesystem::exists(logs::rotated_name(log, index))) {
      files.push_back(logs::rotated_name(log, index));
    }
  }
  files.push_back(log);
  long expected = -1;
  for (const auto& file : files) {
    EXPECT_LT(std::filesystem::file_size(file), 1024u * 1024 + 4096) << file;
    const auto text = read_text(file);
    ASSERT_TRUE(!text.empty() && text.back() == '\n') << file;
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
      const long number = std::stol(line);
      ASSERT_EQ(std::to_string(number), line) << "torn line in " << file;
      ASSERT_TRUE(expected < 0 || number == expected) << file << ": " << number;
      expected = number + 1;
    }
  }
  EXPECT_EQ(expected, 200001);

  auto logs_arguments = without_task_copilot(dir);
  logs_arguments.insert(logs_arguments.begin(), {"logs", "counter"});
  const auto shown = run_supervise(logs_arguments);
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_TRUE(shown.out.ends_with("\n200000\n")) << shown.out.substr(shown.out.size() - 30);
}

TEST(LogRotation, RelaysEndWithTheirWorkersAfterAKilledUpAndTheNextDown) {
  ControlPlaneProject project;
  project.write_spec(
      "    - id: ticker\n"
      "      restart: permanent\n"
      "      shutdown: 5s\n"
      "      work_dir: .\n"
      "      command: [bash, -c, 'trap \"echo last words; exit 0\" TERM; i=0; "
      "while :; do i=$((i+1)); echo tick $i; sleep 0.02; done']\n");
  const auto log =
      project.root() / ".claude/orchestrator/logs" /
      ("ticker_" + std::string(supervise::testing::kFourStreamInitiative).substr(0, 8) + ".log");
  int relay = 0;
  {
    auto up = project.start_up(true, "up1");
    ASSERT_TRUE(project.wait_socket()) << project.diagnostics(*up);
    ASSERT_EQ(project.wait_state("ticker", "running").value("state", ""), "running")
        << project.diagnostics(*up);
    ASSERT_TRUE(wait_for([&] { return live_relays_for(log).size() == 1; }))
        << project.diagnostics(*up);
    relay = live_relays_for(log).front();
    ASSERT_TRUE(wait_for([&] {
      return std::filesystem::exists(project.root() / ".claude/orchestrator/workers/ticker.json");
    }));
    up->signal(SIGKILL);
    ASSERT_EQ(up->wait_exit(), -SIGKILL);
  }
  // The worker goes on, and so does its log.
  const auto size = std::filesystem::file_size(log);
  ASSERT_TRUE(wait_for([&] { return std::filesystem::file_size(log) > size + 100; }));
  EXPECT_EQ(live_relays_for(log), std::vector<int>{relay});

  auto up = project.start_up(true, "up2");
  ASSERT_TRUE(project.wait_socket()) << project.diagnostics(*up);
  ASSERT_EQ(project.wait_state("ticker", "adopted").value("state", ""), "adopted")
      << project.diagnostics(*up);
  const auto down = project.run("down");
  ASSERT_EQ(down.exit_code, 0) << down.err << project.diagnostics(*up);
  ASSERT_TRUE(up->wait_exit()) << project.diagnostics(*up);
  // The worker's exit was reported after its relay had ended: nothing is
  // left, and the worker's last line is in.
  EXPECT_TRUE(live_relays_for(log).empty());
  EXPECT_TRUE(read_text(log).ends_with("last words\n")) << read_text(log);
}

TEST(LogRotation, AStoppedWorkersLastLineIsInItsLogWhenUpHasExited) {
  ControlPlaneProject project;
  project.write_spec(
      "    - id: talker\n"
      "      restart: permanent\n"
      "      shutdown: 5s\n"
      "      work_dir: .\n"
      "      command: [bash, -c, 'trap \"echo stopped cleanly; exit 0\" TERM; echo started; "
      "while :; do sleep 0.05; done']\n");
  const auto log =
      project.root() / ".claude/orchestrator/logs" /
      ("talker_" + std::string(supervise::testing::kFourStreamInitiative).substr(0, 8) + ".log");
  auto up = project.start_up(true, "up");
  ASSERT_TRUE(project.wait_socket()) << project.diagnostics(*up);
  ASSERT_TRUE(wait_for([&] { return read_text(log).find("started\n") != std::string::npos; }))
      << project.diagnostics(*up);
  up->signal(SIGTERM);
  ASSERT_EQ(up->wait_exit(), 0) << project.diagnostics(*up);
  // Whatever the group's SIGTERM made bash say, the trap's line comes last.
  const auto text = read_text(log);
  EXPECT_TRUE(text.starts_with("started\n") && text.ends_with("stopped cleanly\n")) << text;
  EXPECT_TRUE(live_relays_for(log).empty());
}

}  // namespace
}  // namespace supervise::cli
