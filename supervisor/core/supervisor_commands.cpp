// Supervisor: operator commands (stop, start, restart) and shutdown/force.

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>

#include "supervisor/core/supervisor_internals.hpp"

namespace supervise::core {

std::optional<CommandKind> command_kind_from_string(std::string_view name) {
  for (const CommandKind kind : {CommandKind::stop, CommandKind::start, CommandKind::restart,
                                 CommandKind::shutdown, CommandKind::force}) {
    if (to_string(kind) == name) {
      return kind;
    }
  }
  return std::nullopt;
}

bool names_a_child(CommandKind kind) {
  switch (kind) {
    case CommandKind::stop:
    case CommandKind::start:
    case CommandKind::restart:
      return true;
    case CommandKind::shutdown:
    case CommandKind::force:
      return false;
  }
  return false;
}

std::string_view to_string(CommandVerdict value) {
  switch (value) {
    case CommandVerdict::accepted:
      return "accepted";
    case CommandVerdict::unknown_child:
      return "unknown_child";
    case CommandVerdict::nothing_to_do:
      return "nothing_to_do";
    case CommandVerdict::tree_not_running:
      return "tree_not_running";
    case CommandVerdict::supervisor_busy:
      return "supervisor_busy";
  }
  return "?";
}

CommandVerdict Supervisor::judge(const Command& command) const {
  return state_->judge(command);
}

CommandVerdict Supervisor::State::judge(const Command& event) const {
  if (!names_a_child(event.kind)) {
    return CommandVerdict::accepted;  // shutdown and force always act
  }
  const std::size_t i = find(event.child);
  if (i == kNone) {
    return CommandVerdict::unknown_child;
  }
  if (!may_start()) {
    return CommandVerdict::tree_not_running;
  }
  const ChildState state = nodes[i].state;
  switch (event.kind) {
    case CommandKind::stop:
      return is_final(state) ? CommandVerdict::nothing_to_do : CommandVerdict::accepted;
    case CommandKind::start:
      if (!is_final(state)) {
        return CommandVerdict::nothing_to_do;
      }
      return ancestors_let_start(i) ? CommandVerdict::accepted : CommandVerdict::supervisor_busy;
    case CommandKind::restart:
      if (state == ChildState::waiting) {
        return CommandVerdict::nothing_to_do;  // not started yet
      }
      if (is_final(state) && !ancestors_let_start(i)) {
        return CommandVerdict::supervisor_busy;  // an ended child is started again
      }
      return CommandVerdict::accepted;
    case CommandKind::shutdown:
    case CommandKind::force:
      return CommandVerdict::accepted;
  }
  return CommandVerdict::accepted;
}

bool Supervisor::State::ancestors_let_start(std::size_t i) const {
  for (std::size_t a = nodes[i].parent; a != kRoot; a = nodes[a].parent) {
    const ChildState state = nodes[a].state;
    if (state == ChildState::stopping || state == ChildState::backoff ||
        state == ChildState::starting) {
      return false;
    }
  }
  return true;
}

void Supervisor::State::on(const Command& event) {
  if (judge(event) != CommandVerdict::accepted) {
    return;
  }
  const std::size_t i = find(event.child);
  switch (event.kind) {
    case CommandKind::shutdown:
      shutdown();
      return;
    case CommandKind::force:
      force();
      return;
    case CommandKind::stop:
      stop_node(i, StopCause::operator_stop, Reason::operator_command, "stop command");
      return;
    case CommandKind::start:
      operator_start(i);
      return;
    case CommandKind::restart:
      operator_restart(i);
      return;
  }
}

void Supervisor::State::shutdown() {
  const bool was_booted = booted;
  booted = true;
  if (shutting_down) {
    return;
  }
  shutting_down = true;
  if (nonfinal_count == 0 && outcome != TreeOutcome::root_failed) {
    finished_emitted = false;  // a tree at rest reports the shutdown too
  }
  std::vector<GroupId> open;
  for (const auto& [id, group] : groups) {
    open.push_back(id);
  }
  std::sort(open.begin(), open.end());
  for (const GroupId id : open) {
    for (const std::size_t m : groups.at(id).members) {
      if (nodes[m].group == id) {
        nodes[m].group = 0;
        nodes[m].group_stopping = false;
      }
    }
    erase_group(id);
  }
  if (!root_failed) {
    root().state = ChildState::stopping;
    root().stop_cause = StopCause::shutdown;
  }
  const std::string detail = was_booted ? "" : "before boot";
  for (auto it = root().children.rbegin(); it != root().children.rend(); ++it) {
    stop_node(*it, StopCause::shutdown, Reason::shutdown, detail);
  }
  for (auto it = start_sequence.rbegin(); it != start_sequence.rend(); ++it) {
    if (nodes[*it].signal_pending && !blocked(*it)) {
      send_stop_signal(*it);
    }
  }
}

void Supervisor::State::force() {
  shutdown();
  forced = true;
  for (auto it = start_sequence.rbegin(); it != start_sequence.rend(); ++it) {
    Node& node = nodes[*it];
    if (node.type != ChildType::worker || node.state != ChildState::stopping || !node.pid ||
        node.killed) {
      continue;
    }
    cancel(node.kill_timer);
    if (node.signal_pending) {
      node.signal_pending = false;
      --pending_signals;
    }
    node.signalled = true;
    node.killed = true;
    emit(SignalGroup{node.id, StopSignal::kill});
  }
}

void Supervisor::State::operator_start(std::size_t i) {
  Node& node = nodes[i];
  if (!is_final(node.state)) {
    return;
  }
  // Its supervisor nodes must run for it to run: an ancestor that is on its
  // way somewhere (stopping, backoff) decides for it; one that ended is
  // brought back without touching its other children.
  if (!ancestors_let_start(i)) {
    return;
  }
  std::vector<std::size_t> ended;
  for (std::size_t a = node.parent; a != kRoot; a = nodes[a].parent) {
    if (is_final(nodes[a].state)) {
      ended.push_back(a);
    }
  }
  for (auto it = ended.rbegin(); it != ended.rend(); ++it) {
    Node& ancestor = nodes[*it];
    ancestor.held = false;
    ancestor.consecutive = 0;
    ancestor.history.clear();
    set_state(*it, ChildState::running, Reason::operator_command, "to start " + node.id);
    on_up(*it);
  }
  node.held = false;
  node.restarts = 0;
  node.consecutive = 0;
  if (node.type == ChildType::supervisor) {
    node.fresh = Fresh::all;
  }
  set_state(i, ChildState::waiting, Reason::operator_command, "start command");
  try_start(i, Reason::operator_command, "start command");
}

void Supervisor::State::operator_restart(std::size_t i) {
  Node& node = nodes[i];
  switch (node.state) {
    case ChildState::waiting:
      return;  // not started yet: nothing to restart
    case ChildState::stopped:
    case ChildState::done:
    case ChildState::failed:
      operator_start(i);
      return;
    case ChildState::backoff:
      leave_group(i);
      node.consecutive = 0;
      if (node.type == ChildType::supervisor) {
        node.fresh = Fresh::all;
      }
      try_start(i, Reason::operator_command, "restart command");
      return;
    case ChildState::stopping:
    case ChildState::starting:
    case ChildState::running:
    case ChildState::adopted:
      stop_node(i, StopCause::operator_restart, Reason::operator_command, "restart command");
      return;
  }
}

}  // namespace supervise::core
