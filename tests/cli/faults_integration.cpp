// Workers that misbehave on purpose, against the built binary: one that
// forks 500 children is still taken down whole, and one that closes its
// stdout and stderr runs on, unmistaken for dead, with what it wrote before
// kept in its log.

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>

#include "tests/cli/running_supervisor.hpp"
#include "tests/cli/worker_generations.hpp"
#include "tests/support/wait_for.hpp"

namespace supervise::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

class FaultsTest : public ::testing::Test {
 protected:
  /// Unique per test process: other tests may run the same names at once.
  std::string child_id(const std::string& stem) const {
    return stem + "-" + std::to_string(::getpid());
  }

  /// The worker log of `child` (its name carries the initiative's prefix).
  std::filesystem::path log_of(const std::string& child) const {
    std::error_code ec;
    for (const auto& entry :
         std::filesystem::directory_iterator(project_.root() / ".claude/orchestrator/logs", ec)) {
      const auto name = entry.path().filename().string();
      if (name.starts_with(child) && name.ends_with(".log")) {
        return entry.path();
      }
    }
    return {};
  }

  ControlPlaneProject project_;
};

TEST_F(FaultsTest, AWorkerThatForksFiveHundredChildrenIsTakenDownWhole) {
  const auto child = child_id("forker");
  project_.write_spec("    - id: " + child +
                      "\n      restart: permanent\n      shutdown: 10s\n      work_dir: .\n"
                      "      command: [bash, -c, 'for i in $(seq 500); do sleep 1000 & done; "
                      "exec sleep 1001']\n");
  auto up = project_.start_up();
  ASSERT_TRUE(project_.wait_socket()) << project_.diagnostics(*up);
  std::size_t counted = 0;
  ASSERT_TRUE(wait_for(
      [&] {
        const auto generations = generations_of(child);
        counted = generations.empty() ? 0 : generations.begin()->second.size();
        return generations.size() == 1 && counted == 501 &&
               all_sleeping(generations.begin()->second);
      },
      60s))
      << counted << " processes\n"
      << project_.diagnostics(*up);

  const auto down = project_.run("down");
  EXPECT_EQ(down.exit_code, 0) << down.err;
  EXPECT_EQ(up->wait_exit(30s), std::optional<int>(0)) << up->err();
  const auto left = generations_of(child);
  EXPECT_TRUE(left.empty()) << describe_generations(left);
}

TEST_F(FaultsTest, AWorkerThatClosesItsOutputRunsOnAndItsLogKeepsWhatCameBefore) {
  const auto child = child_id("closer");
  const auto marker = project_.dir() / "closed";
  project_.write_spec("    - id: " + child +
                      "\n      restart: permanent\n      shutdown: 5s\n      work_dir: .\n"
                      "      command: [bash, -c, 'echo written-before-closing; exec >&- 2>&-; "
                      "touch \"" +
                      marker.string() + "\"; exec sleep 1000']\n");
  auto up = project_.start_up();
  ASSERT_TRUE(project_.wait_socket()) << project_.diagnostics(*up);
  ASSERT_TRUE(wait_for([&] { return std::filesystem::exists(marker); }, 20s))
      << project_.diagnostics(*up);
  // It closed its output and then did something: the same process still
  // runs, never counted as an exit (which would have restarted it).
  const auto running = project_.wait_child(child, [](const json& c) {
    return c.value("state", "") == "running" && c["pid"].is_number();
  });
  ASSERT_EQ(running.value("state", ""), "running") << project_.diagnostics(*up);
  EXPECT_EQ(running["restarts"], 0);
  const int pid = running["pid"].get<int>();
  EXPECT_TRUE(is_worker_of(pid, child));
  EXPECT_TRUE(wait_for([&] {
    return read_text(log_of(child)).find("written-before-closing") != std::string::npos;
  })) << log_of(child);

  // Killed, it is restarted like any worker, and its new output is kept too.
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  const auto restarted = project_.wait_child(child, [&](const json& c) {
    return c.value("state", "") == "running" && c["pid"].is_number() && c["pid"] != pid;
  });
  EXPECT_EQ(restarted["restarts"], 1) << project_.diagnostics(*up);
  EXPECT_TRUE(wait_for([&] {
    const auto text = read_text(log_of(child));
    const auto first = text.find("written-before-closing");
    return first != std::string::npos &&
           text.find("written-before-closing", first + 1) != std::string::npos;
  })) << read_text(log_of(child));
}

}  // namespace
}  // namespace supervise::testing
