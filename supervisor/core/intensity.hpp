#pragma once

// Restart intensity of one supervisor node, after OTP's add_restart/inPeriod:
// small pure functions that take `now` instead of reading a clock.

#include <chrono>
#include <cstddef>
#include <deque>

#include "supervisor/core/child_spec.hpp"

namespace supervise::core {

/// One restart decision of a node: when, and which child (an index the
/// caller chooses) it restarted.
struct RestartRecord {
  std::chrono::steady_clock::time_point at;
  std::size_t child = 0;
};

/// Restarts of one node, oldest first.
using RestartHistory = std::deque<RestartRecord>;

/// True when a restart at `then` still counts at `now`: now - then <= period.
bool in_period(std::chrono::steady_clock::time_point then,
               std::chrono::steady_clock::time_point now, Duration period);

/// Drops the restarts that no longer count at `now`.
void drop_expired(RestartHistory& history, std::chrono::steady_clock::time_point now,
                  Duration period);

/// Records `restart` (at its time, which is `now`) and drops expired ones.
/// Returns false when the node now has more than `intensity` restarts within
/// `period`: it must give up. Requires records in time order.
bool add_restart(RestartHistory& history, const RestartRecord& restart, int intensity,
                 Duration period);

}  // namespace supervise::core
