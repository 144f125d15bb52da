#pragma once

namespace supervise::process {

/// For a child between fork and exec (async-signal-safe): the signals that
/// supervise ignores or blocks for itself (SIGPIPE, SIGCHLD handling, the
/// shutdown signals its loop waits for) go back to their defaults and the
/// mask is emptied, so a worker, its agent and git see a normal process.
void restore_default_signals();

}  // namespace supervise::process
