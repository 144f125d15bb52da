#pragma once

// One supervisor per project: `supervise.pid` in the orchestrator dir, held
// with flock(2) for as long as the supervisor runs and holding its PID. The
// lock, not the file, decides: a file left by a crashed supervisor is free.

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

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

  /// Takes the lock without waiting and writes our PID into the file.
  static AcquireResult acquire(const std::filesystem::path& path);

  /// Removes the file, then releases the lock.
  ~SupervisorLock();
  SupervisorLock(const SupervisorLock&) = delete;
  SupervisorLock& operator=(const SupervisorLock&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  SupervisorLock(std::filesystem::path path, int fd) : path_(std::move(path)), fd_(fd) {}

  std::filesystem::path path_;
  int fd_;
};

}  // namespace supervise::runtime
