#pragma once

// Watches running workers for stalls (core/stall_rule.hpp) on the runtime's
// loop: on a timer paced by the shortest `stall_after`, it stats each
// watched worker's log (its size and inode: a stat per worker, no descriptor
// held, nothing read) and hands changes to its owner. Task changes come from
// the runtime's progress reads.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <filesystem>
#include <functional>
#include <map>
#include <string>

#include "supervisor/core/stall_rule.hpp"
#include "supervisor/taskcopilot/model.hpp"

namespace supervise::runtime {

class StallMonitor {
 public:
  using OnChange = std::function<void(const core::StallChange&)>;

  StallMonitor(boost::asio::io_context& io, OnChange on_change);
  ~StallMonitor();
  StallMonitor(const StallMonitor&) = delete;
  StallMonitor& operator=(const StallMonitor&) = delete;

  /// Starts watching `child` (running from now) whose output goes to `log`.
  void watch(const std::string& child, core::Duration stall_after, std::filesystem::path log);
  void forget(const std::string& child);
  /// The stream's task counts as just read from Task Copilot.
  void tasks_seen(const std::string& child, const taskcopilot::StreamProgress& progress);
  bool stalled(const std::string& child) const { return rule_.stalled(child); }
  /// Stops the timer (at shutdown).
  void stop();

 private:
  void arm();
  void check();

  boost::asio::steady_timer timer_;
  OnChange on_change_;
  core::StallRule rule_;
  std::map<std::string, std::filesystem::path> logs_;
  bool armed_ = false;
  bool stopped_ = false;
};

/// The task counts by status as one comparable text.
std::string task_fingerprint(const taskcopilot::StreamProgress& progress);

}  // namespace supervise::runtime
