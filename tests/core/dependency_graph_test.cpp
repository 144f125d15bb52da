#include "supervisor/core/dependency_graph.hpp"

#include <gtest/gtest.h>

namespace supervise::core {
namespace {

std::vector<DependencyNode> four_streams() {
  return {{"A", {}}, {"B", {"A"}}, {"C", {"A"}}, {"Z", {"B", "C"}}};
}

TEST(DependencyGraph, DepthsOfTheFourStreamFixture) {
  const auto depths = dependency_depths(four_streams());
  EXPECT_EQ(depths.at("A"), 0);
  EXPECT_EQ(depths.at("B"), 1);
  EXPECT_EQ(depths.at("C"), 1);
  EXPECT_EQ(depths.at("Z"), 2);
}

TEST(DependencyGraph, StartOrderKeepsSpecOrderWhereDependenciesAllow) {
  const std::vector<DependencyNode> nodes{{"Z", {"B"}}, {"B", {}}, {"A", {}}};
  EXPECT_EQ(start_order(nodes), (std::vector<std::string>{"B", "Z", "A"}));
}

TEST(DependencyGraph, FindsNoCycleInADag) {
  EXPECT_TRUE(find_cycle(four_streams()).empty());
}

TEST(DependencyGraph, NamesTheCycle) {
  const std::vector<DependencyNode> nodes{{"X", {}}, {"A", {"B"}}, {"B", {"C"}}, {"C", {"A"}}};
  const auto cycle = find_cycle(nodes);
  EXPECT_EQ(format_cycle(cycle), "A -> B -> C -> A");
}

TEST(DependencyGraph, SelfDependencyIsACycle) {
  EXPECT_EQ(format_cycle(find_cycle({{"A", {"A"}}})), "A -> A");
}

TEST(DependencyGraph, UnknownDependenciesAreIgnored) {
  const std::vector<DependencyNode> nodes{{"A", {"nope"}}};
  EXPECT_TRUE(find_cycle(nodes).empty());
  EXPECT_EQ(dependency_depths(nodes).at("A"), 0);
}

TEST(DependencyGraph, LongChainDoesNotOverflowTheStack) {
  std::vector<DependencyNode> nodes;
  // Names built by append: GCC 12 at -O3 warns falsely (-Wrestrict) about
  // `"n" + std::to_string(i)`, a `const char* + std::string&&`.
  const auto name = [](int i) { return std::string("n").append(std::to_string(i)); };
  for (int i = 0; i < 20000; ++i) {
    nodes.push_back({name(i), {name(i + 1)}});
  }
  nodes.push_back({"n20000", {"n0"}});
  EXPECT_EQ(find_cycle(nodes).size(), 20002u);
}

}  // namespace
}  // namespace supervise::core
