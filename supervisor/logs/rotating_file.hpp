#pragma once

// The log relay's files: the current one appended to with plain write(2)
// (no user-space buffer, so whatever the relay took from the pipe is in the
// file once the call returns, and nothing is lost if the relay is killed),
// and the rename chain of rotated_names.hpp.

#include <cstdint>
#include <filesystem>

#include "supervisor/logs/log_relay.hpp"

namespace supervise::logs {

class RotatingFile final : public LogOutput {
 public:
  /// Opens (creates) `path` for appending; a failure is retried at each
  /// append.
  RotatingFile(std::filesystem::path path, int keep);
  ~RotatingFile() override;
  RotatingFile(const RotatingFile&) = delete;
  RotatingFile& operator=(const RotatingFile&) = delete;

  Written append(std::string_view data) override;
  int rotate() override;

  /// The current file's size when it was opened (0 when it could not be).
  std::uint64_t opened_size() const { return opened_size_; }

 private:
  int open();

  std::filesystem::path path_;
  int keep_;
  int fd_ = -1;
  std::uint64_t opened_size_ = 0;
};

}  // namespace supervise::logs
