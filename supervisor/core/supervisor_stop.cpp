// Supervisor: stopping children and nodes, shutdown order, escalation to SIGKILL.

#include <string>

#include "supervisor/core/exit_classification.hpp"
#include "supervisor/core/supervisor_internals.hpp"

namespace supervise::core {

// ================================================================ stopping ===

void Supervisor::State::stop_node(std::size_t i, StopCause cause, Reason reason,
                                  const std::string& detail) {
  Node& node = nodes[i];
  const StopCause child_cause =
      cause == StopCause::shutdown ? StopCause::shutdown : StopCause::parent_stopping;
  switch (node.state) {
    case ChildState::done:
    case ChildState::failed:
    case ChildState::stopped:
      return;
    case ChildState::stopping:
      if (internal::priority(cause) >= internal::priority(node.stop_cause)) {
        if (cause != StopCause::sibling_restart && node.group != 0) {
          leave_group(i);
        }
        node.stop_cause = cause;
        node.stop_reason = reason;
      }
      if (node.type == ChildType::supervisor) {
        for (auto it = node.children.rbegin(); it != node.children.rend(); ++it) {
          stop_node(*it, child_cause, node.stop_reason, "");
        }
      }
      return;
    case ChildState::waiting:
    case ChildState::backoff:
      leave_group(i);
      if (node.type == ChildType::supervisor) {
        for (auto it = node.children.rbegin(); it != node.children.rend(); ++it) {
          stop_node(*it, child_cause, reason, "");
        }
        if (node.live_children > 0) {  // adopted children of a waiting node
          node.stop_cause = cause;
          node.stop_reason = reason;
          set_state(i, ChildState::stopping, reason, detail);
          return;
        }
      }
      end_stop_at_once(i, cause, reason, detail);
      return;
    case ChildState::starting:
      node.stop_cause = cause;
      node.stop_reason = reason;
      set_state(i, ChildState::stopping, reason, detail);
      return;  // signalled once Spawned tells the pid
    case ChildState::running:
    case ChildState::adopted:
      node.stop_cause = cause;
      node.stop_reason = reason;
      set_state(i, ChildState::stopping, reason, detail);
      if (node.type == ChildType::supervisor) {
        for (auto it = node.children.rbegin(); it != node.children.rend(); ++it) {
          stop_node(*it, child_cause, reason, "");
        }
        work.push_back({WorkKind::node_end, i});
        return;
      }
      if (cause == StopCause::shutdown && blocked(i)) {
        node.signal_pending = true;
        ++pending_signals;
      } else {
        send_stop_signal(i);
      }
      return;
  }
}

void Supervisor::State::end_stop_at_once(std::size_t i, StopCause cause, Reason reason,
                                         const std::string& detail) {
  switch (cause) {
    case StopCause::operator_stop:
      nodes[i].held = true;
      set_state(i, ChildState::stopped, reason, detail);
      return;
    case StopCause::gave_up:
      set_state(i, ChildState::failed, reason, detail);
      return;
    case StopCause::none:
    case StopCause::shutdown:
    case StopCause::operator_restart:
    case StopCause::sibling_restart:
    case StopCause::parent_stopping:
    case StopCause::stalled:
      set_state(i, ChildState::stopped, reason, detail);
      return;
  }
}

void Supervisor::State::send_stop_signal(std::size_t i) {
  Node& node = nodes[i];
  if (node.signal_pending) {
    node.signal_pending = false;
    --pending_signals;
  }
  node.signalled = true;
  if (node.spec->shutdown.brutal_kill || forced) {
    node.killed = true;
    emit(SignalGroup{node.id, StopSignal::kill});
    return;
  }
  emit(SignalGroup{node.id, StopSignal::terminate});
  cancel(node.kill_timer);
  node.kill_timer = schedule(node.spec->shutdown.timeout, TimerKind::kill, i);
}

bool Supervisor::State::blocked(std::size_t i) const {
  if (forced) {
    return false;
  }
  for (std::size_t a = i; a != kRoot; a = nodes[a].parent) {
    if (nodes[a].live_external_dependents > 0) {
      return true;
    }
  }
  return false;
}

void Supervisor::State::release(std::size_t i) {
  for (std::size_t k = i; k < nodes[i].subtree_end; ++k) {
    if (nodes[k].signal_pending && !blocked(k)) {
      send_stop_signal(k);
    }
  }
}

void Supervisor::State::finish_stop(std::size_t i, const std::string& detail) {
  Node& node = nodes[i];
  const StopCause cause = node.stop_cause;
  const Reason reason = node.stop_reason;
  node.stop_cause = StopCause::none;
  node.signalled = false;
  node.killed = false;
  if (node.signal_pending) {
    node.signal_pending = false;
    --pending_signals;
  }
  if (is_stream(i) && node.stream_complete) {
    leave_group(i);
    set_state(i, ChildState::done, Reason::stream_complete, detail);
    return;
  }
  switch (cause) {
    case StopCause::operator_restart:
      node.consecutive = 0;
      if (node.type == ChildType::supervisor) {
        node.fresh = Fresh::all;
      }
      try_start(i, Reason::operator_command, "restart command");
      return;
    case StopCause::sibling_restart:
      if (node.group != 0) {
        const GroupId id = node.group;
        RestartGroup& group = groups.at(id);
        if (node.group_stopping) {
          node.group_stopping = false;
          --group.stopping_members;
        }
        set_state(i, ChildState::backoff, Reason::sibling_restart,
                  detail + (detail.empty() ? "" : ", ") + "restart with " + group.cause);
        try_group_start(id);
        return;
      }
      set_state(i, ChildState::stopped, reason, detail);
      return;
    case StopCause::stalled:
      // As after a crash, except that the time it sat stalled does not
      // count as a healthy run: its backoff does not start over.
      if (decide_restart(node.spec->restart, ExitKind::abnormal) == RestartDecision::restart) {
        node.up_since.reset();
        restart_child(i, Reason::stalled, detail, std::nullopt);
      } else {
        set_state(i, ChildState::failed, Reason::stalled, detail + " (temporary: not restarted)");
      }
      return;
    case StopCause::gave_up: {
      const std::string why = detail.empty() ? "restart intensity exceeded" : detail;
      if (decide_restart(node.spec->restart, ExitKind::abnormal) == RestartDecision::restart) {
        std::optional<Duration> uptime;
        if (node.up_since) {
          uptime = std::chrono::duration_cast<Duration>(now - *node.up_since);
        }
        node.up_since.reset();
        node.fresh = Fresh::keep_done;
        restart_child(i, Reason::intensity, why, uptime);
      } else {
        set_state(i, ChildState::failed, Reason::intensity, why);
      }
      return;
    }
    case StopCause::none:
    case StopCause::shutdown:
    case StopCause::operator_stop:
    case StopCause::parent_stopping:
      end_stop_at_once(i, cause, reason, detail);
      return;
  }
}

void Supervisor::State::node_end(std::size_t i) {
  if (i == kRoot) {
    return;  // the root ends when the whole tree does: maybe_finish
  }
  Node& node = nodes[i];
  if (node.type != ChildType::supervisor || node.live_children != 0) {
    return;
  }
  if (node.state == ChildState::stopping) {
    finish_stop(i, "");
    return;
  }
  if (node.state != ChildState::running) {
    return;
  }
  // Its children all ended on their own: the node ends with them, never
  // restarted for it (each child had its own restart policy applied).
  int done = 0;
  int failed = 0;
  bool held = false;
  for (const std::size_t child : node.children) {
    done += nodes[child].state == ChildState::done ? 1 : 0;
    failed += nodes[child].state == ChildState::failed ? 1 : 0;
    held = held || nodes[child].held;
  }
  const int total = static_cast<int>(node.children.size());
  node.held = held;
  node.up_since.reset();
  const std::string detail = std::to_string(done) + " of " + std::to_string(total) + " done";
  if (done == total) {
    set_state(i, ChildState::done, Reason::children_ended, detail);
  } else if (failed > 0) {
    set_state(i, ChildState::failed, Reason::children_ended,
              detail + ", " + std::to_string(failed) + " failed");
  } else {
    set_state(i, ChildState::stopped, Reason::children_ended, detail);
  }
}

}  // namespace supervise::core
