// The exports of the example specs and of random trees, checked by Argo's own
// schema (the strict validator of the Argo reference folder) and against the
// spec's dependency closure (workflow_closure.hpp).

#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <fstream>

#include "supervisor/export/argo_workflow.hpp"
#include "supervisor/spec/spec_loader.hpp"
#include "tests/export/workflow_closure.hpp"
#include "tests/spec/random_spec.hpp"
#include "tests/support/argo_validator.hpp"
#include "tests/support/temp_dir.hpp"

namespace supervise::exporter {
namespace {

namespace fs = std::filesystem;
using testing::Relation;

ArgoOptions options() {
  ArgoOptions options;
  options.image = "registry.example/agent:1";
  options.prompt = [](const core::ChildSpec& worker, const std::string& work_dir) {
    return "You are a **Stream Foreman** for " + worker.id + " in `" + work_dir + "`.\n";
  };
  return options;
}

fs::path write(const fs::path& path, const std::string& text) {
  std::ofstream(path) << text;
  return path;
}

/// Compares the workflow's ordering with the spec's; empty when they agree
/// as workflow_closure.hpp says, else what differs.
std::string compare_closures(const core::SpecDocument& document, const ArgoExport& exported) {
  const YAML::Node manifest = YAML::Load(*exported.manifest);
  const testing::ManifestDags read = testing::read_dags(manifest);
  std::map<std::string, std::string> id_of;
  for (const auto& [id, name] : exported.names) {
    id_of[name] = id;
  }

  std::vector<std::string> reached;
  testing::containers_under(read, manifest["spec"]["entrypoint"].as<std::string>(), reached);
  Relation waits = testing::spec_waits(document.root);
  std::set<std::string> workers;
  for (const std::string& name : reached) {
    if (!workers.insert(id_of.at(name)).second) {
      return "worker " + id_of.at(name) + " runs twice";
    }
  }
  if (workers.size() != waits.size()) {
    return std::to_string(waits.size()) + " workers in the spec, " +
           std::to_string(workers.size()) + " in the workflow";
  }

  Relation runs_after;
  for (const auto& [dag, tasks] : read.dags) {
    Relation within;
    for (const auto& [task, dependencies] : tasks) {
      within[task].insert(dependencies.begin(), dependencies.end());
      // Nothing invented: a direct spec wait between the two branches.
      for (const std::string& dependency : dependencies) {
        std::vector<std::string> under_a;
        std::vector<std::string> under_b;
        testing::containers_under(read, task, under_a);
        testing::containers_under(read, dependency, under_b);
        bool justified = false;
        for (const std::string& a : under_a) {
          for (const std::string& b : under_b) {
            justified |= waits.at(id_of.at(a)).count(id_of.at(b)) != 0;
          }
        }
        if (!justified) {
          return "in DAG " + dag + ", " + task + " waits for " + dependency +
                 " though no worker under it waits for one under the other";
        }
      }
    }
    testing::close_transitively(within);
    for (const auto& [task, awaited] : within) {
      std::vector<std::string> under_a;
      testing::containers_under(read, task, under_a);
      for (const std::string& other : awaited) {
        std::vector<std::string> under_b;
        testing::containers_under(read, other, under_b);
        for (const std::string& a : under_a) {
          for (const std::string& b : under_b) {
            runs_after[id_of.at(a)].insert(id_of.at(b));
          }
        }
      }
    }
  }
  testing::close_transitively(runs_after);
  testing::close_transitively(waits);
  // Nothing lost.
  for (const auto& [x, awaited] : waits) {
    for (const std::string& y : awaited) {
      if (runs_after[x].count(y) == 0) {
        return x + " waits for " + y + " in the spec but not in the workflow";
      }
    }
  }
  return "";
}

bool waits_for_itself(const core::SupervisorSpec& root) {
  Relation waits = testing::spec_waits(root);
  testing::close_transitively(waits);
  for (const auto& [x, awaited] : waits) {
    if (awaited.count(x) != 0) {
      return true;
    }
  }
  return false;
}

TEST(ArgoValidation, EveryExampleSpecExportsToAManifestArgoAccepts) {
  if (const std::string missing = supervise::testing::argo_validator_missing(); !missing.empty()) {
    GTEST_SKIP() << missing;
  }
  supervise::testing::TempDir dir;
  std::vector<fs::path> manifests;
  for (const auto& entry :
       fs::directory_iterator(fs::path(SUPERVISE_SOURCE_DIR) / "specs" / "examples")) {
    const auto loaded = spec::load_spec_file(entry.path());
    ASSERT_TRUE(loaded.document) << spec::format(loaded.errors);
    const auto exported = export_argo(*loaded.document, loaded.positions, options());
    ASSERT_TRUE(exported.manifest) << entry.path();
    EXPECT_EQ(compare_closures(*loaded.document, exported), "") << entry.path();
    manifests.push_back(write(dir / entry.path().filename(), *exported.manifest));
  }
  ASSERT_GE(manifests.size(), 3u);
  const auto validated = supervise::testing::validate_argo(manifests);
  EXPECT_TRUE(validated.all_valid) << validated.output;
}

TEST(ArgoValidation, RandomTreesExportToValidManifestsWithTheSpecsDependencyClosure) {
  const std::string missing = supervise::testing::argo_validator_missing();
  supervise::testing::TempDir dir;
  std::vector<fs::path> manifests;
  std::vector<std::string> texts;
  const bool held = rc::check([&] {
    const core::SpecDocument document = spec::random_spec::random_document();
    RC_PRE(spec::validate_spec(document).empty());
    const ArgoExport exported = export_argo(document, {}, options());
    if (!exported.manifest) {
      RC_TAG("children wait for each other");
      // Only a real circle of waiting workers stops an export.
      RC_ASSERT(waits_for_itself(document.root));
      return;
    }
    RC_TAG(exported.names.size() <= document.root.children.size() + 1 ? "flat" : "nested");
    RC_TAG(exported.warnings.end() !=
                   std::find_if(exported.warnings.begin(), exported.warnings.end(),
                                [](const ExportIssue& warning) { return warning.field.empty(); })
               ? "a supervisor inlined"
               : "no supervisor inlined");
    RC_ASSERT(compare_closures(document, exported) == std::string());
    // Rapidcheck shrinks a failure by running more cases: only the manifests
    // of passing cases go to the validator.
    texts.push_back(*exported.manifest);
  });
  EXPECT_TRUE(held);
  if (!missing.empty()) {
    GTEST_SKIP() << missing;
  }
  for (std::size_t i = 0; i < texts.size(); ++i) {
    manifests.push_back(write(dir / ("tree-" + std::to_string(i) + ".yaml"), texts[i]));
  }
  ASSERT_FALSE(manifests.empty());
  const auto validated = supervise::testing::validate_argo(manifests);
  EXPECT_TRUE(validated.all_valid) << validated.output;
}

}  // namespace
}  // namespace supervise::exporter
