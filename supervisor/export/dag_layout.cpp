#include "supervisor/export/dag_layout.hpp"

#include <algorithm>
#include <map>
#include <utility>

#include "supervisor/core/dependency_graph.hpp"

namespace supervise::exporter {

namespace {

/// The tree by id: each node, its parent ("" for the root's children) and
/// every dependency edge in spec order.
class TreeIndex {
 public:
  explicit TreeIndex(const core::SupervisorSpec& root) { add(root.children, ""); }

  const core::ChildSpec& node(const std::string& id) const { return *nodes_.at(id); }

  /// True when `ancestor` is a proper ancestor of `id` ("" is everyone's).
  bool is_below(const std::string& id, const std::string& ancestor) const {
    if (ancestor.empty()) {
      return nodes_.count(id) != 0;
    }
    for (auto at = parents_.find(id); at != parents_.end() && !at->second.empty();
         at = parents_.find(at->second)) {
      if (at->second == ancestor) {
        return true;
      }
    }
    return false;
  }

  const std::vector<std::pair<std::string, std::string>>& edges() const { return edges_; }

 private:
  void add(const std::vector<core::ChildSpec>& children, const std::string& parent) {
    for (const core::ChildSpec& child : children) {
      nodes_[child.id] = &child;
      parents_[child.id] = parent;
      for (const core::Dependency& dependency : child.depends_on) {
        edges_.emplace_back(child.id, dependency.id);
      }
      add(child.children, child.id);
    }
  }

  std::map<std::string, const core::ChildSpec*> nodes_;
  std::map<std::string, std::string> parents_;
  std::vector<std::pair<std::string, std::string>> edges_;
};

class Planner {
 public:
  explicit Planner(const core::SupervisorSpec& root) : root_(root), index_(root) {}

  DagLayout plan() {
    plan_dag("", root_.children);
    return std::move(layout_);
  }

 private:
  bool is_supervisor(const std::string& id) const {
    return index_.node(id).type == core::ChildType::supervisor;
  }

  void collect_members(const std::vector<core::ChildSpec>& children,
                       std::vector<std::string>& members) const {
    for (const core::ChildSpec& child : children) {
      if (inlined_.count(child.id) != 0) {
        collect_members(child.children, members);
      } else {
        members.push_back(child.id);
      }
    }
  }

  /// The tasks of the DAG owned by `owner` that stand for node `id`: the
  /// task containing it, or, for an inlined supervisor, every task its
  /// children became. Empty when `id` is outside the DAG.
  std::vector<std::string> tasks_for(const std::string& id, const std::string& owner,
                                     const std::vector<std::string>& members) const {
    if (!index_.is_below(id, owner)) {
      return {};
    }
    for (const std::string& member : members) {
      if (member == id || index_.is_below(id, member)) {
        return {member};
      }
    }
    std::vector<std::string> tasks;
    for (const std::string& member : members) {
      if (index_.is_below(member, id)) {
        tasks.push_back(member);
      }
    }
    return tasks;
  }

  std::vector<core::DependencyNode> task_graph(const std::string& owner,
                                               const std::vector<std::string>& members) const {
    std::vector<core::DependencyNode> graph;
    std::map<std::string, std::size_t> position;
    for (const std::string& member : members) {
      position[member] = graph.size();
      graph.push_back({member, {}});
    }
    for (const auto& [from, to] : index_.edges()) {
      const auto waiting = tasks_for(from, owner, members);
      const auto awaited = tasks_for(to, owner, members);
      for (const std::string& a : waiting) {
        for (const std::string& b : awaited) {
          auto& dependencies = graph[position.at(a)].depends_on;
          if (a != b &&
              std::find(dependencies.begin(), dependencies.end(), b) == dependencies.end()) {
            dependencies.push_back(b);
          }
        }
      }
    }
    // In task order, so the manifest reads like the spec.
    for (core::DependencyNode& node : graph) {
      std::sort(node.depends_on.begin(), node.depends_on.end(),
                [&](const std::string& a, const std::string& b) {
                  return position.at(a) < position.at(b);
                });
    }
    return graph;
  }

  void plan_dag(const std::string& owner, const std::vector<core::ChildSpec>& children) {
    if (!layout_.cycle.empty()) {
      return;
    }
    std::vector<std::string> members;
    std::vector<core::DependencyNode> graph;
    for (;;) {
      members.clear();
      collect_members(children, members);
      graph = task_graph(owner, members);
      const std::vector<std::string> cycle = core::find_cycle(graph);
      if (cycle.empty()) {
        break;
      }
      const auto supervisor = std::find_if(
          cycle.begin(), cycle.end(), [&](const std::string& id) { return is_supervisor(id); });
      if (supervisor == cycle.end()) {
        layout_.cycle = cycle;
        return;
      }
      inlined_.insert(*supervisor);
      layout_.inlined.push_back(*supervisor);
    }
    Dag dag{owner, {}};
    for (core::DependencyNode& node : graph) {
      dag.tasks.push_back({node.id, std::move(node.depends_on)});
    }
    layout_.dags.push_back(std::move(dag));
    for (const std::string& member : members) {
      if (is_supervisor(member)) {
        plan_dag(member, index_.node(member).children);
      }
    }
  }

  const core::SupervisorSpec& root_;
  TreeIndex index_;
  std::set<std::string> inlined_;
  DagLayout layout_;
};

}  // namespace

DagLayout lay_out_dags(const core::SupervisorSpec& root) {
  return Planner(root).plan();
}

}  // namespace supervise::exporter
