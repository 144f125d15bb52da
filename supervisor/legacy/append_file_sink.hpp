#pragma once

// An spdlog sink that appends to a file opened close-on-exec. spdlog's own
// file sinks use fopen without it (unless spdlog itself was built with
// SPDLOG_PREVENT_CHILD_FD, which Debian's is not), so every process started
// afterwards would inherit monitor.log.
//
// It rotates the file by size (the spec's `logs:`), inside the one process
// that writes it, between two lines: the line that would take the file past
// `max_size` starts the next file, so no line is lost or torn. Lines that
// other processes append (the old monitor-workers.py) are not counted; if
// one holds the file open across a rotation, its lines land in `<name>.1`.

#include <spdlog/sinks/base_sink.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <mutex>

#include "supervisor/core/child_spec.hpp"

namespace supervise::legacy {

class AppendFileSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  /// Opens `path` for appending, creating it and its directory. Throws
  /// spdlog::spdlog_ex naming the file and the reason when it cannot.
  explicit AppendFileSink(const std::filesystem::path& path, core::LogRotation rotation = {});
  ~AppendFileSink() override;
  AppendFileSink(const AppendFileSink&) = delete;
  AppendFileSink& operator=(const AppendFileSink&) = delete;

  /// From the next line on (the spec is read after the log is opened).
  void set_rotation(core::LogRotation rotation);

 protected:
  void sink_it_(const spdlog::details::log_msg& message) override;
  void flush_() override;

 private:
  /// Closes the file, shifts the rotated names and opens a new one; on
  /// failure goes on appending to whatever can be opened.
  void rotate();

  std::filesystem::path path_;
  core::LogRotation rotation_;
  std::FILE* file_ = nullptr;
  std::uint64_t size_ = 0;
};

}  // namespace supervise::legacy
