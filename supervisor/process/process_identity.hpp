#pragma once

// Is a PID still the process we think it is? A PID is recycled once its
// process is reaped, so a PID alone never identifies a process: its start
// time (from /proc, in clock ticks since boot) does. Nothing is signalled
// before it passes these checks.

#include <cstdint>
#include <optional>
#include <string_view>

namespace supervise::process {

/// Why a PID is or is not the worker we expect.
enum class WorkerVerdict {
  verified,         ///< alive, ours, the right program, started in time
  no_such_process,  ///< nothing runs under that PID
  zombie,           ///< ended, waiting to be reaped: not running
  other_user,       ///< belongs to another user (or kill(pid, 0) gives EPERM)
  not_the_shim,     ///< its command line is not the shim for this stream
  recycled,         ///< started after the PID file was written (or at another
                    ///< time than the one we recorded): someone else's PID
  invalid_pid,      ///< below 2 or above pid_max: never signalled
};

std::string_view to_string(WorkerVerdict value);

/// The checks every verification starts with, by signal 0 only: an invalid
/// PID, no such process, another user's. nullopt means "go on".
std::optional<WorkerVerdict> probe_pid(int pid);

/// Is `pid` still the process we spawned, which started at `expected_start_ticks`
/// (read from /proc right after the spawn)? `recycled` when the start differs.
WorkerVerdict verify_process(int pid, std::uint64_t expected_start_ticks);

}  // namespace supervise::process
