#pragma once

// Whether a `supervise up` runs for a project, seen from code that cannot
// link the runtime: the running supervisor holds flock(2) on the orchestrator
// directory for its whole life (runtime/supervisor_lock.hpp) and names its
// PID in `supervise.pid` there. The lock, not the file, decides.

#include <filesystem>
#include <optional>
#include <string>

namespace supervise::legacy {

struct SupervisorLockProbe {
  /// A live supervisor holds the lock.
  bool held = false;
  /// When held: the PID the file names, if it names one (the holder writes
  /// it just after locking; someone may have deleted it since).
  std::optional<int> pid;
  /// Set when it could not be told (the directory cannot be opened or locked
  /// for another reason than being held); `held` is false then.
  std::string error;
};

/// Probes the supervisor lock on the directory of `pid_file` without waiting
/// and without ever creating, writing or deleting anything: a missing
/// directory is "not held". The probe takes a shared lock for an instant when
/// nobody holds it; a supervisor trying to start in that same instant is told
/// the lock is taken (it reports so and can be run again), which is preferred
/// over guessing from /proc/locks, whose device numbers do not match stat(2)
/// on overlay file systems.
SupervisorLockProbe probe_supervisor_lock(const std::filesystem::path& pid_file);

}  // namespace supervise::legacy
