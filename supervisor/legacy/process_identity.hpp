#pragma once

// Who a PID belongs to, from /proc: state, session, start time, owner and
// command line. A PID from a PID file is trusted only after verify_worker: the
// legacy tools signalled whatever process happened to hold a recycled PID.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "supervisor/legacy/pid_file.hpp"

namespace supervise::legacy {

/// The fields of /proc/<pid>/stat we use.
struct ProcStat {
  int pid = 0;
  std::string comm;  ///< between the first '(' and the last ')'; may hold both
  char state = '?';  ///< R, S, D, T, t, Z (zombie), X (dead), I, ...
  int ppid = 0;
  int pgrp = 0;
  int session = 0;
  /// Start time in clock ticks since boot (field 22), truncated to a tick.
  std::uint64_t start_ticks = 0;

  bool is_zombie() const { return state == 'Z'; }
  /// Stopped by a signal (SIGSTOP, SIGTSTP, ...): it runs nothing until
  /// SIGCONT. Not 't' (stopped by a debugger).
  bool is_stopped() const { return state == 'T'; }
  /// Zombie or dead: ended, only waiting to be reaped.
  bool has_ended() const { return state == 'Z' || state == 'X' || state == 'x'; }
};

/// Parse the content of /proc/<pid>/stat. The command name may contain
/// spaces and parentheses, so the fields after it are found from the LAST
/// ')'. Returns nullopt on malformed content.
std::optional<ProcStat> parse_proc_stat(std::string_view content);

/// Split /proc/<pid>/cmdline content (NUL-terminated arguments).
std::vector<std::string> parse_cmdline(std::string_view content);

struct ProcessInfo {
  ProcStat stat;
  uid_t uid = 0;  ///< real uid
  /// argv; empty for zombies and kernel threads.
  std::vector<std::string> argv;
  /// Wall-clock start time: the tick-truncated start, so the true start lies
  /// within one tick after it.
  WallClock::time_point start_time;
};

/// Clock ticks per second of /proc times (sysconf(_SC_CLK_TCK), usually 100).
long clock_ticks_per_second();

/// The wall-clock time of boot, as realtime-now minus boottime-now. Not
/// /proc/stat's `btime`, which is whole seconds: its error of up to a second
/// would hide a PID recycled within the second after a PID file was written.
WallClock::time_point boot_time();

/// Wall-clock time of a /proc start time in ticks since boot.
WallClock::time_point ticks_to_wall_clock(std::uint64_t ticks);

/// Read /proc/<pid>: nullopt when there is no such process (or it vanished
/// while being read).
std::optional<ProcessInfo> read_process(int pid);

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
WorkerVerdict judge_worker(const ProcessInfo& process, uid_t our_uid, std::string_view stream_id,
                           WallClock::time_point pid_file_mtime,
                           const std::filesystem::path& pid_file = {});

/// Is `pid` (from the PID file `pid_file` of `stream_id`, modified at
/// `pid_file_mtime`) our live shim for that stream? Never signals anything
/// but signal 0. Pass `pid_file` to get judge_worker's wall-clock-step rule.
WorkerVerdict verify_worker(int pid, std::string_view stream_id,
                            WallClock::time_point pid_file_mtime,
                            const std::filesystem::path& pid_file = {});

/// Is `pid` still the process we spawned, which started at `expected_start_ticks`
/// (read from /proc right after the spawn)? `recycled` when the start differs.
WorkerVerdict verify_process(int pid, std::uint64_t expected_start_ticks);

}  // namespace supervise::legacy
