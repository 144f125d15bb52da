#include "supervisor/core/dependency_graph.hpp"

#include <algorithm>
#include <functional>
#include <unordered_map>

namespace supervise::core {

namespace {

void collect(const std::vector<ChildSpec>& children, std::vector<DependencyNode>& out) {
  for (const ChildSpec& child : children) {
    DependencyNode node{child.id, {}};
    for (const Dependency& dependency : child.depends_on) {
      node.depends_on.push_back(dependency.id);
    }
    out.push_back(std::move(node));
    collect(child.children, out);
  }
}

using Index = std::unordered_map<std::string, std::size_t>;

Index index_of(const std::vector<DependencyNode>& nodes) {
  Index index;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    index.emplace(nodes[i].id, i);
  }
  return index;
}

}  // namespace

std::vector<DependencyNode> dependency_nodes(const SupervisorSpec& spec) {
  std::vector<DependencyNode> nodes;
  collect(spec.children, nodes);
  return nodes;
}

std::vector<std::string> find_cycle(const std::vector<DependencyNode>& nodes) {
  const Index index = index_of(nodes);
  enum class Mark { unvisited, on_path, finished };
  std::vector<Mark> marks(nodes.size(), Mark::unvisited);
  std::vector<std::size_t> path;

  // Iterative depth-first search: a tree of 10,000 chained children must not
  // overflow the stack. Each frame is (node, next dependency to look at).
  for (std::size_t root = 0; root < nodes.size(); ++root) {
    if (marks[root] != Mark::unvisited) {
      continue;
    }
    std::vector<std::pair<std::size_t, std::size_t>> stack{{root, 0}};
    marks[root] = Mark::on_path;
    path.assign(1, root);
    while (!stack.empty()) {
      auto& [node, next] = stack.back();
      if (next == nodes[node].depends_on.size()) {
        marks[node] = Mark::finished;
        path.pop_back();
        stack.pop_back();
        continue;
      }
      const auto found = index.find(nodes[node].depends_on[next++]);
      if (found == index.end()) {
        continue;
      }
      const std::size_t dependency = found->second;
      if (marks[dependency] == Mark::on_path) {
        std::vector<std::string> cycle;
        auto start = std::find(path.begin(), path.end(), dependency);
        for (auto it = start; it != path.end(); ++it) {
          cycle.push_back(nodes[*it].id);
        }
        cycle.push_back(nodes[dependency].id);
        return cycle;
      }
      if (marks[dependency] == Mark::unvisited) {
        marks[dependency] = Mark::on_path;
        path.push_back(dependency);
        stack.emplace_back(dependency, 0);
      }
    }
  }
  return {};
}

std::string format_cycle(const std::vector<std::string>& cycle) {
  std::string text;
  for (const std::string& id : cycle) {
    if (!text.empty()) {
      text += " -> ";
    }
    text += id;
  }
  return text;
}

std::map<std::string, int> dependency_depths(const std::vector<DependencyNode>& nodes) {
  const Index index = index_of(nodes);
  std::map<std::string, int> depths;
  // Visiting in start order guarantees every dependency has its depth first.
  for (const std::string& id : start_order(nodes)) {
    int depth = 0;
    for (const std::string& dependency : nodes[index.at(id)].depends_on) {
      if (const auto found = depths.find(dependency); found != depths.end()) {
        depth = std::max(depth, found->second + 1);
      }
    }
    depths[id] = depth;
  }
  return depths;
}

std::vector<std::string> start_order(const std::vector<DependencyNode>& nodes) {
  const Index index = index_of(nodes);
  std::vector<std::size_t> unmet(nodes.size(), 0);
  std::vector<std::vector<std::size_t>> dependents(nodes.size());
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    for (const std::string& dependency : nodes[i].depends_on) {
      if (const auto found = index.find(dependency); found != index.end()) {
        ++unmet[i];
        dependents[found->second].push_back(i);
      }
    }
  }
  // Kahn's algorithm with a min-heap on spec position keeps spec order
  // wherever dependencies allow it.
  std::vector<std::size_t> ready;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    if (unmet[i] == 0) {
      ready.push_back(i);
    }
  }
  std::make_heap(ready.begin(), ready.end(), std::greater<>());
  std::vector<std::string> order;
  order.reserve(nodes.size());
  while (!ready.empty()) {
    std::pop_heap(ready.begin(), ready.end(), std::greater<>());
    const std::size_t node = ready.back();
    ready.pop_back();
    order.push_back(nodes[node].id);
    for (const std::size_t dependent : dependents[node]) {
      if (--unmet[dependent] == 0) {
        ready.push_back(dependent);
        std::push_heap(ready.begin(), ready.end(), std::greater<>());
      }
    }
  }
  return order;
}

}  // namespace supervise::core
