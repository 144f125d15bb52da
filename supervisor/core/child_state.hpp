#pragma once

#include <string_view>

namespace supervise::core {

/// The state of a child as users see it (`supervise status`).
enum class ChildState {
  waiting,   ///< its dependencies have not met their conditions yet
  starting,  ///< spawn requested, not yet confirmed running
  running,   ///< running, started by us
  backoff,   ///< exited; a restart is scheduled
  stopping,  ///< asked to stop; waiting for its process group to end
  stopped,   ///< stopped on purpose (operator, shutdown, external SIGTERM)
  done,      ///< complete: stream complete, or a normal exit
  failed,    ///< gave up: restart limit reached, or cannot start
  adopted,   ///< running, found alive at start-up, not started by us
};

std::string_view to_string(ChildState value);

/// Ended for good: nothing will start it again without an operator command.
bool is_final(ChildState value);

/// The transition table: true when a child may move from `from` to `to`
/// (one table for workers and supervisor nodes; only nodes use
/// waiting/backoff/stopped/... -> running, only workers use starting).
/// Every StateChanged the core emits obeys it.
bool is_allowed_transition(ChildState from, ChildState to);

}  // namespace supervise::core
