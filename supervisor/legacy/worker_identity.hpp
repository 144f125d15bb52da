#pragma once

// Whether a PID from a PID file is the live shim of a stream. A PID from a
// PID file is trusted only after verify_worker: the legacy tools signalled
// whatever process happened to hold a recycled PID.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "supervisor/legacy/pid_file.hpp"
#include "supervisor/process/proc_reader.hpp"
#include "supervisor/process/process_identity.hpp"

namespace supervise::legacy {

/// True when `argv` runs the shim for `stream_id`: the argument after the
/// first one whose basename is `worker-wrapper.sh` equals `stream_id` exactly
/// (so `Stream-AB` is not `Stream-A`).
bool is_shim_for(const std::vector<std::string>& argv, std::string_view stream_id);

/// How much later than its PID file's mtime a process may appear to have
/// started and still count as the writer. The start time is truncated to a
/// tick (which only makes it earlier) and the mtime comes from the kernel's
/// coarse clock, up to one jiffy (<= 10 ms) behind the real write; 50 ms
/// covers both with room for rounding. An mtime with zero nanoseconds comes
/// from a file system with whole-second (FAT: two-second) timestamps, which
/// truncates the mtime by up to that much: 2 s then.
std::chrono::nanoseconds start_tolerance(WallClock::time_point pid_file_mtime);

/// How much later than its PID file's mtime a process may appear to have
/// started when it proves by itself that it wrote that file (see
/// judge_worker). A process's wall-clock start is derived from its boot-time
/// start and the wall clock of *now*, so a wall-clock step forward after the
/// shim wrote its file (NTP, a VM resumed from a snapshot, a manual `date`)
/// makes the shim appear to have started after its own file by the size of
/// the step. Steps larger than a day are not covered.
inline constexpr std::chrono::hours kWallClockStepTolerance{24};

/// The pure rule behind verify_worker, for a process that exists.
///
/// Recycled-PID rule: a process that started later than the PID file was
/// written (beyond start_tolerance) did not write it. Decision for wall-clock
/// steps: when `pid_file` is given and the process is the shim for
/// `stream_id` whose PID-file argument names that same file, AND it leads its
/// own session (session id = PID, as every shim is started), a start up to
/// kWallClockStepTolerance after the mtime still counts as the writer: a
/// recycled PID would have to land on another shim of the same stream
/// writing the same file, which would have rewritten the file (and its
/// mtime) itself. Without `pid_file`, or for any other process, the strict
/// tolerance applies.
process::WorkerVerdict judge_worker(const process::ProcessInfo& process, uid_t our_uid,
                                    std::string_view stream_id,
                                    WallClock::time_point pid_file_mtime,
                                    const std::filesystem::path& pid_file = {});

/// Is `pid` (from the PID file `pid_file` of `stream_id`, modified at
/// `pid_file_mtime`) our live shim for that stream? Never signals anything
/// but signal 0. Pass `pid_file` to get judge_worker's wall-clock-step rule.
process::WorkerVerdict verify_worker(int pid, std::string_view stream_id,
                                     WallClock::time_point pid_file_mtime,
                                     const std::filesystem::path& pid_file = {});

}  // namespace supervise::legacy
