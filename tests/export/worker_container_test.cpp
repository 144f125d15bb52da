#include "supervisor/export/worker_container.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace supervise::exporter {
namespace {

using Argv = std::vector<std::string>;

TEST(WorkerContainer, AWorkerWithACommandRunsIt) {
  core::ChildSpec child;
  child.command = {"./bin/db", "--port", "5433"};
  EXPECT_EQ(worker_argv(child, {"agent"}, "ignored"), (Argv{"./bin/db", "--port", "5433"}));
}

TEST(WorkerContainer, AStreamWorkerRunsTheSpecsAgentWithThePromptLast) {
  core::ChildSpec child;
  EXPECT_EQ(worker_argv(child, {"my-agent", "--fast"}, "do it"),
            (Argv{"my-agent", "--fast", "do it"}));
}

TEST(WorkerContainer, WithoutAnAgentTheShimsDefaultAgentRuns) {
  core::ChildSpec child;
  EXPECT_EQ(worker_argv(child, {}, "do it"),
            (Argv{"claude", "--print", "--dangerously-skip-permissions", "-p", "do it"}));
}

TEST(WorkerContainer, TheDefaultAgentIsTheShims) {
  std::ifstream shim(std::string(SUPERVISE_SOURCE_DIR) + "/shims/worker-wrapper.sh");
  std::stringstream text;
  text << shim.rdbuf();
  std::string words;
  for (const std::string& word : kDefaultAgent) {
    words += (words.empty() ? "" : " ") + word;
  }
  EXPECT_NE(text.str().find("readonly default_agent='" + words + "'"), std::string::npos)
      << "shims/worker-wrapper.sh's default_agent is not '" << words << "'";
}

TEST(WorkerContainer, WorkDirIsBelowTheCheckoutUnlessAbsolute) {
  core::ChildSpec child;
  EXPECT_EQ(container_work_dir(child, "/workspace"), "/workspace");
  child.work_dir = "services/api";
  EXPECT_EQ(container_work_dir(child, "/workspace"), "/workspace/services/api");
  EXPECT_EQ(container_work_dir(child, "/workspace/"), "/workspace/services/api");
  child.work_dir = "/srv/api";
  EXPECT_EQ(container_work_dir(child, "/workspace"), "/srv/api");
}

TEST(WorkerContainer, EnvNamesTheStreamAndTheSpecsEnvWins) {
  core::ChildSpec child;
  child.id = "Stream-A";
  child.env = {{"KEY", "value"}, {"SUPERVISE_PROJECT_ROOT", "/elsewhere"}};
  EXPECT_EQ(container_env(child, "init-1", "/workspace"),
            (std::map<std::string, std::string>{{"KEY", "value"},
                                                {"SUPERVISE_INITIATIVE_ID", "init-1"},
                                                {"SUPERVISE_PROJECT_ROOT", "/elsewhere"},
                                                {"SUPERVISE_STREAM_ID", "Stream-A"}}));
  EXPECT_EQ(container_env(child, "", "/workspace").count("SUPERVISE_INITIATIVE_ID"), 0u);
}

}  // namespace
}  // namespace supervise::exporter
