#pragma once

// The one /proc read the runtime needs beyond supervisor/legacy's
// (session_scan.hpp: one process's stat, the members of a session or group):
// the direct children of this process.

#include <optional>
#include <vector>

#include "supervisor/legacy/session_scan.hpp"

namespace supervise::runtime {

using legacy::read_proc_stat;

/// The direct children of this process (every thread's
/// /proc/self/task/<tid>/children), zombies included.
std::vector<int> own_child_pids();

}  // namespace supervise::runtime
