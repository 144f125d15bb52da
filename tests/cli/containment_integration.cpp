// Nothing a worker starts escapes `supervise up`, and nothing runs twice:
// the escaping worker of issue 11 (descendants in new sessions, a double
// fork) against the built binary, with a cgroup per worker and with the
// fallback (SUPERVISE_CGROUPS=0: subreaper and start markers); and custom-
// command workers that survive a kill -9 of `up` are adopted by the next one.

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <set>
#include <string>

#include "supervisor/process/cgroup_v2.hpp"
#include "tests/cli/running_supervisor.hpp"
#include "tests/cli/worker_generations.hpp"
#include "tests/support/wait_for.hpp"

namespace supervise::testing {
namespace {

enum class Mode { cgroup, marker };

class ContainmentTest : public ::testing::TestWithParam<Mode> {
 protected:
  void SetUp() override {
    if (GetParam() == Mode::cgroup) {
      const auto base = process::find_cgroup_base();
      if (base.directory.empty()) {
        GTEST_SKIP() << "no writable cgroup v2 here: " << base.error;
      }
    }
  }

  std::unique_ptr<BackgroundSupervise> start_up(const std::string& name) {
    std::vector<std::string> arguments{"up"};
    const auto project = project_.project_arguments();
    arguments.insert(arguments.end(), project.begin(), project.end());
    arguments.insert(arguments.end(), {"--spec", project_.spec_path().string(), "-q", "--stay"});
    std::map<std::string, std::string> env;
    if (GetParam() == Mode::marker) {
      env["SUPERVISE_CGROUPS"] = "0";
    }
    return std::make_unique<BackgroundSupervise>(arguments, project_.dir().path(), name, env);
  }

  /// Unique per test process: other tests may run the same names at once.
  std::string child_id(const std::string& stem) const {
    return stem + "-" + std::to_string(::getpid());
  }

  ControlPlaneProject project_;
};

TEST_P(ContainmentTest, KilledWorkerLeavesNothingBeforeItsRestartAndNothingOutlivesUp) {
  const auto child = child_id("escaper");
  project_.write_spec("    - id: " + child +
                      "\n      restart: permanent\n      shutdown: 5s\n      work_dir: .\n"
                      "      command: [bash, -c, \"setsid sleep 1000 & (setsid sleep 1001 &); "
                      "exec sleep 1002\"]\n");
  auto up = start_up("up");
  ASSERT_TRUE(project_.wait_socket()) << project_.diagnostics(*up);
  auto first = project_.wait_child(child, [](const nlohmann::json& status) {
    return status.value("state", "") == "running" && status["processes"] == 3;
  });
  ASSERT_EQ(first["processes"], 3) << project_.diagnostics(*up);
  const int first_pid = first["pid"].get<int>();
  // The status may count the script's short-lived subshell; wait until the
  // three sleeps alone are left.
  std::map<std::string, std::set<int>> before;
  ASSERT_TRUE(wait_for([&] {
    before = generations_of(child);
    return before.size() == 1 && before.begin()->second.size() == 3 &&
           all_sleeping(before.begin()->second);
  })) << describe_generations(before);
  const auto first_generation = before.begin()->first;

  ASSERT_EQ(::kill(first_pid, SIGKILL), 0);
  // Sampled every 50 ms until the next generation runs whole: never two.
  std::string restarted;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < until) {
    const auto now = generations_of(child);
    ASSERT_LE(now.size(), 1U) << "two generations at once: " << describe_generations(now);
    if (now.size() == 1 && now.begin()->first != first_generation &&
        now.begin()->second.size() == 3) {
      restarted = now.begin()->first;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_FALSE(restarted.empty()) << describe_generations(generations_of(child))
                                  << project_.diagnostics(*up);

  up->signal(SIGTERM);
  ASSERT_EQ(up->wait_exit(std::chrono::seconds(20)), 0) << up->err();
  const auto left = generations_of(child);
  EXPECT_TRUE(left.empty()) << "left after up exited: " << describe_generations(left);
  if (GetParam() == Mode::cgroup) {
    EXPECT_TRUE(cgroups_of(child).empty());
  }
  EXPECT_TRUE(std::filesystem::is_empty(project_.root() / ".claude/orchestrator/workers"))
      << "worker records are removed with their workers";
}

TEST_P(ContainmentTest, WorkersThatSurviveAKilledUpAreAdoptedNotStartedTwice) {
  std::vector<std::string> children;
  std::string spec;
  for (int i = 1; i <= 3; ++i) {
    children.push_back(child_id("adoptee" + std::to_string(i)));
    spec += "    - id: " + children.back() +
            "\n      restart: permanent\n      shutdown: 5s\n      work_dir: .\n"
            "      command: [bash, -c, \"setsid sleep 1000 & exec sleep 1001\"]\n";
  }
  project_.write_spec(spec);
  std::map<std::string, int> pids;
  std::map<std::string, std::string> generation;
  {
    auto up = start_up("up1");
    ASSERT_TRUE(project_.wait_socket()) << project_.diagnostics(*up);
    for (const auto& child : children) {
      const auto status = project_.wait_child(child, [](const nlohmann::json& s) {
        return s.value("state", "") == "running" && s["processes"] == 2;
      });
      ASSERT_EQ(status["processes"], 2) << project_.diagnostics(*up);
      pids[child] = status["pid"].get<int>();
      const auto generations = generations_of(child);
      ASSERT_EQ(generations.size(), 1U) << describe_generations(generations);
      generation[child] = generations.begin()->first;
    }
    // Records are written beside the loop: wait for them before the kill.
    ASSERT_TRUE(wait_for([&] {
      for (const auto& child : children) {
        if (!std::filesystem::exists(project_.root() / ".claude/orchestrator/workers" /
                                     (child + ".json"))) {
          return false;
        }
      }
      return true;
    }));
    up->signal(SIGKILL);
    ASSERT_EQ(up->wait_exit(), -SIGKILL);
  }
  for (const auto& child : children) {
    ASSERT_EQ(generations_of(child)[generation[child]].size(), 2U) << "survived the kill";
  }

  auto up = start_up("up2");
  // Within 10 s every worker shows running (adopted) with its old PID; no
  // sample ever sees a second start of any of them.
  const bool adopted = wait_for(
      [&] {
        for (const auto& child : children) {
          const auto generations = generations_of(child);
          EXPECT_EQ(generations.size(), 1U) << child << ": " << describe_generations(generations);
          EXPECT_EQ(generations.count(generation[child]), 1U) << child << " started again";
        }
        const auto status = project_.live_status();
        for (const auto& child : children) {
          const auto state = ControlPlaneProject::child_of(status, child);
          if (state.is_null() || state.value("state", "") != "adopted" ||
              state["pid"] != pids[child] || state["processes"] != 2) {
            return false;
          }
        }
        return true;
      },
      std::chrono::seconds(10));
  ASSERT_TRUE(adopted) << project_.diagnostics(*up);
  ASSERT_FALSE(::testing::Test::HasFailure()) << project_.diagnostics(*up);

  // An adopted worker that is killed is replaced, after what it left is gone.
  const auto& victim = children.front();
  ASSERT_EQ(::kill(pids[victim], SIGKILL), 0);
  const auto replaced = project_.wait_child(victim, [&](const nlohmann::json& s) {
    return s.value("state", "") == "running" && s["pid"] != pids[victim] && s["processes"] == 2;
  });
  ASSERT_EQ(replaced.value("state", ""), "running") << project_.diagnostics(*up);
  const auto after = generations_of(victim);
  EXPECT_EQ(after.size(), 1U) << describe_generations(after);
  EXPECT_EQ(after.count(generation[victim]), 0U) << "the killed worker's descendant is gone";
  for (std::size_t i = 1; i < children.size(); ++i) {
    EXPECT_EQ(project_.wait_child(children[i], [](const nlohmann::json&) { return true; })["pid"],
              pids[children[i]]);
  }

  up->signal(SIGTERM);
  ASSERT_EQ(up->wait_exit(std::chrono::seconds(20)), 0) << up->err();
  for (const auto& child : children) {
    EXPECT_TRUE(generations_of(child).empty())
        << child << ": " << describe_generations(generations_of(child));
    if (GetParam() == Mode::cgroup) {
      EXPECT_TRUE(cgroups_of(child).empty()) << child;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Containment, ContainmentTest,
                         ::testing::Values(Mode::cgroup, Mode::marker),
                         [](const ::testing::TestParamInfo<Mode>& info) {
                           return info.param == Mode::cgroup ? std::string("cgroup")
                                                             : std::string("marker");
                         });

}  // namespace
}  // namespace supervise::testing
