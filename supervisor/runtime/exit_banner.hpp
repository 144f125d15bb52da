#pragma once

// How an adopted shim ended. pidfd tells that a process we did not start has
// ended, never how; the shim writes its exit status into the stream log (the
// `Exit code: N` line of its exit banner, from its EXIT trap) before it
// exits, so that line is read instead (legacy::find_shim_run).

#include <filesystem>

#include "supervisor/core/exit_status.hpp"

namespace supervise::runtime {

/// The exit status in the exit banner that follows the LAST start banner
/// carrying `PID: <shim_pid>` in `log_file`, before any later start banner;
/// when the log was rotated after that start banner (it is the last one of
/// `<log_file>.1` and the current file has none), the exit banner at the
/// current file's end. Unknown when the log cannot be read or holds no such
/// exit code.
core::ExitStatus exit_status_from_log(const std::filesystem::path& log_file, int shim_pid);

}  // namespace supervise::runtime
