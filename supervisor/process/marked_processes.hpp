#pragma once

// The fallback containment, where no cgroup can be made: a worker's
// processes are the ones whose environment carries its start marker
// (start_marker.hpp), found by reading every /proc/<pid>/environ we may read.
// That scan grows with the machine's process count: never on the event loop.

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string_view>
#include <vector>

namespace supervise::process {

/// Live processes (zombies excluded, this process excluded) started with the
/// marker of `start_id`, PIDs ascending. nullopt when the scan could not
/// look everywhere (out of descriptors): unknown, not none.
std::optional<std::vector<int>> find_marked_processes(
    std::string_view start_id, const std::filesystem::path& proc_root = "/proc");

/// SIGKILLs every live process with the marker of `start_id`. Each is taken
/// through a pidfd opened before its marker is checked, so a PID recycled
/// between the scan and the signal is never hit. Returns how many were
/// found alive; nullopt when the scan was incomplete.
std::optional<std::size_t> kill_marked_processes(std::string_view start_id);

/// kill_marked_processes again until a scan finds no marked process that an
/// earlier pass did not signal, at most `max_passes` scans: a process that
/// forked between a scan and its SIGKILL left a child the scan did not see.
/// For the very end, when nothing will look again.
void kill_marked_processes_and_their_offspring(std::string_view start_id, int max_passes = 20);

}  // namespace supervise::process
