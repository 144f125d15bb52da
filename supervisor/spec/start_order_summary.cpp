#include "supervisor/spec/start_order_summary.hpp"

#include <fmt/format.h>

#include <map>
#include <set>
#include <vector>

#include "supervisor/core/dependency_graph.hpp"

namespace supervise::spec {

std::string describe_start_order(const core::SpecDocument& document) {
  const std::vector<core::DependencyNode> nodes = core::dependency_nodes(document.root);
  const std::vector<std::string> order = core::start_order(nodes);
  const std::map<std::string, int> depths = core::dependency_depths(nodes);
  std::map<int, std::vector<std::string>> by_depth;
  std::set<std::string> placed;
  for (const std::string& id : order) {
    if (placed.insert(id).second) {
      by_depth[depths.at(id)].push_back(id);
    }
  }
  std::string text;
  for (const auto& [depth, ids] : by_depth) {
    text += "depth " + std::to_string(depth) + ": " + fmt::to_string(fmt::join(ids, ", ")) + "\n";
  }
  std::vector<std::string> stuck;
  for (const core::DependencyNode& node : nodes) {
    if (placed.insert(node.id).second) {
      stuck.push_back(node.id);
    }
  }
  if (!stuck.empty()) {
    text += "cycle: " + fmt::to_string(fmt::join(stuck, ", ")) + "\n";
  }
  return text;
}

}  // namespace supervise::spec
