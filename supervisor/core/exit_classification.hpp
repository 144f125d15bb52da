#pragma once

// What an exit means (normal, abnormal, stopped by someone else) and what the
// restart type makes of it. One clause per case, as in OTP's supervisor.erl.

#include <string_view>

#include "supervisor/core/child_spec.hpp"
#include "supervisor/core/exit_status.hpp"

namespace supervise::core {

enum class ExitKind {
  requested,           ///< we asked it to stop (SignalGroup sent, state stopping)
  normal,              ///< it finished its work (see CompletionRule)
  stopped_externally,  ///< SIGTERM/SIGINT/SIGHUP that we did not send
  abnormal,            ///< a crash: anything else
};
std::string_view to_string(ExitKind value);

struct ExitFacts {
  CompletionRule complete_when = CompletionRule::exit_code;
  /// The latest StreamProgress said the child's stream is complete.
  bool stream_complete = false;
  /// The child was stopping: we had asked it to end.
  bool requested = false;
  ExitStatus status;
};

/// Classifies one exit:
/// - requested by us -> requested, whatever the status;
/// - `stream` child whose stream is complete -> normal, whatever the status;
/// - died of SIGTERM/SIGINT/SIGHUP (signal or code 128+N) -> stopped_externally
///   (the old `orchestrate.py stop` sends SIGTERM);
/// - `exit_code` child with code 0 -> normal;
/// - anything else -> abnormal: a `stream` child that exits 0 with work left,
///   a nonzero code, SIGKILL (an OOM kill) or another signal, and the unknown
///   status of an adopted worker.
ExitKind classify_exit(const ExitFacts& facts);

enum class RestartDecision {
  restart,  ///< back off, then start again
  done,     ///< ended normally for good
  stopped,  ///< ended on purpose
  failed,   ///< gave up
};
std::string_view to_string(RestartDecision value);

/// What an unrequested exit leads to, by restart type (before the
/// `max_restarts` and intensity limits apply):
/// - stopped_externally -> stopped, whatever the type;
/// - permanent -> restart after normal or abnormal exits;
/// - transient -> done after a normal exit, restart after an abnormal one;
/// - temporary -> done after a normal exit, failed after an abnormal one
///   (never restarted: a crash of something we may not restart is a failure).
/// `requested` exits are ended by whoever asked; this returns stopped.
RestartDecision decide_restart(RestartType type, ExitKind kind);

}  // namespace supervise::core
