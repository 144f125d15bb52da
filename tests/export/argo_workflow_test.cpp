#include "supervisor/export/argo_workflow.hpp"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "supervisor/spec/spec_loader.hpp"

namespace supervise::exporter {
namespace {

using Strings = std::vector<std::string>;

const std::string kClusterTree =
    std::string(SUPERVISE_SOURCE_DIR) + "/tests/export/fixtures/cluster_tree.yaml";

spec::LoadResult load(const std::string& yaml) {
  auto loaded = spec::load_spec_string(yaml, "tree.yaml");
  EXPECT_TRUE(loaded.document) << spec::format(loaded.errors);
  return loaded;
}

ArgoOptions options() {
  ArgoOptions options;
  options.image = "agent:1";
  options.prompt = [](const core::ChildSpec& worker, const std::string& work_dir) {
    return "prompt of " + worker.id + " in " + work_dir;
  };
  return options;
}

YAML::Node template_named(const YAML::Node& manifest, const std::string& name) {
  for (const YAML::Node& entry : manifest["spec"]["templates"]) {
    if (entry["name"].as<std::string>() == name) {
      return entry;
    }
  }
  ADD_FAILURE() << "no template " << name;
  return {};
}

/// name -> dependencies of the DAG template `name`.
std::map<std::string, Strings> dag_tasks(const YAML::Node& manifest, const std::string& name) {
  std::map<std::string, Strings> tasks;
  for (const YAML::Node& task : template_named(manifest, name)["dag"]["tasks"]) {
    EXPECT_EQ(task["name"].as<std::string>(), task["template"].as<std::string>());
    tasks[task["name"].as<std::string>()] =
        task["dependencies"] ? task["dependencies"].as<Strings>() : Strings{};
  }
  return tasks;
}

class ClusterTree : public ::testing::Test {
 protected:
  void SetUp() override {
    loaded_ = spec::load_spec_file(kClusterTree);
    ASSERT_TRUE(loaded_.document) << spec::format(loaded_.errors);
    exported_ = export_argo(*loaded_.document, loaded_.positions, options());
    ASSERT_TRUE(exported_.manifest);
    manifest_ = YAML::Load(*exported_.manifest);
  }

  spec::LoadResult loaded_;
  ArgoExport exported_;
  YAML::Node manifest_;
};

TEST_F(ClusterTree, IsOneWorkflowWhoseEntrypointIsTheRootDag) {
  EXPECT_EQ(manifest_["apiVersion"].as<std::string>(), "argoproj.io/v1alpha1");
  EXPECT_EQ(manifest_["kind"].as<std::string>(), "Workflow");
  EXPECT_EQ(manifest_["spec"]["entrypoint"].as<std::string>(), "root");
  EXPECT_EQ(dag_tasks(manifest_, "root"),
            (std::map<std::string, Strings>{{"setup", {}},
                                            {"backend", {"setup"}},
                                            {"pipeline", {"setup", "backend"}},
                                            {"docs", {"pipeline"}}}));
}

TEST_F(ClusterTree, TheNestedSupervisorIsADagRunByATaskOfItsParent) {
  EXPECT_EQ(dag_tasks(manifest_, "pipeline"),
            (std::map<std::string, Strings>{{"stream-a", {}}, {"stream-b", {"stream-a"}}}));
  EXPECT_EQ(exported_.names.at("Stream_B"), "stream-b");
}

TEST_F(ClusterTree, APermanentWorkerRetriesAlwaysWithItsLimitAndItsNodesBackoff) {
  const YAML::Node retry = template_named(manifest_, "backend")["retryStrategy"];
  EXPECT_EQ(retry["limit"].as<int>(), 3);
  EXPECT_EQ(retry["retryPolicy"].as<std::string>(), "Always");
  EXPECT_EQ(retry["backoff"]["duration"].as<std::string>(), "2s");
  EXPECT_EQ(retry["backoff"]["factor"].as<int>(), 2);
  EXPECT_EQ(retry["backoff"]["cap"].as<std::string>(), "1m");
}

TEST_F(ClusterTree, TransientRetriesOnFailureAndTemporaryNever) {
  const YAML::Node b = template_named(manifest_, "stream-b")["retryStrategy"];
  EXPECT_EQ(b["retryPolicy"].as<std::string>(), "OnFailure");
  EXPECT_EQ(b["limit"].as<int>(), 2);
  EXPECT_EQ(b["backoff"]["duration"].as<std::string>(), "5s");  // its own node's backoff
  EXPECT_EQ(b["backoff"]["factor"].as<int>(), 3);
  EXPECT_EQ(b["backoff"]["cap"].as<std::string>(), "10m");
  EXPECT_FALSE(template_named(manifest_, "setup")["retryStrategy"]);
  EXPECT_FALSE(template_named(manifest_, "docs")["retryStrategy"]);
}

TEST_F(ClusterTree, ContainersRunTheImageTheCommandTheEnvAndTheWorkDir) {
  const YAML::Node backend = template_named(manifest_, "backend")["container"];
  EXPECT_EQ(backend["image"].as<std::string>(), "agent:1");
  EXPECT_EQ(backend["command"].as<Strings>(), Strings{"./backend.sh"});
  EXPECT_EQ(backend["args"].as<Strings>(), Strings{"--serve"});
  EXPECT_EQ(backend["workingDir"].as<std::string>(), "/workspace");
  std::map<std::string, std::string> env;
  for (const YAML::Node& variable : backend["env"]) {
    env[variable["name"].as<std::string>()] = variable["value"].as<std::string>();
  }
  EXPECT_EQ(env.at("PORT"), "8080");
  EXPECT_EQ(env.at("SUPERVISE_STREAM_ID"), "Backend");
  EXPECT_EQ(env.at("SUPERVISE_INITIATIVE_ID"), "7d3f2a10-4c1e-4b7a-9e55-0a1b2c3d4e5f");

  const YAML::Node b = template_named(manifest_, "stream-b")["container"];
  EXPECT_EQ(b["image"].as<std::string>(), "registry.example/b:2");
  EXPECT_EQ(b["workingDir"].as<std::string>(), "/workspace/services/b");
}

TEST_F(ClusterTree, AStreamWorkerRunsTheAgentWithItsPrompt) {
  const YAML::Node a = template_named(manifest_, "stream-a")["container"];
  EXPECT_EQ(a["command"].as<Strings>(), Strings{"my-agent"});
  EXPECT_EQ(a["args"].as<Strings>(), (Strings{"--yes", "prompt of Stream-A in /workspace"}));
}

TEST_F(ClusterTree, TheRestForOneStrategyIsTheOneWarningAtItsLine) {
  ASSERT_EQ(exported_.warnings.size(), 1u);
  EXPECT_EQ(exported_.warnings[0].child, "pipeline");
  EXPECT_EQ(exported_.warnings[0].field, "strategy");
  EXPECT_EQ(exported_.warnings[0].position, (spec::Position{20, 17}));
}

TEST(ArgoWorkflow, StringsThatLookLikeNumbersStayStrings) {
  const auto loaded = load(R"(version: 1
supervisor:
  children:
    - id: "5433"
      command: ["./db", "5433", "yes", "null", "multi\nline\u00e9\u0001\u007f"]
)");
  const auto exported = export_argo(*loaded.document, loaded.positions, options());
  ASSERT_TRUE(exported.manifest);
  const YAML::Node manifest = YAML::Load(*exported.manifest);
  const YAML::Node container = template_named(manifest, "5433")["container"];
  EXPECT_EQ(container["args"].as<Strings>(),
            (Strings{"5433", "yes", "null", "multi\nline\u00e9\u0001\u007f"}));
  EXPECT_NE(exported.manifest->find("- \"5433\""), std::string::npos) << *exported.manifest;
}

TEST(ArgoWorkflow, EveryFieldArgoCannotSayIsAWarningAtTheField) {
  const auto loaded = load(R"(version: 1
supervisor:
  strategy: one_for_all
  intensity: 3
  period: 30s
  backoff: {factor: 1.5, jitter: 0.2, reset_after: 1m}
  children:
    - id: a
      command: [./a]
    - id: b
      command: [./b]
      depends_on: [{id: a, condition: started}]
)");
  const auto exported = export_argo(*loaded.document, loaded.positions, options());
  ASSERT_TRUE(exported.manifest);
  std::vector<std::pair<std::string, int>> fields;
  for (const ExportIssue& warning : exported.warnings) {
    fields.emplace_back(warning.field, warning.position.line);
  }
  EXPECT_EQ(fields, (std::vector<std::pair<std::string, int>>{
                        {"supervisor.strategy", 3},
                        {"supervisor.intensity", 4},
                        {"supervisor.period", 5},
                        {"supervisor.backoff.factor", 6},
                        {"supervisor.backoff.jitter", 6},
                        {"supervisor.backoff.reset_after", 6},
                        {"depends_on", 12},
                    }));
}

TEST(ArgoWorkflow, DefaultsNobodyWroteAreNoWarnings) {
  const auto loaded =
      load("version: 1\nsupervisor:\n  children:\n    - id: a\n      command: [./a]\n");
  const auto exported = export_argo(*loaded.document, loaded.positions, options());
  EXPECT_TRUE(exported.warnings.empty());
}

TEST(ArgoWorkflow, AWorkerWithoutAnImageIsAnErrorAtTheWorker) {
  const auto loaded = load(R"(version: 1
supervisor:
  children:
    - id: a
      command: [./a]
    - id: b
      command: [./b]
      image: b:1
)");
  ArgoOptions no_image = options();
  no_image.image = "";
  const auto exported = export_argo(*loaded.document, loaded.positions, no_image);
  EXPECT_FALSE(exported.manifest);
  ASSERT_EQ(exported.errors.size(), 1u);
  EXPECT_EQ(exported.errors[0].child, "a");
  EXPECT_EQ(exported.errors[0].position.line, 4);
}

TEST(ArgoWorkflow, WorkersWaitingForEachOtherThroughASupervisorAreAnErrorNamingThem) {
  const auto loaded = load(R"(version: 1
supervisor:
  children:
    - id: w
      command: [./w]
      depends_on: [s]
    - id: s
      type: supervisor
      children:
        - id: x
          command: [./x]
          depends_on: [w]
)");
  const auto exported = export_argo(*loaded.document, loaded.positions, options());
  EXPECT_FALSE(exported.manifest);
  ASSERT_EQ(exported.errors.size(), 1u);
  EXPECT_NE(exported.errors[0].message.find("w -> x -> w"), std::string::npos)
      << exported.errors[0].message;
}

TEST(ArgoWorkflow, AnInlinedSupervisorIsAWarningAtItsNode) {
  const auto loaded = load(R"(version: 1
supervisor:
  children:
    - id: s1
      type: supervisor
      children:
        - {id: x1, command: [./x1], depends_on: [y1]}
        - {id: x2, command: [./x2]}
    - id: s2
      type: supervisor
      children:
        - {id: y1, command: [./y1]}
        - {id: y2, command: [./y2], depends_on: [x2]}
)");
  const auto exported = export_argo(*loaded.document, loaded.positions, options());
  ASSERT_TRUE(exported.manifest);
  ASSERT_EQ(exported.warnings.size(), 1u);
  EXPECT_EQ(exported.warnings[0].child, "s1");
  EXPECT_EQ(exported.warnings[0].position.line, 4);
  EXPECT_EQ(exported.names.count("s1"), 0u);
}

}  // namespace
}  // namespace supervise::exporter
