#pragma once

// Starting a worker's log relay (supervise-log-relay, supervisor/logs/): a
// process of its own between the worker's output pipe and its log.
//
// Where it runs, and why:
//   - in a session and process group of its own, outside the worker's
//     cgroup, without the worker's start marker, in `/`: stopping or
//     sweeping the worker never reaches it, so the worker's last lines (the
//     shim's exit banner) still in the pipe get written after the worker is
//     gone;
//   - as our child, but not tied to us: a `kill -9` of supervise leaves it
//     running for the worker the next `up` adopts;
//   - it ends at the end of its input, when every process holding the
//     pipe's write end (the worker and all it started) has ended; nothing
//     else holds that end (close-on-exec here, and closed in the worker
//     before exec beyond stdout and stderr), so it never outlives the worker.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>

#include "supervisor/process/file_descriptor.hpp"
#include "supervisor/runtime/launch_spec.hpp"

namespace supervise::runtime {

struct StartedLogRelay {
  int pid = 0;  ///< 0 when `error` is set
  /// The relay's start time (/proc/<pid>/stat field 22), for the record.
  std::uint64_t start_ticks = 0;
  process::FileDescriptor pidfd;
  /// The pipe's write end, the worker's stdout and stderr (close-on-exec).
  process::FileDescriptor writer;
  std::string error;
};

/// How long a relay is waited for once nothing of its worker is left and
/// nobody else should hold its pipe (a worker's exit, a relay let go):
/// longer means something outside the worker holds the pipe, and the wait
/// ends with a warning (the relay ends with that holder).
inline constexpr std::chrono::milliseconds kLogRelayWait{3000};

/// Starts `relay.program` writing `log`.
StartedLogRelay start_log_relay(const LogRelaySpec& relay, const std::filesystem::path& log);

}  // namespace supervise::runtime
