// Properties of the dependency graph functions on random graphs.

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <map>
#include <numeric>
#include <set>
#include <string>
#include <vector>

#include "supervisor/core/dependency_graph.hpp"

namespace supervise::core {
namespace {

/// `values` in a random order (Fisher-Yates with rapidcheck's choices, so
/// failures shrink).
template <typename T>
std::vector<T> shuffled(std::vector<T> values) {
  for (std::size_t i = values.size(); i > 1; --i) {
    std::swap(values[i - 1], values[*rc::gen::inRange<std::size_t>(0, i)]);
  }
  return values;
}

/// A random DAG: nodes in a random spec order, each depending only on nodes
/// of a lower rank in a hidden random topological order; sometimes also on
/// ids that are not in the graph (which every function must ignore).
std::vector<DependencyNode> random_dag() {
  const int size = *rc::gen::inRange(0, 25);
  std::vector<int> rank(size);
  std::iota(rank.begin(), rank.end(), 0);
  rank = shuffled(rank);
  std::vector<DependencyNode> nodes(size);
  std::vector<int> by_rank(size);
  for (int i = 0; i < size; ++i) {
    nodes[i].id = "n" + std::to_string(i);
    by_rank[rank[i]] = i;
  }
  for (int i = 0; i < size; ++i) {
    std::set<int> chosen;
    const int wanted = rank[i] == 0 ? 0 : *rc::gen::inRange(0, std::min(rank[i], 4) + 1);
    while (static_cast<int>(chosen.size()) < wanted) {
      chosen.insert(by_rank[*rc::gen::inRange(0, rank[i])]);
    }
    for (const int dependency : chosen) {
      nodes[i].depends_on.push_back(nodes[dependency].id);
    }
    if (*rc::gen::inRange(0, 10) == 0) {
      nodes[i].depends_on.push_back("unknown-" + std::to_string(i));
    }
    nodes[i].depends_on = shuffled(nodes[i].depends_on);
  }
  return nodes;
}

std::map<std::string, const DependencyNode*> index(const std::vector<DependencyNode>& nodes) {
  std::map<std::string, const DependencyNode*> by_id;
  for (const DependencyNode& node : nodes) {
    by_id[node.id] = &node;
  }
  return by_id;
}

RC_GTEST_PROP(DependencyGraphProperty, StartOrderHasEveryNodeOnceAfterItsDependencies, ()) {
  const std::vector<DependencyNode> nodes = random_dag();
  const auto by_id = index(nodes);
  const std::vector<std::string> order = start_order(nodes);
  RC_ASSERT(order.size() == nodes.size());
  std::map<std::string, std::size_t> position;
  for (std::size_t i = 0; i < order.size(); ++i) {
    RC_ASSERT(by_id.count(order[i]) == 1u);
    RC_ASSERT(position.emplace(order[i], i).second);
  }
  for (const DependencyNode& node : nodes) {
    for (const std::string& dependency : node.depends_on) {
      if (by_id.count(dependency) != 0) {
        RC_ASSERT(position.at(dependency) < position.at(node.id));
      }
    }
  }
}

RC_GTEST_PROP(DependencyGraphProperty, DepthIsZeroOrOnePlusTheDeepestDependency, ()) {
  const std::vector<DependencyNode> nodes = random_dag();
  const auto by_id = index(nodes);
  const std::map<std::string, int> depths = dependency_depths(nodes);
  RC_ASSERT(depths.size() == nodes.size());
  for (const DependencyNode& node : nodes) {
    int expected = 0;
    for (const std::string& dependency : node.depends_on) {
      if (by_id.count(dependency) != 0) {
        expected = std::max(expected, depths.at(dependency) + 1);
      }
    }
    RC_ASSERT(depths.at(node.id) == expected);
  }
}

RC_GTEST_PROP(DependencyGraphProperty, FindsNoCycleInADag, ()) {
  RC_ASSERT(find_cycle(random_dag()).empty());
}

RC_GTEST_PROP(DependencyGraphProperty, FindsARealCycleWhenOneIsInjected, ()) {
  std::vector<DependencyNode> nodes = random_dag();
  RC_PRE(!nodes.empty());
  // Pick distinct nodes v1..vk and add v1 -> v2 -> ... -> vk -> v1 (k = 1 is
  // a self-dependency).
  std::vector<std::size_t> all(nodes.size());
  std::iota(all.begin(), all.end(), 0);
  all = shuffled(all);
  const std::size_t length = *rc::gen::inRange<std::size_t>(1, nodes.size() + 1);
  for (std::size_t i = 0; i < length; ++i) {
    DependencyNode& from = nodes[all[i]];
    const std::string& to = nodes[all[(i + 1) % length]].id;
    if (std::find(from.depends_on.begin(), from.depends_on.end(), to) == from.depends_on.end()) {
      from.depends_on.insert(
          from.depends_on.begin() + *rc::gen::inRange<std::size_t>(0, from.depends_on.size() + 1),
          to);
    }
  }
  const auto by_id = index(nodes);
  const std::vector<std::string> cycle = find_cycle(nodes);
  RC_ASSERT(cycle.size() >= 2u);
  RC_ASSERT(cycle.front() == cycle.back());
  // A simple cycle: no node twice except the closing one.
  const std::set<std::string> distinct(cycle.begin(), cycle.end() - 1);
  RC_ASSERT(distinct.size() == cycle.size() - 1);
  for (std::size_t i = 0; i + 1 < cycle.size(); ++i) {
    RC_ASSERT(by_id.count(cycle[i]) == 1u);
    const std::vector<std::string>& edges = by_id.at(cycle[i])->depends_on;
    RC_ASSERT(std::find(edges.begin(), edges.end(), cycle[i + 1]) != edges.end());
  }
}

RC_GTEST_PROP(DependencyGraphProperty, StartOrderOnlyLeavesOutNodesThatCannotStart, ()) {
  // With a cycle, start_order lists exactly the nodes whose dependencies
  // (transitively) avoid every cycle, still each after its dependencies.
  std::vector<DependencyNode> nodes = random_dag();
  RC_PRE(nodes.size() >= 2u);
  const std::size_t a = *rc::gen::inRange<std::size_t>(0, nodes.size());
  const std::size_t b = *rc::gen::inRange<std::size_t>(0, nodes.size());
  nodes[a].depends_on.push_back(nodes[b].id);
  nodes[b].depends_on.push_back(nodes[a].id);
  const std::vector<std::string> order = start_order(nodes);
  const std::set<std::string> placed(order.begin(), order.end());
  RC_ASSERT(placed.size() == order.size());
  RC_ASSERT(placed.count(nodes[a].id) == 0u);
  RC_ASSERT(placed.count(nodes[b].id) == 0u);
  const auto by_id = index(nodes);
  for (const DependencyNode& node : nodes) {
    bool startable = true;
    for (const std::string& dependency : node.depends_on) {
      if (by_id.count(dependency) != 0 && placed.count(dependency) == 0) {
        startable = false;
      }
    }
    RC_ASSERT(placed.count(node.id) == (startable ? 1u : 0u));
  }
}

}  // namespace
}  // namespace supervise::core
