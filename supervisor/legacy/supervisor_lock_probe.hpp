#pragma once

// Whether a `supervise up` runs for a project, seen from code that cannot
// link the runtime: `supervise.pid` is held with flock(2) by the running
// supervisor for its whole life (runtime/supervisor_lock.hpp), and the lock,
// not the file, decides.

#include <filesystem>
#include <optional>
#include <string>

namespace supervise::legacy {

struct SupervisorLockProbe {
  /// A live supervisor holds the lock.
  bool held = false;
  /// When held: the PID the file names, if it names one yet (the holder
  /// writes it just after locking).
  std::optional<int> pid;
  /// Set when it could not be told (the file cannot be opened or locked for
  /// another reason than being held); `held` is false then.
  std::string error;
};

/// Probes the supervisor lock at `path` without waiting and without ever
/// creating, writing or deleting the file: a missing file is "not held". The
/// probe takes a shared lock for an instant when nobody holds it; a
/// supervisor trying to start in that same instant is told the lock is
/// taken (it reports so and can be run again), which is preferred over
/// guessing from /proc/locks, whose device numbers do not match stat(2) on
/// overlay file systems.
SupervisorLockProbe probe_supervisor_lock(const std::filesystem::path& path);

}  // namespace supervise::legacy
