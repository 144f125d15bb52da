// Supervisor: exits, restart decisions, restart groups (strategies) and intensity.

#include <algorithm>
#include <string>

#include "supervisor/core/backoff.hpp"
#include "supervisor/core/exit_classification.hpp"
#include "supervisor/core/supervisor_internals.hpp"

namespace supervise::core {

// ================================================================ restarts ===

void Supervisor::State::on_exit(std::size_t i, const ExitStatus& status,
                                std::optional<std::string> spawn_error) {
  Node& node = nodes[i];
  cancel(node.healthy_timer);
  cancel(node.kill_timer);
  std::optional<Duration> uptime;
  if (node.up_since) {
    uptime = std::chrono::duration_cast<Duration>(now - *node.up_since);
  }
  node.up_since.reset();
  node.pid.reset();
  std::string detail;
  if (spawn_error) {
    detail = "spawn failed: " + *spawn_error;
  } else {
    node.last_exit = status;
    node.last_exit_at = now;
    detail = status.describe();
  }

  if (node.state == ChildState::stopping) {
    finish_stop(i, detail);
    return;
  }
  ExitKind kind = ExitKind::abnormal;
  if (!spawn_error) {
    kind = classify_exit({node.spec->complete_when, node.stream_complete, false, status});
  }
  const Reason reason = spawn_error                  ? Reason::spawn_failed
                        : kind == ExitKind::abnormal ? Reason::crashed
                        : kind == ExitKind::normal
                            ? (is_stream(i) ? Reason::stream_complete : Reason::exited_normally)
                            : Reason::stopped_externally;
  switch (decide_restart(node.spec->restart, kind)) {
    case RestartDecision::restart:
      restart_child(i, reason, detail, uptime);
      break;
    case RestartDecision::done:
      set_state(i, ChildState::done, reason, detail);
      break;
    case RestartDecision::stopped:
      set_state(i, ChildState::stopped, reason, detail);
      break;
    case RestartDecision::failed:
      set_state(i, ChildState::failed, reason, detail + " (temporary: not restarted)");
      break;
  }
}

void Supervisor::State::restart_child(std::size_t i, Reason reason, const std::string& detail,
                                      std::optional<Duration> uptime) {
  Node& node = nodes[i];
  const std::size_t p = node.parent;
  const SupervisorPolicy& policy = *nodes[p].policy;
  if (!may_start()) {
    set_state(i, ChildState::stopped, root_failed ? Reason::intensity : Reason::shutdown, detail);
    return;
  }
  const int max_restarts = node.spec->max_restarts;
  if (max_restarts >= 0 && node.restarts >= max_restarts) {
    set_state(i, ChildState::failed, Reason::max_restarts,
              detail + "; used its " + std::to_string(max_restarts) + " restarts");
    return;
  }
  if (!add_restart(nodes[p].history, {now, i}, policy.intensity, policy.period)) {
    const std::string node_name = p == kRoot ? std::string("the root") : nodes[p].id;
    const std::string why = node_name + " exceeded its restart intensity (" +
                            std::to_string(policy.intensity) + " in " +
                            format_delay(policy.period) + ")";
    const std::size_t emitted = out->size();
    set_state(i, ChildState::failed, Reason::intensity, detail + "; " + why);
    if (out->size() > emitted) {
      if (auto* change = std::get_if<StateChanged>(&(*out)[emitted])) {
        change->exceeded_intensity_of = p == kRoot ? std::string() : nodes[p].id;
      }
    }
    give_up(p, why);
    return;
  }
  if (uptime && *uptime >= policy.backoff.reset_after) {
    node.consecutive = 0;
  }
  ++node.restarts;
  ++node.consecutive;
  const Duration delay = backoff_delay(policy.backoff, node.consecutive, random());
  const GroupId id = join_group(i);
  RestartGroup& group = groups.at(id);
  set_state(i, ChildState::backoff, reason, detail + ", restart in " + format_delay(delay));
  TimerId old = group.timer;
  cancel(old);
  group.timer = schedule(delay, TimerKind::restart_group, id);
  group.due = now + delay;
  group.fired = false;
  group.cause = node.id;

  const std::vector<std::size_t>& siblings = nodes[p].children;
  switch (policy.strategy) {
    case Strategy::one_for_one:
      break;
    case Strategy::one_for_all:
      for (auto it = siblings.rbegin(); it != siblings.rend(); ++it) {
        if (*it != i) {
          stop_for_group(*it, id);
        }
      }
      break;
    case Strategy::rest_for_one:
      for (std::size_t k = siblings.size(); k > node.sibling_position + 1; --k) {
        stop_for_group(siblings[k - 1], id);
      }
      break;
  }
}

void Supervisor::State::retry_spawn(std::size_t i, const std::string& error) {
  Node& node = nodes[i];
  ++node.resource_retries;
  const Duration delay = backoff_delay(parent_policy(i).backoff, node.resource_retries, random());
  // A group of its own, never the node's open one_for_all/rest_for_one
  // group: this is no restart of the strategy's.
  const GroupId id = next_group++;
  RestartGroup group;
  group.node = node.parent;
  group.members.push_back(i);
  group.count = 1;
  group.cause = node.id;
  group.due = now + delay;
  groups.emplace(id, std::move(group));
  nodes[node.parent].groups.insert(id);
  node.group = id;
  set_state(
      i, ChildState::backoff, Reason::out_of_resources,
      "spawn failed: " + error + "; not counted as a restart, retry in " + format_delay(delay));
  groups.at(id).timer = schedule(delay, TimerKind::restart_group, id);
}

auto Supervisor::State::join_group(std::size_t i) -> GroupId {
  Node& parent = nodes[nodes[i].parent];
  GroupId id = parent.pending_group;
  if (parent.policy->strategy == Strategy::one_for_one || id == 0) {
    id = next_group++;
    RestartGroup group;
    group.node = nodes[i].parent;
    groups.emplace(id, std::move(group));
    parent.groups.insert(id);
    if (parent.policy->strategy != Strategy::one_for_one) {
      parent.pending_group = id;
    }
  }
  RestartGroup& group = groups.at(id);
  group.members.push_back(i);
  ++group.count;
  nodes[i].group = id;
  return id;
}

void Supervisor::State::leave_group(std::size_t i) {
  Node& node = nodes[i];
  if (node.group == 0) {
    return;
  }
  const GroupId id = node.group;
  RestartGroup& group = groups.at(id);
  node.group = 0;
  --group.count;
  if (node.group_stopping) {
    node.group_stopping = false;
    --group.stopping_members;
  }
  if (group.count == 0) {
    erase_group(id);
  } else {
    try_group_start(id);
  }
}

void Supervisor::State::erase_group(GroupId id) {
  const auto found = groups.find(id);
  if (found == groups.end()) {
    return;
  }
  cancel(found->second.timer);
  Node& parent = nodes[found->second.node];
  parent.groups.erase(id);
  if (parent.pending_group == id) {
    parent.pending_group = 0;
  }
  groups.erase(found);
}

void Supervisor::State::try_group_start(GroupId id) {
  const auto found = groups.find(id);
  if (found == groups.end() || !found->second.fired || found->second.stopping_members > 0) {
    return;
  }
  std::vector<std::size_t> members;
  for (const std::size_t m : found->second.members) {
    if (nodes[m].group == id) {
      members.push_back(m);
      nodes[m].group = 0;
    }
  }
  erase_group(id);
  std::sort(members.begin(), members.end(), [this](std::size_t a, std::size_t b) {
    return nodes[a].start_rank < nodes[b].start_rank;
  });
  for (const std::size_t m : members) {
    if (nodes[m].state != ChildState::backoff) {
      continue;
    }
    if (nodes[m].type == ChildType::supervisor && nodes[m].fresh == Fresh::none) {
      nodes[m].fresh = Fresh::keep_done;
    }
    try_start(m, Reason::backoff_elapsed, "");
  }
}

void Supervisor::State::stop_for_group(std::size_t sibling, GroupId id) {
  Node& node = nodes[sibling];
  if (node.state != ChildState::starting && node.state != ChildState::running &&
      node.state != ChildState::adopted) {
    return;
  }
  const std::string detail = "restart with " + groups.at(id).cause;
  if (node.spec->restart == RestartType::temporary) {
    stop_node(sibling, StopCause::parent_stopping, Reason::sibling_restart, detail);
    return;
  }
  RestartGroup& group = groups.at(id);
  group.members.push_back(sibling);
  ++group.count;
  ++group.stopping_members;
  node.group = id;
  node.group_stopping = true;
  stop_node(sibling, StopCause::sibling_restart, Reason::sibling_restart, detail);
}

void Supervisor::State::give_up(std::size_t p, const std::string& detail) {
  Node& node = nodes[p];
  const std::vector<GroupId> open(node.groups.begin(), node.groups.end());
  for (const GroupId id : open) {
    const std::vector<std::size_t> members = groups.at(id).members;
    for (const std::size_t m : members) {
      if (nodes[m].group != id) {
        continue;
      }
      nodes[m].group = 0;
      nodes[m].group_stopping = false;
      if (nodes[m].state == ChildState::backoff) {
        set_state(m, ChildState::stopped, Reason::intensity, detail);
      }
    }
    erase_group(id);
  }
  if (p == kRoot) {
    root_failed = true;
    node.state = ChildState::stopping;
    node.stop_cause = StopCause::gave_up;
    for (auto it = node.children.rbegin(); it != node.children.rend(); ++it) {
      stop_node(*it, StopCause::parent_stopping, Reason::intensity, detail);
    }
    return;
  }
  stop_node(p, StopCause::gave_up, Reason::intensity, detail);
}

}  // namespace supervise::core
