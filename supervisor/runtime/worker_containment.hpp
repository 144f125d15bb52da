#pragma once

// Everything one start of a worker ever started, whatever session or process
// group it moved to ("Nothing escapes" in the architecture notes): a cgroup
// v2 of its own when one could be made, else the processes carrying its
// start marker (supervise is a child subreaper, so escaped orphans are
// reparented to it while it runs). ChildProcess reports a worker's exit only
// once its containment is empty, so a restart never runs beside what the
// previous start left.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "supervisor/runtime/cgroup_removals.hpp"

namespace supervise::runtime {

/// How a worker is contained; what a later `supervise up` needs to find it.
struct ContainmentScope {
  /// The worker's start marker (process/start_marker.hpp).
  std::string start_id;
  /// Its cgroup directory; empty: found through the marker only.
  std::filesystem::path cgroup;

  bool operator==(const ContainmentScope&) const = default;
};

class WorkerContainment : public std::enable_shared_from_this<WorkerContainment> {
 public:
  /// `scans` runs the /proc scans of the marker fallback (beside the loop);
  /// completions come back on `io`. Whoever owns `scans` must join it before
  /// `io` is destroyed.
  /// Its emptied cgroup is removed through `removals`.
  static std::shared_ptr<WorkerContainment> create(boost::asio::io_context& io,
                                                   boost::asio::any_io_executor scans,
                                                   std::shared_ptr<CgroupRemovals> removals,
                                                   ContainmentScope scope);

  const ContainmentScope& scope() const { return scope_; }
  bool has_cgroup() const { return !scope_.cgroup.empty(); }
  /// The worker could not be put into its cgroup: removes it (empty) and
  /// falls back to the marker.
  void drop_cgroup();

  /// SIGKILLs whatever of the worker is still alive and calls `done`, on
  /// the io_context, with how many processes were found (0: nothing is left;
  /// the cgroup, if any, is then removed). A cgroup is handled at once (a few
  /// small sysfs operations); the marker scan runs on `scans`.
  void sweep(std::function<void(std::size_t found)> done);
  /// The same, synchronously, for the very end (the loop has stopped): the
  /// marker scan may take a while.
  void kill_now();

  /// How many live processes the worker has: exact for a cgroup; for the
  /// marker the count of a scan at most kCountMaxAge old (the next scan is
  /// started beside the loop when asked). nullopt until one is known.
  std::optional<int> process_count();
  static constexpr std::chrono::milliseconds kCountMaxAge{1000};

 private:
  WorkerContainment(boost::asio::io_context& io, boost::asio::any_io_executor scans,
                    std::shared_ptr<CgroupRemovals> removals, ContainmentScope scope);

  boost::asio::io_context& io_;
  boost::asio::any_io_executor scans_;
  std::shared_ptr<CgroupRemovals> removals_;
  ContainmentScope scope_;
  std::optional<int> counted_;
  std::chrono::steady_clock::time_point counted_at_{};
  bool counting_ = false;
};

}  // namespace supervise::runtime
