#pragma once
// Emptied worker cgroups on their way out. The kernel refuses to remove a
// cgroup (EBUSY) for a moment after its last process died, until that
// process's exit is complete, so each removal is tried again on timers
// rather than waited for on the loop; and `up` ends only once every removal
// is done or given up (named in a warning), so that a shutdown never leaves
// an empty cgroup behind.
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <set>

namespace supervise::runtime {

class CgroupRemovals : public std::enable_shared_from_this<CgroupRemovals> {
 public:
  static std::shared_ptr<CgroupRemovals> create(boost::asio::io_context& io);

  /// Removes `cgroup` now if the kernel lets it, else again and again on
  /// timers until kGiveUpAfter.
  void remove(const std::filesystem::path& cgroup);

  bool idle() const { return pending_.empty(); }

  /// `done` runs on the loop once nothing is pending (at once if nothing
  /// is); a later call replaces an earlier callback that has not run.
  void when_idle(std::function<void()> done);

  /// The first retry comes after kFirstRetry, each next one after twice as
  /// long, up to kLongestRetry between tries.
  static constexpr std::chrono::milliseconds kFirstRetry{2};
  static constexpr std::chrono::milliseconds kLongestRetry{100};
  static constexpr std::chrono::milliseconds kGiveUpAfter{5'000};

 private:
  explicit CgroupRemovals(boost::asio::io_context& io) : io_(io) {}
  void retry(const std::filesystem::path& cgroup, std::chrono::milliseconds delay,
             std::chrono::steady_clock::time_point since);
  void settled(const std::filesystem::path& cgroup);

  boost::asio::io_context& io_;
  std::set<std::filesystem::path> pending_;
  std::function<void()> on_idle_;
};

}  // namespace supervise::runtime
