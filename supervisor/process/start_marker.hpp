#pragma once

// A per-start marker: every worker start gets a unique id in its
// environment (SUPERVISE_START_ID=<id>), which everything it starts inherits,
// whatever session or process group it moves to. Where no cgroup can be
// made, the marker is how a worker's escaped descendants are found; it also
// proves, with the start time, that a PID from an earlier run of `supervise
// up` is still the worker it started.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace supervise::process {

inline constexpr std::string_view kStartIdVariable = "SUPERVISE_START_ID";

/// A new id, unique across processes and boots (random bits and a counter).
std::string new_start_id();

/// "SUPERVISE_START_ID=<id>", the environment entry.
std::string start_marker_entry(std::string_view start_id);

/// True when the NUL-separated environment `environ` (as in
/// /proc/<pid>/environ) holds `entry` exactly.
bool environ_holds(std::string_view environ, std::string_view entry);

/// Whether process `pid` was started with the marker of `start_id`; nullopt
/// when its environment cannot be read (gone, a zombie, another user's).
std::optional<bool> has_start_marker(int pid, std::string_view start_id,
                                     const std::filesystem::path& proc_root = "/proc");

}  // namespace supervise::process
