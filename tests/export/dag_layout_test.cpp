#include "supervisor/export/dag_layout.hpp"

#include <gtest/gtest.h>

#include "supervisor/spec/spec_loader.hpp"

namespace supervise::exporter {
namespace {

using Ids = std::vector<std::string>;

core::SupervisorSpec tree(const std::string& yaml) {
  const auto loaded = spec::load_spec_string("version: 1\nsupervisor:\n" + yaml, "tree.yaml");
  EXPECT_TRUE(loaded.document) << spec::format(loaded.errors);
  return loaded.document ? loaded.document->root : core::SupervisorSpec{};
}

const Dag& dag(const DagLayout& layout, const std::string& id) {
  for (const Dag& dag : layout.dags) {
    if (dag.id == id) {
      return dag;
    }
  }
  throw std::runtime_error("no DAG " + id);
}

Ids task_ids(const Dag& dag) {
  Ids ids;
  for (const DagTask& task : dag.tasks) {
    ids.push_back(task.id);
  }
  return ids;
}

Ids dependencies(const Dag& dag, const std::string& task) {
  for (const DagTask& entry : dag.tasks) {
    if (entry.id == task) {
      return entry.dependencies;
    }
  }
  throw std::runtime_error("no task " + task);
}

TEST(DagLayout, EachSupervisorIsADagAndDependenciesStayWhereBothEndsAre) {
  const DagLayout layout = lay_out_dags(tree(R"(  children:
    - id: a
    - id: b
      depends_on: [a]
    - id: group
      type: supervisor
      children:
        - id: c
        - id: d
          depends_on: [c]
)"));
  ASSERT_TRUE(layout.cycle.empty());
  EXPECT_TRUE(layout.inlined.empty());
  ASSERT_EQ(layout.dags.size(), 2u);
  EXPECT_EQ(layout.dags[0].id, "");
  EXPECT_EQ(task_ids(layout.dags[0]), (Ids{"a", "b", "group"}));
  EXPECT_EQ(dependencies(layout.dags[0], "b"), (Ids{"a"}));
  EXPECT_EQ(dependencies(layout.dags[0], "group"), Ids{});
  EXPECT_EQ(task_ids(layout.dags[1]), (Ids{"c", "d"}));
  EXPECT_EQ(dependencies(layout.dags[1], "d"), (Ids{"c"}));
}

TEST(DagLayout, ADependencyAcrossBranchesIsPlacedBetweenTheBranchesInTheirCommonDag) {
  const DagLayout layout = lay_out_dags(tree(R"(  children:
    - id: left
      type: supervisor
      children:
        - id: outer
          type: supervisor
          children:
            - id: x
              depends_on: [y]
    - id: right
      type: supervisor
      children:
        - id: y
    - id: z
      depends_on: [outer]
)"));
  ASSERT_TRUE(layout.cycle.empty());
  const Dag& root = dag(layout, "");
  EXPECT_EQ(dependencies(root, "left"), (Ids{"right"}));
  // A dependency on a supervisor is one on the task that runs its DAG, lifted
  // to the DAG that holds both.
  EXPECT_EQ(dependencies(root, "z"), (Ids{"left"}));
  EXPECT_EQ(dependencies(dag(layout, "outer"), "x"), Ids{});
}

TEST(DagLayout, BranchesThatWouldWaitForEachOtherAreInlined) {
  // x1 needs y1 and y2 needs x2: s1 and s2 cannot wait for each other, so
  // one of them runs its children in the root's DAG.
  const DagLayout layout = lay_out_dags(tree(R"(  children:
    - id: s1
      type: supervisor
      children:
        - id: x1
          depends_on: [y1]
        - id: x2
    - id: s2
      type: supervisor
      children:
        - id: y1
        - id: y2
          depends_on: [x2]
)"));
  ASSERT_TRUE(layout.cycle.empty());
  EXPECT_EQ(layout.inlined, (Ids{"s1"}));
  const Dag& root = dag(layout, "");
  EXPECT_EQ(task_ids(root), (Ids{"x1", "x2", "s2"}));
  EXPECT_EQ(dependencies(root, "x1"), (Ids{"s2"}));
  EXPECT_EQ(dependencies(root, "s2"), (Ids{"x2"}));
  EXPECT_EQ(task_ids(dag(layout, "s2")), (Ids{"y1", "y2"}));
}

TEST(DagLayout, ADependencyOfAnInlinedSupervisorHoldsForEachOfItsChildren) {
  const DagLayout layout = lay_out_dags(tree(R"(  children:
    - id: first
    - id: s1
      type: supervisor
      depends_on: [first]
      children:
        - id: x1
          depends_on: [y1]
        - id: x2
    - id: s2
      type: supervisor
      children:
        - id: y1
        - id: y2
          depends_on: [x2]
)"));
  ASSERT_TRUE(layout.cycle.empty());
  ASSERT_EQ(layout.inlined, (Ids{"s1"}));
  const Dag& root = dag(layout, "");
  EXPECT_EQ(dependencies(root, "x1"), (Ids{"first", "s2"}));
  EXPECT_EQ(dependencies(root, "x2"), (Ids{"first"}));
}

TEST(DagLayout, WorkersThatWaitForEachOtherThroughASupervisorHaveNoLayout) {
  // w waits for all of s, and s's child x waits for w.
  const DagLayout layout = lay_out_dags(tree(R"(  children:
    - id: w
      depends_on: [s]
    - id: s
      type: supervisor
      children:
        - id: x
          depends_on: [w]
)"));
  EXPECT_EQ(layout.cycle, (Ids{"w", "x", "w"}));
}

}  // namespace
}  // namespace supervise::exporter
