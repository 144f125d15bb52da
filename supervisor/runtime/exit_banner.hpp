#pragma once

// How an adopted shim ended. pidfd tells that a process we did not start has
// ended, never how; the shim writes its exit status into the stream log (the
// `Exit code: N` line of its exit banner, from its EXIT trap) before it
// exits, so that line is read instead.

#include <filesystem>
#include <optional>
#include <string_view>

#include "supervisor/core/exit_status.hpp"

namespace supervise::runtime {

/// The exit code in the exit banner that follows the LAST start banner
/// carrying `PID: <shim_pid>` in the worker log `content`. nullopt when
/// there is no such start banner, no exit banner after it, or another start
/// banner comes first (the exit banner names no PID, so it would be a guess).
std::optional<int> exit_code_after_start_banner(std::string_view content, int shim_pid);

/// The same for the log file at `log_file`; unknown when it cannot be read
/// or holds no matching exit banner.
core::ExitStatus exit_status_from_log(const std::filesystem::path& log_file, int shim_pid);

}  // namespace supervise::runtime
