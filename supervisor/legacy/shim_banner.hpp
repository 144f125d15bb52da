#pragma once

// The banners a shim writes into its stream's log (LEGACY_CONTRACT.md §4):
// a start banner (`Worker started: <date -Iseconds>`, ..., `PID: <n>`) and,
// from its EXIT trap, an exit banner (`Worker exited: <time>`, ...,
// `Exit code: <n>`) that belongs to the start banner before it.

#include <cstdint>
#include <filesystem>
#include <limits>
#include <optional>
#include <string_view>

#include "supervisor/legacy/pid_file.hpp"

namespace supervise::legacy {

/// The size of a stream's log in bytes (the dead-worker rule's `log_bytes`);
/// none when there is no such file.
std::optional<std::uintmax_t> log_size(const std::filesystem::path& log);

/// One run of a shim as its log tells it.
struct ShimRun {
  int pid = 0;
  /// The start banner's time; nullopt when it cannot be parsed.
  std::optional<WallClock::time_point> started;
  /// Set when an exit banner follows (before the next start banner).
  bool exited = false;
  std::optional<WallClock::time_point> ended;
  std::optional<int> exit_code;
};

/// `date -Iseconds` output (`2026-01-13T10:30:00+01:00`, also `Z`) as a time
/// point; nullopt for anything else, and for years outside 1970..2200 (a
/// time point ends in 2262).
std::optional<WallClock::time_point> parse_banner_time(std::string_view text);

/// The last run among the lines of `log_text` whose start banner names
/// `pid` (any PID when nullopt); nullopt when there is none.
std::optional<ShimRun> find_shim_run_in_text(std::string_view log_text,
                                             std::optional<int> pid = std::nullopt);

/// The last run in `log_file` whose start banner names `pid`; any PID when
/// `pid` is nullopt. nullopt when there is none or the log cannot be read.
/// The log is read from its end, at most `max_read` bytes of it.
std::optional<ShimRun> find_shim_run(
    const std::filesystem::path& log_file, std::optional<int> pid = std::nullopt,
    std::uintmax_t max_read = std::numeric_limits<std::uintmax_t>::max());

}  // namespace supervise::legacy
