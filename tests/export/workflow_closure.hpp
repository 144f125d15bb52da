#pragma once

// What "the DAG has the same dependency closure as the spec" means for an
// export, checked from the manifest's YAML (not from the exporter's own data):
//
// - Every worker of the spec is one container task, reachable from the
//   entrypoint exactly once.
// - Nothing is lost: whenever worker X waits for worker Y in the spec
//   (transitively; X or a supervisor above X depends on Y or a supervisor
//   above Y), X's task runs after Y's in the workflow (some DAG orders a task
//   holding X after a task holding Y, transitively).
// - Nothing is invented beyond the coarsening to branches: each dependency of
//   a DAG task a on a task b is justified by some worker under a that waits
//   directly for some worker under b in the spec.

#include <yaml-cpp/yaml.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "supervisor/core/child_spec.hpp"

namespace supervise::exporter::testing {

using Relation = std::map<std::string, std::set<std::string>>;

inline void close_transitively(Relation& relation) {
  for (bool grew = true; grew;) {
    grew = false;
    for (auto& [from, targets] : relation) {
      std::set<std::string> more;
      for (const std::string& middle : targets) {
        const auto next = relation.find(middle);
        if (next != relation.end()) {
          more.insert(next->second.begin(), next->second.end());
        }
      }
      for (const std::string& target : more) {
        grew |= targets.insert(target).second;
      }
    }
  }
}

/// Spec worker id -> the ids of the worker and every supervisor above it.
inline void collect_workers(const std::vector<core::ChildSpec>& children,
                            std::vector<std::string>& above,
                            std::map<std::string, std::vector<std::string>>& out) {
  for (const core::ChildSpec& child : children) {
    above.push_back(child.id);
    if (child.type == core::ChildType::worker) {
      out[child.id] = above;
    }
    collect_workers(child.children, above, out);
    above.pop_back();
  }
}

/// X -> Y when X or a supervisor above X depends directly on Y or on a
/// supervisor above Y.
inline Relation spec_waits(const core::SupervisorSpec& root) {
  std::map<std::string, std::vector<std::string>> workers;
  std::vector<std::string> above;
  collect_workers(root.children, above, workers);
  std::map<std::string, std::set<std::string>> depends;
  std::vector<const core::ChildSpec*> stack;
  for (const core::ChildSpec& child : root.children) {
    stack.push_back(&child);
  }
  while (!stack.empty()) {
    const core::ChildSpec* node = stack.back();
    stack.pop_back();
    for (const core::Dependency& dependency : node->depends_on) {
      depends[node->id].insert(dependency.id);
    }
    for (const core::ChildSpec& child : node->children) {
      stack.push_back(&child);
    }
  }
  Relation waits;
  for (const auto& [x, x_above] : workers) {
    waits[x];
    for (const auto& [y, y_above] : workers) {
      for (const std::string& p : x_above) {
        for (const std::string& q : y_above) {
          if (depends[p].count(q) != 0) {
            waits[x].insert(y);
          }
        }
      }
    }
  }
  return waits;
}

struct ManifestDags {
  /// Template name -> (task name -> its dependencies), for DAG templates.
  std::map<std::string, std::map<std::string, std::vector<std::string>>> dags;
  /// Container template names.
  std::set<std::string> containers;
};

inline ManifestDags read_dags(const YAML::Node& manifest) {
  ManifestDags read;
  for (const YAML::Node& entry : manifest["spec"]["templates"]) {
    const auto name = entry["name"].as<std::string>();
    if (entry["container"]) {
      read.containers.insert(name);
      continue;
    }
    auto& tasks = read.dags[name];
    for (const YAML::Node& task : entry["dag"]["tasks"]) {
      tasks[task["template"].as<std::string>()] =
          task["dependencies"] ? task["dependencies"].as<std::vector<std::string>>()
                               : std::vector<std::string>{};
    }
  }
  return read;
}

/// Container template names under the template `name`, each time it is
/// reached (a name twice means a worker runs twice).
inline void containers_under(const ManifestDags& read, const std::string& name,
                             std::vector<std::string>& out) {
  if (read.containers.count(name) != 0) {
    out.push_back(name);
    return;
  }
  for (const auto& [task, dependencies] : read.dags.at(name)) {
    containers_under(read, task, out);
  }
}

}  // namespace supervise::exporter::testing
