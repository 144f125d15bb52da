#pragma once

// What the process layer needs to start one worker, already resolved: the
// runtime turns a ChildSpec into this (supervisor/runtime/worker_command.hpp).

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "supervisor/core/child_spec.hpp"
#include "supervisor/process/environment.hpp"

namespace supervise::runtime {

/// The program that relays a worker's output to its log with rotation.
struct LogRelaySpec {
  std::filesystem::path program;  ///< supervise-log-relay
  core::LogRotation rotation;

  bool operator==(const LogRelaySpec&) const = default;
};

struct LaunchSpec {
  /// argv[0] is looked up in the PATH of `env` when it has no '/'; a
  /// relative path with a '/' is taken relative to `work_dir`.
  std::vector<std::string> argv;
  /// The complete environment of the child, "KEY=VALUE".
  std::vector<std::string> env;
  std::filesystem::path work_dir;
  /// stdout and stderr are appended to this file; empty means /dev/null.
  std::filesystem::path output;
  /// When set, stdout and stderr are a pipe to this relay, which writes
  /// `output` and rotates it (log_relay_process.hpp).
  std::optional<LogRelaySpec> relay;
};

// Shared with the legacy monitor's detached shim launch.
using process::environment_value;
using process::find_executable;
using process::inherited_environment;

}  // namespace supervise::runtime
