#pragma once

// The heart of the log relay (`supervise-log-relay`, one process per worker
// in the way of s6-log): bytes from the worker's pipe go to its log, rotated
// by size at line boundaries (rotation_plan.hpp).
//
// It never stops reading because of the disk: a write that fails (a full
// disk, a quota, a file that cannot be opened) drops what it could not
// write, the rest of that line with it, and goes on reading, so the worker is
// never held up by a pipe that nobody empties. Once a write succeeds again,
// a line says how much was dropped and why. Reading is the caller's
// (log_relay_main.cpp); this is the part tests drive without processes.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "supervisor/core/child_spec.hpp"
#include "supervisor/logs/rotation_plan.hpp"

namespace supervise::logs {

/// Where the relay writes: the current file and its rotation.
class LogOutput {
 public:
  virtual ~LogOutput() = default;
  struct Written {
    std::size_t bytes = 0;
    int error = 0;  ///< errno when fewer than asked were written
  };
  /// Appends `data` to the current file (opening it first if needed).
  virtual Written append(std::string_view data) = 0;
  /// Shifts the rotated files and starts a new, empty current file. Returns
  /// an errno, or 0.
  virtual int rotate() = 0;
};

class LogRelay {
 public:
  /// An unfinished line is held back up to this many bytes.
  static constexpr std::size_t kHoldLimit = 64 * 1024;

  /// `existing_size`: what the current file holds already (its last line is
  /// taken as complete).
  LogRelay(LogOutput& output, core::LogRotation rotation, std::uint64_t existing_size,
           std::size_t hold_limit = kHoldLimit);

  /// Takes what the pipe gave.
  void feed(std::string_view data);
  /// The pipe reached its end: writes what is still held.
  void finish();

  std::uint64_t dropped_bytes() const { return dropped_total_; }
  /// Bytes waiting for the rest of their line.
  std::size_t held() const { return pending_.size(); }

 private:
  void drain(bool end_of_input);
  /// Writes data[offset, offset + length); on failure drops it and the rest
  /// of its line.
  void write(std::string_view data);
  /// Says what was dropped, once a write can succeed again.
  bool report_dropped();
  void drop(std::uint64_t bytes, int error);

  LogOutput& output_;
  core::LogRotation rotation_;
  std::size_t hold_limit_;
  FileState file_;
  std::string pending_;
  /// The file is cut inside a line whose rest is dropped, up to its newline.
  bool skipping_line_ = false;
  std::uint64_t dropped_ = 0;  ///< not reported yet
  std::uint64_t dropped_total_ = 0;
  int drop_error_ = 0;
};

/// The line that reports dropped output (without its newline).
std::string dropped_notice(std::uint64_t bytes, int error);

}  // namespace supervise::logs
