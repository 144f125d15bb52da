// `supervise export --format argo` as a user runs it: the proof tree of the
// export (a nested rest_for_one supervisor, dependencies across branches, all
// three restart types) checked by Argo's own validator and field by field.

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <fstream>

#include "tests/support/argo_validator.hpp"
#include "tests/support/run_binary.hpp"
#include "tests/support/task_copilot_fixture.hpp"
#include "tests/support/temp_dir.hpp"

namespace supervise {
namespace {

using testing::run_supervise;
using Strings = std::vector<std::string>;

const std::string kClusterTree =
    std::string(SUPERVISE_SOURCE_DIR) + "/tests/export/fixtures/cluster_tree.yaml";

YAML::Node template_named(const YAML::Node& manifest, const std::string& name) {
  for (const YAML::Node& entry : manifest["spec"]["templates"]) {
    if (entry["name"].as<std::string>() == name) {
      return entry;
    }
  }
  ADD_FAILURE() << "no template " << name;
  return {};
}

std::map<std::string, Strings> dag_tasks(const YAML::Node& manifest, const std::string& name) {
  std::map<std::string, Strings> tasks;
  for (const YAML::Node& task : template_named(manifest, name)["dag"]["tasks"]) {
    tasks[task["name"].as<std::string>()] =
        task["dependencies"] ? task["dependencies"].as<Strings>() : Strings{};
  }
  return tasks;
}

class ExportCommand : public ::testing::Test {
 protected:
  /// Points every project path into the test's directory (no database there
  /// unless a test makes one).
  Strings with_project(Strings arguments) const {
    const Strings flags{"--project",   dir_.path().string(),
                        "--tasks-db",  (dir_ / "tasks.db").string(),
                        "--memory-db", (dir_ / "memory.db").string()};
    arguments.insert(arguments.end(), flags.begin(), flags.end());
    return arguments;
  }

  void expect_valid(const std::filesystem::path& manifest) const {
    if (const std::string missing = testing::argo_validator_missing(); !missing.empty()) {
      std::cerr << "not validated against Argo's schema: " << missing << "\n";
      return;
    }
    const auto validated = testing::validate_argo({manifest});
    EXPECT_TRUE(validated.all_valid) << validated.output;
  }

  testing::TempDir dir_;
};

TEST_F(ExportCommand, TheClusterTreeExportsToAWorkflowArgoAcceptsWithEverySpecField) {
  const auto out = dir_ / "workflow.yaml";
  const auto run = run_supervise(with_project(
      {"export", "--format", "argo", "--spec", kClusterTree, "--image", "agent:1", "-o", out}));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  expect_valid(out);
  const YAML::Node manifest = YAML::LoadFile(out.string());

  // Each worker is a task with the spec's dependencies, directly or through
  // the task that runs its DAG.
  EXPECT_EQ(dag_tasks(manifest, manifest["spec"]["entrypoint"].as<std::string>()),
            (std::map<std::string, Strings>{{"setup", {}},
                                            {"backend", {"setup"}},
                                            {"pipeline", {"setup", "backend"}},
                                            {"docs", {"pipeline"}}}));
  EXPECT_EQ(dag_tasks(manifest, "pipeline"),
            (std::map<std::string, Strings>{{"stream-a", {}}, {"stream-b", {"stream-a"}}}));

  const YAML::Node backend = template_named(manifest, "backend");
  EXPECT_EQ(backend["retryStrategy"]["limit"].as<int>(), 3);
  EXPECT_EQ(backend["retryStrategy"]["retryPolicy"].as<std::string>(), "Always");
  const YAML::Node backoff = backend["retryStrategy"]["backoff"];
  EXPECT_EQ(backoff["duration"].as<std::string>(), "2s");
  EXPECT_EQ(backoff["factor"].as<int>(), 2);
  EXPECT_EQ(backoff["cap"].as<std::string>(), "1m");
  EXPECT_EQ(backend["container"]["image"].as<std::string>(), "agent:1");
  EXPECT_EQ(backend["container"]["command"].as<Strings>(), Strings{"./backend.sh"});
  EXPECT_EQ(backend["container"]["args"].as<Strings>(), Strings{"--serve"});

  EXPECT_EQ(template_named(manifest, "stream-b")["retryStrategy"]["retryPolicy"].as<std::string>(),
            "OnFailure");
  EXPECT_FALSE(template_named(manifest, "setup")["retryStrategy"]);

  // The stream worker runs the spec's agent with the prompt the shim would
  // pass: the shipped template, filled in for Stream-A.
  const YAML::Node stream_a = template_named(manifest, "stream-a")["container"];
  EXPECT_EQ(stream_a["command"].as<Strings>(), Strings{"my-agent"});
  const auto args = stream_a["args"].as<Strings>();
  ASSERT_EQ(args.size(), 2u);
  EXPECT_EQ(args[0], "--yes");
  EXPECT_EQ(args[1].rfind("You are a **Stream Foreman** for Stream-A (Frontend)", 0), 0u)
      << args[1];

  // What Argo cannot say: one warning line at the field.
  EXPECT_NE(run.err.find(kClusterTree + ":20:17: child 'pipeline': field 'strategy': warning: "),
            std::string::npos)
      << run.err;
}

TEST_F(ExportCommand, StrictMakesWhatArgoCannotSayAnErrorAndWritesNothing) {
  const auto out = dir_ / "workflow.yaml";
  const auto run = run_supervise(with_project({"export", "--format", "argo", "--spec", kClusterTree,
                                               "--image", "agent:1", "--strict", "-o", out}));
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find(kClusterTree + ":20:17: child 'pipeline': field 'strategy': error: "),
            std::string::npos)
      << run.err;
  EXPECT_FALSE(std::filesystem::exists(out));
}

TEST_F(ExportCommand, ACyclicSpecExitsTwoNamingTheCycleAsCheckDoes) {
  const auto spec = dir_ / "cycle.yaml";
  std::ofstream(spec) << "version: 1\nsupervisor:\n  children:\n"
                         "    - {id: a, command: [./a], depends_on: [b]}\n"
                         "    - {id: b, command: [./b], depends_on: [a]}\n";
  const auto run = run_supervise(
      with_project({"export", "--format", "argo", "--spec", spec, "--image", "agent:1"}));
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_TRUE(run.out.empty()) << run.out;
  EXPECT_NE(run.err.find("dependency cycle: a -> b -> a"), std::string::npos) << run.err;
  EXPECT_EQ(run.err, run_supervise({"check", spec}).err);
}

TEST_F(ExportCommand, AWorkerWithoutAnImageIsAnError) {
  const auto run =
      run_supervise(with_project({"export", "--format", "argo", "--spec",
                                  SUPERVISE_SOURCE_DIR "/specs/examples/simple.yaml"}));
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("child 'fetch': field 'image': error: no image"), std::string::npos)
      << run.err;
}

TEST_F(ExportCommand, AnotherFormatIsAUsageError) {
  const auto run = run_supervise(
      with_project({"export", "--format", "k8s", "--spec", kClusterTree, "--image", "agent:1"}));
  EXPECT_EQ(run.exit_code, 2);
}

TEST_F(ExportCommand, WithoutASpecTheTreeIsDerivedFromTaskCopilotWithEachStreamsTasks) {
  testing::make_four_stream_project(dir_.path());
  const auto out = dir_ / "workflow.yaml";
  const auto run =
      run_supervise(with_project({"export", "--format", "argo", "--image", "agent:1", "-o", out}));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  expect_valid(out);
  const YAML::Node manifest = YAML::LoadFile(out.string());
  EXPECT_EQ(dag_tasks(manifest, "root"),
            (std::map<std::string, Strings>{{"stream-a", {}},
                                            {"stream-b", {"stream-a"}},
                                            {"stream-c", {"stream-a"}},
                                            {"stream-z", {"stream-b", "stream-c"}}}));
  const YAML::Node b = template_named(manifest, "stream-b")["container"];
  EXPECT_EQ(b["command"].as<Strings>(), Strings{"claude"});
  const auto args = b["args"].as<Strings>();
  ASSERT_FALSE(args.empty());
  EXPECT_NE(args.back().find("TASK-B1"), std::string::npos) << args.back();
  EXPECT_NE(args.back().find("TASK-B2"), std::string::npos) << args.back();
}

}  // namespace
}  // namespace supervise
