#pragma once

// An spdlog sink that appends to a file opened close-on-exec. spdlog's own
// file sinks use fopen without it (unless spdlog itself was built with
// SPDLOG_PREVENT_CHILD_FD, which Debian's is not), so every process started
// afterwards would inherit monitor.log.

#include <spdlog/sinks/base_sink.h>

#include <cstdio>
#include <filesystem>
#include <mutex>

namespace supervise::legacy {

class AppendFileSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  /// Opens `path` for appending, creating it and its directory. Throws
  /// spdlog::spdlog_ex naming the file and the reason when it cannot.
  explicit AppendFileSink(const std::filesystem::path& path);
  ~AppendFileSink() override;
  AppendFileSink(const AppendFileSink&) = delete;
  AppendFileSink& operator=(const AppendFileSink&) = delete;

 protected:
  void sink_it_(const spdlog::details::log_msg& message) override;
  void flush_() override;

 private:
  std::FILE* file_ = nullptr;
};

}  // namespace supervise::legacy
