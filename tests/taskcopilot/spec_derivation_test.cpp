#include "supervisor/taskcopilot/spec_derivation.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "supervisor/core/dependency_graph.hpp"
#include "supervisor/taskcopilot/task_store.hpp"
#include "tests/support/task_copilot_fixture.hpp"
#include "tests/support/temp_dir.hpp"

namespace supervise::taskcopilot {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const Initiative kInitiative{"a1b2c3d4-rest", "Init", "IN PROGRESS", "2026-01-01"};

Stream stream(std::string id, std::string name, std::vector<std::string> dependencies = {}) {
  Stream result;
  result.id = std::move(id);
  result.name = std::move(name);
  result.dependencies = std::move(dependencies);
  return result;
}

std::vector<std::string> dependency_ids(const core::ChildSpec& child) {
  std::vector<std::string> ids;
  for (const core::Dependency& dependency : child.depends_on) {
    EXPECT_EQ(dependency.condition, core::DependencyCondition::completed) << child.id;
    ids.push_back(dependency.id);
  }
  return ids;
}

TEST(DeriveSpecs, TheFourStreamProjectGivesFourTransientStreamWorkers) {
  supervise::testing::TempDir dir;
  auto db = supervise::testing::make_four_stream_project(dir.path());
  auto store = TaskStore::open(db.tasks_db(), db.memory_db());
  ASSERT_TRUE(store.ok()) << store.error().message;
  const auto initiative = store->active_initiative();
  ASSERT_TRUE(initiative.ok() && initiative->has_value());
  const auto set = store->streams((*initiative)->id);
  ASSERT_TRUE(set.ok());

  const auto document = derive_specs(**initiative, set->streams);
  ASSERT_TRUE(document.ok()) << document.error().message;
  EXPECT_EQ(document->initiative_id, supervise::testing::kFourStreamInitiative);
  const auto& children = document->root.children;
  ASSERT_EQ(children.size(), 4u);
  const std::vector<std::string> names{"Foundation", "Backend", "Frontend", "Integration"};
  for (std::size_t i = 0; i < children.size(); ++i) {
    const core::ChildSpec& child = children[i];
    EXPECT_EQ(child.id, set->streams[i].id);
    EXPECT_EQ(child.name, names[i]);
    EXPECT_EQ(child.type, core::ChildType::worker);
    EXPECT_EQ(child.restart, core::RestartType::transient);
    EXPECT_EQ(child.complete_when, core::CompletionRule::stream);
    EXPECT_TRUE(child.command.empty());
    EXPECT_TRUE(child.work_dir.empty());
  }
  EXPECT_THAT(dependency_ids(children[0]), ElementsAre());
  EXPECT_THAT(dependency_ids(children[1]), ElementsAre("Stream-A"));
  EXPECT_THAT(dependency_ids(children[2]), ElementsAre("Stream-A"));
  EXPECT_THAT(dependency_ids(children[3]), ElementsAre("Stream-B", "Stream-C"));

  const auto depths = core::dependency_depths(core::dependency_nodes(document->root));
  EXPECT_EQ(depths, (std::map<std::string, int>{
                        {"Stream-A", 0}, {"Stream-B", 1}, {"Stream-C", 1}, {"Stream-Z", 2}}));
}

TEST(DeriveSpecs, WorkersStartFromTheTemplateAndTheRootTakesThePolicy) {
  DeriveOptions options;
  options.policy.strategy = core::Strategy::rest_for_one;
  options.policy.intensity = 3;
  options.worker.max_restarts = 7;
  options.worker.env = {{"KEY", "value"}};
  options.worker.restart = core::RestartType::permanent;  // streams stay transient
  options.worker.command = {"ignored"};
  const auto document = derive_specs(kInitiative, {stream("S", "Name")}, options);
  ASSERT_TRUE(document.ok()) << document.error().message;
  EXPECT_EQ(document->root.policy, options.policy);
  const core::ChildSpec& child = document->root.children.at(0);
  EXPECT_EQ(child.max_restarts, 7);
  EXPECT_EQ(child.env.at("KEY"), "value");
  EXPECT_EQ(child.restart, core::RestartType::transient);
  EXPECT_TRUE(child.command.empty());
}

TEST(DeriveSpecs, AnUnsafeStreamIdIsAnErrorNamingIt) {
  const auto document =
      derive_specs(kInitiative, {stream("Stream-A", "A"), stream("../escape", "E")});
  ASSERT_FALSE(document.ok());
  EXPECT_EQ(document.error().code, ErrorCode::unsafe_id);
  EXPECT_THAT(document.error().message, HasSubstr("../escape"));
}

TEST(DeriveSpecs, AnUnsafeInitiativePrefixIsAnError) {
  const Initiative initiative{"../../etc", "bad", "IN PROGRESS", ""};
  const auto document = derive_specs(initiative, {stream("Stream-A", "A")});
  ASSERT_FALSE(document.ok());
  EXPECT_EQ(document.error().code, ErrorCode::unsafe_id);
}

TEST(DeriveSpecs, ADependencyOnAMissingStreamIsAnError) {
  const auto document = derive_specs(kInitiative, {stream("Stream-B", "B", {"Stream-A"})});
  ASSERT_FALSE(document.ok());
  EXPECT_EQ(document.error().code, ErrorCode::unknown_dependency);
  EXPECT_THAT(document.error().message, HasSubstr("Stream-A"));
}

TEST(DeriveSpecs, ACycleIsAnErrorNamingIt) {
  const auto document = derive_specs(
      kInitiative, {stream("Stream-A", "A", {"Stream-B"}), stream("Stream-B", "B", {"Stream-A"})});
  ASSERT_FALSE(document.ok());
  EXPECT_EQ(document.error().code, ErrorCode::dependency_cycle);
  EXPECT_THAT(document.error().message, HasSubstr("Stream-A -> Stream-B -> Stream-A"));
}

}  // namespace
}  // namespace supervise::taskcopilot
