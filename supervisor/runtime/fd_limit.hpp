#pragma once

// The open-file limit of `supervise up`. Every worker costs the supervisor
// descriptors for as long as it runs (its pidfd; while it starts, its log
// and /dev/null), so a big tree under the usual soft limit of 1024 (or a
// `ulimit -n 256`) would fail spawns. As systemd does for its services, `up`
// raises the soft limit to the hard one at start; the hard limit is the
// administrator's to raise.

#include <cstddef>
#include <cstdint>
#include <string>

namespace supervise::runtime {

struct FdLimit {
  std::uint64_t soft = 0;  ///< after raising (when it worked)
  std::uint64_t hard = 0;
  std::uint64_t before = 0;  ///< the soft limit we were started with
  std::string error;         ///< set when the limit could not be read or raised
};

/// Raises the soft RLIMIT_NOFILE to the hard limit.
FdLimit raise_fd_limit();

/// Descriptors a tree of `workers` workers may hold at once, with a margin:
/// the fixed ones (logs, journal, Task Copilot, event loop, control
/// connections at their cap, the spare) plus a few per worker.
std::uint64_t descriptors_needed(std::size_t workers, std::size_t max_control_connections);

}  // namespace supervise::runtime
