#pragma once

// The few /proc reads the runtime needs beyond supervisor/legacy's: the stat
// of one process by PID, and the direct children of this process.

#include <optional>
#include <vector>

#include "supervisor/legacy/process_identity.hpp"

namespace supervise::runtime {

/// /proc/<pid>/stat; nullopt when there is no such process (or it vanished
/// while being read).
std::optional<legacy::ProcStat> read_proc_stat(int pid);

/// Every process of group `pgid`, zombies included (a scan of /proc).
std::vector<legacy::ProcStat> group_members(int pgid);

/// The direct children of this process (every thread's
/// /proc/self/task/<tid>/children), zombies included.
std::vector<int> own_child_pids();

}  // namespace supervise::runtime
