#pragma once

// A stand-in for systemd's notification socket: an AF_UNIX datagram socket
// that a test binds and passes as NOTIFY_SOCKET, recording every message
// (sd_notify(3)) with the time the kernel received it.

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace supervise::testing {

struct NotifyMessage {
  std::string text;  ///< e.g. "READY=1" or "STATUS=3 running, ..."
  /// When the datagram arrived (the kernel's stamp), not when it was read.
  std::chrono::system_clock::time_point received;
};

class NotifySocket {
 public:
  /// Binds a socket at `path` (which must not exist yet).
  explicit NotifySocket(std::filesystem::path path);
  ~NotifySocket();
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;

  const std::filesystem::path& path() const { return path_; }

  /// Reads what has arrived (never waits) and returns every message so far.
  const std::vector<NotifyMessage>& messages();
  /// Messages so far whose text starts with `prefix`.
  std::vector<NotifyMessage> with_prefix(const std::string& prefix);
  /// Waits (with wait_for) until `count` messages starting with `prefix`
  /// have arrived; true when they did within `deadline`.
  bool wait_for_count(const std::string& prefix, std::size_t count,
                      std::chrono::milliseconds deadline = std::chrono::seconds(20));

 private:
  std::filesystem::path path_;
  int fd_ = -1;
  std::vector<NotifyMessage> messages_;
};

}  // namespace supervise::testing
