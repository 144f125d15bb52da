#pragma once

// The legacy monitor's dead-worker rule (LEGACY_CONTRACT.md §3), pure: a
// stream whose worker started once and is gone while its work is not done.

#include <cstdint>
#include <optional>

namespace supervise::legacy {

/// The shim's start banner alone is over 100 bytes: a larger log means "the
/// shim started at least once".
inline constexpr std::uintmax_t kStartedLogBytes = 100;

struct StreamObservation {
  bool running = false;  ///< a verified live worker holds its PID file
  bool complete = false;
  bool dependencies_complete = false;
  /// Size of the per-initiative log; none when there is no log file.
  std::optional<std::uintmax_t> log_bytes;
  int total_tasks = 0;
};

/// Not running, not complete, dependencies complete, a log over 100 bytes,
/// and at least one task.
bool is_dead_worker(const StreamObservation& stream);

}  // namespace supervise::legacy
