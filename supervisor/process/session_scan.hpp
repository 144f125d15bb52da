#pragma once

// Finding what is left of a worker after its shim is gone. The shim runs in a
// session of its own (session id = process group id = the shim's PID), and
// everything it starts inherits both, so a `kill -9` of the shim leaves the
// agent behind still carrying the shim's PID as its session id.

#include <filesystem>
#include <string_view>
#include <vector>

#include "supervisor/process/proc_reader.hpp"

namespace supervise::process {

/// Which id of a process a scan compares.
enum class ScanKey {
  session,           ///< the session id
  process_group,     ///< the process group id
  session_or_group,  ///< either one
};

std::string_view to_string(ScanKey value);

/// Live (not zombie, not dead) processes whose `key` equals `id`, ordered by
/// PID. Processes that vanish during the scan or cannot be read are skipped.
/// An `id` below 2 matches nothing: session/group 0 and 1 are the kernel's and
/// init's, never a worker's. `proc_root` exists for tests.
std::vector<ProcStat> live_processes_with(ScanKey key, int id,
                                          const std::filesystem::path& proc_root = "/proc");

/// The same, zombies and dead processes included (what still holds the
/// session or group number).
std::vector<ProcStat> processes_with(ScanKey key, int id,
                                     const std::filesystem::path& proc_root = "/proc");

}  // namespace supervise::process
