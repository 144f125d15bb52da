#include "supervisor/runtime/stall_monitor.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>

namespace supervise::runtime {

namespace {

/// Checks come a quarter of the shortest limit apart, so a stall is seen
/// within 25% of its limit, but never more often than this (a limit of
/// milliseconds is a test's) nor less often than kSlowestCheck.
constexpr std::chrono::milliseconds kFastestCheck{100};
constexpr std::chrono::milliseconds kSlowestCheck{5'000};

std::optional<core::LogMark> log_mark(const std::filesystem::path& log) {
  struct stat info {};
  if (::stat(log.c_str(), &info) != 0) {
    return std::nullopt;
  }
  return core::LogMark{static_cast<std::uint64_t>(info.st_ino),
                       static_cast<std::uint64_t>(info.st_size)};
}

}  // namespace

std::string task_fingerprint(const taskcopilot::StreamProgress& progress) {
  return fmt::format(
      "total={} pending={} in_progress={} blocked={} completed={} cancelled={} other={}",
      progress.total, progress.pending, progress.in_progress, progress.blocked, progress.completed,
      progress.cancelled, progress.other);
}

StallMonitor::StallMonitor(boost::asio::io_context& io, OnChange on_change)
    : timer_(io), on_change_(std::move(on_change)) {}

StallMonitor::~StallMonitor() {
  stop();
}

void StallMonitor::watch(const std::string& child, core::Duration stall_after,
                         std::filesystem::path log) {
  const auto now = std::chrono::steady_clock::now();
  rule_.watch(child, stall_after, now);
  rule_.log_seen(child, log_mark(log), now);
  logs_[child] = std::move(log);
  arm();
}

void StallMonitor::forget(const std::string& child) {
  rule_.forget(child);
  logs_.erase(child);
}

void StallMonitor::tasks_seen(const std::string& child,
                              const taskcopilot::StreamProgress& progress) {
  rule_.tasks_seen(child, task_fingerprint(progress), std::chrono::steady_clock::now());
}

void StallMonitor::stop() {
  stopped_ = true;
  timer_.cancel();
}

void StallMonitor::arm() {
  const auto shortest = rule_.shortest_limit();
  if (armed_ || stopped_ || !shortest) {
    return;
  }
  armed_ = true;
  timer_.expires_after(
      std::clamp<std::chrono::milliseconds>(*shortest / 4, kFastestCheck, kSlowestCheck));
  timer_.async_wait([this](const boost::system::error_code& error) {
    armed_ = false;
    if (!error && !stopped_) {
      check();
      arm();
    }
  });
}

void StallMonitor::check() {
  const auto now = std::chrono::steady_clock::now();
  for (const auto& [child, log] : logs_) {
    rule_.log_seen(child, log_mark(log), now);
  }
  for (const auto& change : rule_.check(now)) {
    on_change_(change);  // may call forget(): the loop above is done
  }
}

}  // namespace supervise::runtime
