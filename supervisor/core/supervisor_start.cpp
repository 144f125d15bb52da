// Supervisor: dependency conditions and starting children and nodes.

#include <string>

#include "supervisor/core/supervisor_internals.hpp"

namespace supervise::core {

// ============================================================ dependencies ===

bool Supervisor::State::condition_met(std::size_t d, DependencyCondition condition) const {
  const Node& dependency = nodes[d];
  if (dependency.state == ChildState::done) {
    return true;  // a finished dependency has met every condition
  }
  switch (condition) {
    case DependencyCondition::completed:
      return is_stream(d) && dependency.stream_complete;
    case DependencyCondition::started:
      return dependency.ever_started;
    case DependencyCondition::healthy:
      return dependency.ever_healthy;
  }
  return false;
}

bool Supervisor::State::may_return(std::size_t i) const {
  if (nodes[i].held) {
    return true;
  }
  for (std::size_t a = nodes[i].parent; a != kRoot; a = nodes[a].parent) {
    const Node& ancestor = nodes[a];
    if (ancestor.held || ancestor.state == ChildState::waiting ||
        ancestor.state == ChildState::starting || ancestor.state == ChildState::backoff ||
        ancestor.state == ChildState::stopping) {
      return true;
    }
  }
  return false;
}

auto Supervisor::State::check_dependencies(std::size_t i) const -> DependencyCheck {
  DependencyCheck check;
  for (const Edge& edge : nodes[i].dependencies) {
    if (condition_met(edge.node, edge.condition)) {
      continue;
    }
    check.all_met = false;
    if (check.unmet == kNone) {
      check.unmet = edge.node;
    }
    if (check.ended == kNone && is_final(nodes[edge.node].state) && !may_return(edge.node)) {
      check.ended = edge.node;
    }
  }
  return check;
}

void Supervisor::State::reconsider(std::size_t i, Reason reason) {
  if (nodes[i].state != ChildState::waiting || !may_start() || !parent_running(i)) {
    return;
  }
  try_start(i, reason, "");
}

void Supervisor::State::notify_dependents(std::size_t i) {
  for (const Edge& edge : nodes[i].dependents) {
    reconsider(edge.node, Reason::dependencies_met);
  }
}

void Supervisor::State::on_up(std::size_t i) {
  Node& node = nodes[i];
  node.ever_started = true;
  node.started_at = now;
  node.up_since = now;
  if (node.ever_healthy || !node.has_healthy_dependents) {
    return;
  }
  const Duration healthy_after = node.spec->healthy_after;
  if (healthy_after <= Duration{0}) {
    node.ever_healthy = true;
    return;
  }
  cancel(node.healthy_timer);
  node.healthy_timer = schedule(healthy_after, TimerKind::healthy, i);
}

// ================================================================ starting ===

void Supervisor::State::try_start(std::size_t i, Reason reason, const std::string& detail) {
  Node& node = nodes[i];
  if (!may_start()) {
    end_without_start(i, root_failed ? Reason::intensity : Reason::shutdown, detail);
    return;
  }
  if (!parent_running(i)) {
    set_state(i, ChildState::waiting, reason, "waiting for " + nodes[node.parent].id);
    return;
  }
  if (is_stream(i) && node.stream_complete) {
    set_state(i, ChildState::done, Reason::stream_complete, "stream already complete");
    return;
  }
  const DependencyCheck check = check_dependencies(i);
  if (check.ended != kNone) {
    const Node& ended = nodes[check.ended];
    end_without_start(i, Reason::dependency_ended,
                      ended.id + " ended " + std::string(to_string(ended.state)));
    return;
  }
  if (!check.all_met) {
    set_state(i, ChildState::waiting, reason, "waiting for " + nodes[check.unmet].id);
    return;
  }
  if (node.type == ChildType::supervisor) {
    start_node(i, reason, detail);
    return;
  }
  node.ever_spawned = true;
  set_state(i, ChildState::starting, reason, detail);
  emit(Spawn{node.id});
}

void Supervisor::State::end_without_start(std::size_t i, Reason reason, const std::string& detail) {
  Node& node = nodes[i];
  if (is_final(node.state)) {
    return;
  }
  if (node.type == ChildType::supervisor && node.live_children > 0) {
    // A node that never started may hold adopted children: stop them first.
    stop_node(i, StopCause::parent_stopping, reason, detail);
    return;
  }
  node.stop_cause = StopCause::none;
  set_state(i, ChildState::stopped, reason, detail);
}

void Supervisor::State::start_node(std::size_t i, Reason reason, const std::string& detail) {
  Node& node = nodes[i];
  node.history.clear();
  set_state(i, ChildState::running, reason, detail);
  on_up(i);
  if (node.fresh != Fresh::none) {
    const Fresh mode = node.fresh;
    node.fresh = Fresh::none;
    reset_descendants(i, mode, reason, "restart of " + node.id);
  }
  const Reason child_reason = reason == Reason::boot ? Reason::boot : Reason::dependencies_met;
  for (const std::size_t child : node.children) {
    reconsider(child, child_reason);
  }
  work.push_back({WorkKind::node_end, i});
}

void Supervisor::State::reset_descendants(std::size_t i, Fresh mode, Reason reason,
                                          const std::string& detail) {
  std::size_t k = i + 1;
  while (k < nodes[i].subtree_end) {
    Node& node = nodes[k];
    if (!is_final(node.state)) {
      ++k;
      continue;
    }
    const bool keep = mode == Fresh::keep_done &&
                      (node.state == ChildState::done ||
                       (node.spec->restart == RestartType::temporary && node.ever_spawned));
    if (keep) {
      k = node.subtree_end;  // its children stay as they are too
      continue;
    }
    node.consecutive = 0;
    node.held = false;
    node.history.clear();
    if (mode == Fresh::all) {
      node.restarts = 0;
    }
    set_state(k, ChildState::waiting, reason, detail);
    ++k;
  }
}

}  // namespace supervise::core
