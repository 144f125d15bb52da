#pragma once

// When a running worker counts as stalled: for its `stall_after`, neither its
// stream's tasks changed in Task Copilot nor its log changed. Pure: the
// runtime reports what it sees (log size and identity on a timer, task
// counts from its progress reads) with the time it saw it; tests do the same
// with a fake clock.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "supervisor/core/child_spec.hpp"

namespace supervise::core {

/// What identifies the content of a log file: another file under the same
/// name (rotation) or another size is a change.
struct LogMark {
  std::uint64_t inode = 0;
  std::uint64_t size = 0;

  bool operator==(const LogMark&) const = default;
};

struct StallChange {
  std::string child;
  bool stalled = false;   ///< true: it just became stalled; false: it works again
  Duration quiet_for{0};  ///< how long it had shown no sign of work
};

class StallRule {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  /// Watches `child` from `now` (it started, or was adopted): its quiet time
  /// starts now; it is not stalled.
  void watch(const std::string& child, Duration stall_after, TimePoint now);
  /// Stops watching `child` (it is no longer running); what its tasks looked
  /// like is kept, to tell a change at its next start.
  void forget(const std::string& child);

  /// The log of `child` as seen at `now`; none when it cannot be read. The
  /// first mark seen while watched is the baseline, not a sign of work.
  void log_seen(const std::string& child, std::optional<LogMark> mark, TimePoint now);
  /// A fingerprint of the stream's task counts by status as read at `now`;
  /// a different one from the last read is a sign of work.
  void tasks_seen(const std::string& child, const std::string& fingerprint, TimePoint now);

  /// The children that became stalled by `now`, and those that showed work
  /// again since they were reported stalled (each change reported once).
  std::vector<StallChange> check(TimePoint now);

  bool stalled(const std::string& child) const;
  /// The watched children.
  std::vector<std::string> watched() const;
  /// The shortest `stall_after` of the watched children, to pace checks.
  std::optional<Duration> shortest_limit() const;

 private:
  struct Watch {
    Duration stall_after{0};
    TimePoint last_sign{};
    std::optional<LogMark> log;
    bool stalled = false;
    bool recovered = false;  ///< worked again while stalled; not reported yet
  };
  void sign_of_work(Watch& watch, TimePoint now);

  std::map<std::string, Watch> watches_;
  std::map<std::string, std::string> tasks_;
};

}  // namespace supervise::core
