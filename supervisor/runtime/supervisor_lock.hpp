#pragma once

// One supervisor per project. The lock is flock(2) on the orchestrator
// directory itself, held for as long as the supervisor runs: the directory
// stays when someone deletes files in it, so deleting `supervise.pid` cannot
// let a second supervisor start beside the first. `supervise.pid` beside it
// only tells people (and `status`) which PID holds the lock; the lock, not
// the file, decides, so a file left by a crashed supervisor is no obstacle.

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

  /// Locks the directory of `pid_file` without waiting, then writes our PID
  /// into `pid_file` (atomically).
  static AcquireResult acquire(const std::filesystem::path& pid_file);

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
