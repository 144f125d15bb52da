#pragma once

// What a dead shim left running. `kill -9` of a shim (the PID in its PID
// file) leaves its agent working, still in the shim's session; restarting
// the stream then would put two agents on it. Before a restart they are
// stopped: SIGTERM, then SIGKILL after a grace period.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "supervisor/legacy/pid_file.hpp"

namespace supervise::legacy {

struct SurvivorReport {
  /// Live processes found in the old shim's session that are the stream's
  /// (see SurvivorScope), by PID.
  std::vector<int> found;
  /// Of those, still alive at the end (not ours to signal, or unkillable).
  std::vector<int> remaining;
  /// Live processes in that session left alone because nothing shows they
  /// belong to the old shim (started outside its lifetime, or carrying no
  /// mark of the stream); they never block a restart.
  std::vector<int> ignored;
  /// Set when the session was not looked at, and why.
  std::string skipped;

  bool all_stopped() const { return skipped.empty() && remaining.empty(); }
};

/// What is known of the old shim, to tell its leftovers from an unrelated
/// process that merely sits in a session with the same number (a later
/// session leader that reused the PID, e.g. a `nohup` job).
struct SurvivorScope {
  /// When the old shim started, at the latest: its start banner's time or its
  /// PID file's mtime (it writes both after it starts, and starts its agent
  /// after both). Unknown: no lower bound.
  std::optional<WallClock::time_point> shim_started;
  /// When it ended, if known (its exit banner). Unknown: no upper bound.
  std::optional<WallClock::time_point> shim_ended;
  /// The stream's work dir; empty: not known.
  std::filesystem::path work_dir;
};

/// Slack on the lifetime bounds: banner times are whole seconds (truncated),
/// /proc start times are truncated to a clock tick, and both sides are wall
/// clock readings taken at different moments.
inline constexpr std::chrono::seconds kSurvivorTimeSlack{2};

/// Whether a process of the old shim's session (dead leader) is the stream's
/// leftover: it started within the shim's lifetime (± kSurvivorTimeSlack),
/// AND it is marked as the stream's: `SUPERVISE_STREAM_ID=<stream_id>` in its
/// environment (set by supervise for every shim it starts; inherited by
/// everything below, and fixed at exec, so the mark survives a `cd`), or,
/// for shims started by the old orchestrator without that mark, a working
/// directory at or under `scope.work_dir` (the shim `cd`s there before
/// starting the agent).
bool is_survivor_of(WallClock::time_point process_start,
                    const std::vector<std::string>& environment, const std::filesystem::path& cwd,
                    std::string_view stream_id, const SurvivorScope& scope);

/// A live process found to be a leftover, as it was when found: a signal
/// goes to it only while it still has this start time.
struct SurvivorTarget {
  int pid = 0;
  std::uint64_t start_ticks = 0;
};

/// What find_survivors() found: the report so far, and the leftovers that
/// are ours to signal (in `report.found`, not in `report.remaining`).
struct SurvivorSearch {
  SurvivorReport report;
  std::vector<SurvivorTarget> targets;
};

/// The look-up half of stop_survivors(): reads /proc (the whole process
/// table), signals nothing. Callers on an event loop run it beside the loop.
SurvivorSearch find_survivors(int old_shim_pid, std::string_view stream_id,
                              const SurvivorScope& scope = {});

/// Stops what the dead shim `old_shim_pid` of `stream_id` left behind: the
/// live processes whose session id is `old_shim_pid` and that is_survivor_of
/// accepts get SIGTERM, up to `grace` to end, then SIGKILL (and a short
/// wait). Each signal goes only to a process that still has the start time it
/// was found with, so a PID recycled meanwhile is never hit, and only to our
/// own user's processes. When `old_shim_pid` itself is alive, its session is
/// stopped (leader included, no scope check: the leader vouches for it) only
/// if it is still the shim for `stream_id` (an old shim that lost its PID
/// file, e.g. one waiting for an agent that ignored `orchestrate.py stop`);
/// any other live process there is left alone (`skipped`).
SurvivorReport stop_survivors(int old_shim_pid, std::string_view stream_id,
                              std::chrono::milliseconds grace, const SurvivorScope& scope = {});

/// /proc/<pid>/environ split at NULs; empty when unreadable.
std::vector<std::string> read_environment(int pid);

}  // namespace supervise::legacy
