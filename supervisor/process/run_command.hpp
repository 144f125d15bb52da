#pragma once

// Running a short helper command to completion (git), with its output
// captured: for the legacy monitor, which restarts one worker at a time and
// has no event loop to keep answering. The runtime runs its commands with
// runtime::AsyncCommand instead.

#include <filesystem>
#include <string>
#include <vector>

namespace supervise::process {

struct CommandResult {
  bool started = false;  ///< false: could not run it at all (see `output`)
  int exit_code = -1;    ///< -1 when killed by a signal
  std::string output;    ///< stdout and stderr together
};

/// Runs `argv` (argv[0] looked up in PATH) in `work_dir` in our own session,
/// with stdin from /dev/null, and waits for it.
CommandResult run_command(const std::vector<std::string>& argv,
                          const std::filesystem::path& work_dir);

}  // namespace supervise::process
