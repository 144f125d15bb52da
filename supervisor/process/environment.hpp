#pragma once

// The environment and PATH lookup of a process we start (a worker, or a
// shim restarted detached).

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace supervise::process {

/// Our own environment with `overrides` set (replacing same-named entries),
/// without the service manager's NOTIFY_SOCKET, WATCHDOG_USEC, WATCHDOG_PID.
std::vector<std::string> inherited_environment(const std::map<std::string, std::string>& overrides);

/// The value of `key` in an environment list; empty when absent.
std::string environment_value(const std::vector<std::string>& env, const std::string& key);

/// The executable `name` resolves to: itself when it holds a '/' (relative to
/// `work_dir` when relative), else the first executable file of that name in
/// `path` (colon-separated; an empty entry means `work_dir`). Empty when none.
std::filesystem::path find_executable(const std::string& name, const std::string& path,
                                      const std::filesystem::path& work_dir);

}  // namespace supervise::process
