#pragma once

// The dependency graph of a tree: cycles, depths and start order. Pure
// functions over ids; the spec validator and the supervision core share them.

#include <map>
#include <string>
#include <vector>

#include "supervisor/core/child_spec.hpp"

namespace supervise::core {

struct DependencyNode {
  std::string id;
  std::vector<std::string> depends_on;
};

/// Every node of the tree (workers and nested supervisors), depth first, in
/// spec order, with the ids it depends on.
std::vector<DependencyNode> dependency_nodes(const SupervisorSpec& spec);

/// A cycle of the graph as the ids along it, first id repeated at the end
/// (`A, B, C, A`); empty when the graph has none. Dependencies on unknown ids
/// are ignored here (the validator reports them on their own).
std::vector<std::string> find_cycle(const std::vector<DependencyNode>& nodes);

/// "A -> B -> C -> A".
std::string format_cycle(const std::vector<std::string>& cycle);

/// Depth of each node: 0 without dependencies, else 1 + the deepest
/// dependency. Requires an acyclic graph; unknown ids are ignored.
std::map<std::string, int> dependency_depths(const std::vector<DependencyNode>& nodes);

/// The ids in an order that puts every node after all its dependencies; among
/// nodes that could go next, the one first in spec order goes first, so the
/// order is stable and readable. Requires an acyclic graph.
std::vector<std::string> start_order(const std::vector<DependencyNode>& nodes);

}  // namespace supervise::core
