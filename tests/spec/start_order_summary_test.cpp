#include "supervisor/spec/start_order_summary.hpp"

#include <gtest/gtest.h>

namespace supervise::spec {
namespace {

core::ChildSpec child(std::string id, std::vector<std::string> depends_on = {}) {
  core::ChildSpec spec;
  spec.id = std::move(id);
  for (std::string& dependency : depends_on) {
    spec.depends_on.push_back({std::move(dependency)});
  }
  return spec;
}

TEST(DescribeStartOrder, GroupsByDepthInStartOrder) {
  core::SpecDocument document;
  document.root.children = {child("Z", {"B", "C"}), child("C", {"A"}), child("B", {"A"}),
                            child("A")};
  EXPECT_EQ(describe_start_order(document),
            "depth 0: A\n"
            "depth 1: C, B\n"
            "depth 2: Z\n");
}

TEST(DescribeStartOrder, ListsNestedNodesToo) {
  core::SpecDocument document;
  core::ChildSpec group = child("group", {"A"});
  group.type = core::ChildType::supervisor;
  group.children = {child("inner")};
  document.root.children = {child("A"), group};
  EXPECT_EQ(describe_start_order(document),
            "depth 0: A, inner\n"
            "depth 1: group\n");
}

TEST(DescribeStartOrder, EmptyTreeIsEmpty) {
  EXPECT_EQ(describe_start_order({}), "");
}

TEST(DescribeStartOrder, NodesOnACycleAreListedApart) {
  core::SpecDocument document;
  document.root.children = {child("A"), child("B", {"C"}), child("C", {"B"})};
  EXPECT_EQ(describe_start_order(document),
            "depth 0: A\n"
            "cycle: B, C\n");
}

}  // namespace
}  // namespace supervise::spec
