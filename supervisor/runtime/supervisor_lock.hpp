#pragma once

// One supervisor per project. The lock is flock(2) on the orchestrator
// directory itself, held for as long as the supervisor runs: the directory
// stays when someone deletes files in it, so deleting `supervise.pid` cannot
// let a second supervisor start beside the first. `supervise.pid` beside it
// only tells people (and `status`) which PID holds the lock; the lock, not
// the file, decides, so a file left by a crashed supervisor is no obstacle.

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "supervisor/process/file_descriptor.hpp"

namespace supervise::runtime {

class SupervisorLock {
 public:
  struct AcquireResult {
    std::unique_ptr<SupervisorLock> lock;  ///< set when acquired
    /// When another supervisor holds it: its PID, if the file names one.
    std::optional<int> holder;
    bool held_by_other = false;
    std::string error;  ///< set when neither acquired nor held by another
  };

  /// A supervisor killed by SIGKILL can leave a child of its between fork
  /// and exec, which shares the locked descriptor until its exec closes it
  /// (close-on-exec): a moment, but one in which a new `up` would be
  /// refused. While the PID file names a process that has ended, the lock is
  /// tried again for this long.
  static constexpr std::chrono::milliseconds kEndedHolderGrace{3'000};

  /// Locks the directory of `pid_file`, then writes our PID into
  /// `pid_file` (atomically). Waits only while the PID file names an ended
  /// process, for at most `ended_holder_grace`; a live holder (or none
  /// named) refuses at once.
  static AcquireResult acquire(const std::filesystem::path& pid_file,
                               std::chrono::milliseconds ended_holder_grace = kEndedHolderGrace);

  /// Removes the PID file if it still names us, then releases the lock.
  ~SupervisorLock();
  SupervisorLock(const SupervisorLock&) = delete;
  SupervisorLock& operator=(const SupervisorLock&) = delete;

  const std::filesystem::path& path() const { return pid_file_; }

 private:
  SupervisorLock(std::filesystem::path pid_file, process::FileDescriptor directory)
      : pid_file_(std::move(pid_file)), directory_(std::move(directory)) {}

  std::filesystem::path pid_file_;
  process::FileDescriptor directory_;  ///< flock(LOCK_EX) held on it
};

}  // namespace supervise::runtime
