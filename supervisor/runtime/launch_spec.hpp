#pragma once

// What the process layer needs to start one worker, already resolved: the
// runtime turns a ChildSpec into this (supervisor/runtime/worker_command.hpp).

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace supervise::runtime {

struct LaunchSpec {
  /// argv[0] is looked up in the PATH of `env` when it has no '/'; a
  /// relative path with a '/' is taken relative to `work_dir`.
  std::vector<std::string> argv;
  /// The complete environment of the child, "KEY=VALUE".
  std::vector<std::string> env;
  std::filesystem::path work_dir;
  /// stdout and stderr are appended to this file; empty means /dev/null.
  std::filesystem::path output;
};

/// Our own environment with `overrides` set (replacing same-named entries).
std::vector<std::string> inherited_environment(const std::map<std::string, std::string>& overrides);

/// The value of `key` in an environment list; empty when absent.
std::string environment_value(const std::vector<std::string>& env, const std::string& key);

/// The executable `name` resolves to: itself when it holds a '/' (relative to
/// `work_dir` when relative), else the first executable file of that name in
/// `path` (colon-separated). Empty when none.
std::filesystem::path find_executable(const std::string& name, const std::string& path,
                                      const std::filesystem::path& work_dir);

}  // namespace supervise::runtime
