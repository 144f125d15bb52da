#pragma once

// What a dead shim left running. `kill -9` of a shim (the PID in its PID
// file) leaves its agent working, still in the shim's session; restarting
// the stream then would put two agents on it. Before a restart they are
// stopped: SIGTERM, then SIGKILL after a grace period.

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace supervise::legacy {

struct SurvivorReport {
  /// Live processes found in the old shim's session, by PID.
  std::vector<int> found;
  /// Of those, still alive at the end (not ours to signal, or unkillable).
  std::vector<int> remaining;
  /// Set when the session was not looked at, and why.
  std::string skipped;

  bool all_stopped() const { return skipped.empty() && remaining.empty(); }
};

/// Stops every live process whose session id is `old_shim_pid`: SIGTERM, up
/// to `grace` for them to end, then SIGKILL (and a short wait). Each signal
/// goes only to a process that still has the start time it was found with,
/// so a PID recycled meanwhile is never hit, and only to our own user's
/// processes. When `old_shim_pid` itself is alive, its session is stopped
/// (leader included) only if it is still the shim for `stream_id` (an old
/// shim that lost its PID file, e.g. one waiting for an agent that ignored
/// `orchestrate.py stop`); any other live process there is left alone
/// (`skipped`).
SurvivorReport stop_survivors(int old_shim_pid, std::string_view stream_id,
                              std::chrono::milliseconds grace);

}  // namespace supervise::legacy
