#pragma once

// What the process layer needs to start one worker, already resolved: the
// runtime turns a ChildSpec into this (supervisor/runtime/worker_command.hpp).

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "supervisor/core/child_spec.hpp"
#include "supervisor/process/environment.hpp"

namespace supervise::runtime {

struct StartedLogRelay;

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
  /// When set, `output` is written and rotated by this relay
  /// (log_relay_process.hpp), which the runtime keeps across the worker's
  /// runs (log_relays.hpp).
  std::optional<LogRelaySpec> relay;
  /// The running relay `relay` names: stdout and stderr are its pipe. Not
  /// set: they are appended to `output` directly.
  std::shared_ptr<const StartedLogRelay> relay_process;
};

// Shared with the legacy monitor's detached shim launch.
using process::environment_value;
using process::find_executable;
using process::inherited_environment;

}  // namespace supervise::runtime
