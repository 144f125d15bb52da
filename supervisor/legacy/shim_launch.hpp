#pragma once

// Starting a shim the way the legacy monitor restarts a worker: detached, in
// a session of its own, and knowing when it really started.

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace supervise::legacy {

struct ShimLaunch {
  std::filesystem::path shim;
  /// The six arguments: stream id, PID file, log dir, work dir, initiative
  /// id, prompt.
  std::vector<std::string> arguments;
  /// The shim's initial working directory (it `cd`s to the work dir itself).
  std::filesystem::path working_dir;
  /// Set in the shim's environment on top of ours (e.g. SUPERVISE_AGENT).
  std::map<std::string, std::string> environment;
};

struct LaunchResult {
  bool ok = false;
  int pid = 0;  ///< the shim's PID (= its session id) when ok
  std::string error;
};

/// Runs `bash <shim> <arguments...>` (bash, so a shim without its executable
/// bit runs too) detached: its own session (setsid: session id = its PID, so
/// that whatever it leaves behind can be found), re-parented to init at once
/// (double fork: we never leave a zombie, in daemon mode neither), stdin,
/// stdout and stderr on /dev/null, no other descriptor of ours (all above 2
/// close at exec), no blocked signals. `ok` means bash was
/// executed; whether the shim got going is for wait_for_shim_start.
LaunchResult launch_detached_shim(const ShimLaunch& launch);

enum class ShimStart {
  pid_file_written,  ///< its PID file holds its PID
  ran_and_ended,     ///< it ended before we saw the file, after its start banner
  failed,            ///< it ended without writing a start banner
  timed_out,         ///< still running at the deadline, no PID file yet
};

std::string_view to_string(ShimStart value);

/// Waits (polling, at most `deadline`) for the shim `shim_pid` to show that it
/// started: its PID in `pid_file`, or, when it already ended, its start banner
/// (`PID: <shim_pid>`) in `log_file` beyond `log_offset` (the log's size
/// before the launch). A shim whose agent ends at once is still "started".
ShimStart wait_for_shim_start(int shim_pid, const std::filesystem::path& pid_file,
                              const std::filesystem::path& log_file, std::uintmax_t log_offset,
                              std::chrono::milliseconds deadline);

/// The PID in the last start banner of a worker log (`Worker started:`
/// followed by `PID: <n>`), for finding what an earlier shim left behind when
/// its PID file is gone.
std::optional<int> last_banner_pid(const std::filesystem::path& log_file);

}  // namespace supervise::legacy
