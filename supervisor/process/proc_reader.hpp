#pragma once

// The one reader of /proc/<pid>: state, parent, group, session, start time,
// owner and command line of a process, and the children of this one. Every
// part that asks the kernel who a PID is asks here.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace supervise::process {

using WallClock = std::chrono::system_clock;

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
  /// Virtual memory size in bytes (field 23) and resident set size in pages
  /// (field 24); nullopt when the content stops before them.
  std::optional<std::uint64_t> vsize_bytes;
  std::optional<std::int64_t> rss_pages;

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

/// <proc_root>/<pid>/stat; nullopt when there is no such process (or it
/// vanished while being read, or the content does not parse).
std::optional<ProcStat> read_proc_stat(int pid, const std::filesystem::path& proc_root = "/proc");

/// The whole content of a /proc file; nullopt when it cannot be opened or
/// read (a process that ended in between reads as ESRCH).
std::optional<std::string> read_proc_file(const std::filesystem::path& path);

/// The content of /proc/<pid>/cgroup (parse it with cgroup_v2.hpp's
/// parse_cgroup_v2_path); nullopt when it cannot be read.
std::optional<std::string> read_proc_cgroup(int pid);

/// The direct children of this process (every thread's
/// /proc/self/task/<tid>/children), zombies included.
std::vector<int> own_child_pids();

/// The largest PID this system hands out: /proc/sys/kernel/pid_max, or the
/// kernel's upper limit 4194304 when that cannot be read.
int system_pid_max();

}  // namespace supervise::process
