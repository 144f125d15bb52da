#include "supervisor/runtime/worker_containment.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <memory>

#include "supervisor/process/cgroup_v2.hpp"
#include "supervisor/process/marked_processes.hpp"

namespace supervise::runtime {

namespace asio = boost::asio;

std::shared_ptr<WorkerContainment> WorkerContainment::create(
    asio::io_context& io, asio::any_io_executor scans, std::shared_ptr<CgroupRemovals> removals,
    ContainmentScope scope) {
  return std::shared_ptr<WorkerContainment>(
      new WorkerContainment(io, std::move(scans), std::move(removals), std::move(scope)));
}

WorkerContainment::WorkerContainment(asio::io_context& io, asio::any_io_executor scans,
                                     std::shared_ptr<CgroupRemovals> removals,
                                     ContainmentScope scope)
    : io_(io), scans_(std::move(scans)), removals_(std::move(removals)), scope_(std::move(scope)) {}

void WorkerContainment::drop_cgroup() {
  if (scope_.cgroup.empty()) {
    return;
  }
  std::string error;
  process::remove_cgroup(scope_.cgroup, error);
  scope_.cgroup.clear();
  counted_.reset();
}

void WorkerContainment::sweep(std::function<void(std::size_t found)> done) {
  if (has_cgroup()) {
    const auto members = process::cgroup_members(scope_.cgroup);
    // Unreadable (out of descriptors) is not empty: kill and look again.
    const std::size_t found = members ? members->size() : 1;
    if (found > 0) {
      std::string error;
      if (!process::kill_cgroup(scope_.cgroup, error)) {
        spdlog::warn("{}", error);
      }
    } else {
      removals_->remove(scope_.cgroup);
    }
    asio::post(io_, [done = std::move(done), found] { done(found); });
    return;
  }
  asio::post(scans_, [self = shared_from_this(), done = std::move(done)]() mutable {
    // An incomplete scan counts as one left: looked at again, never taken
    // for empty.
    const auto found = process::kill_marked_processes(self->scope_.start_id).value_or(1);
    asio::post(self->io_, [done = std::move(done), found] { done(found); });
  });
}

void WorkerContainment::kill_now() {
  if (has_cgroup()) {
    std::string error;
    process::kill_cgroup(scope_.cgroup, error);
    return;
  }
  process::kill_marked_processes_and_their_offspring(scope_.start_id);
}

std::optional<int> WorkerContainment::process_count() {
  if (has_cgroup()) {
    const auto members = process::cgroup_members(scope_.cgroup);
    return members ? std::optional<int>(static_cast<int>(members->size())) : std::nullopt;
  }
  const auto now = std::chrono::steady_clock::now();
  if (!counting_ && (!counted_ || now - counted_at_ >= kCountMaxAge)) {
    counting_ = true;
    asio::post(scans_, [self = shared_from_this()] {
      const auto found = process::find_marked_processes(self->scope_.start_id);
      const auto count = found ? std::optional<int>(static_cast<int>(found->size())) : std::nullopt;
      asio::post(self->io_, [self, count] {
        self->counting_ = false;
        self->counted_ = count;
        self->counted_at_ = std::chrono::steady_clock::now();
      });
    });
  }
  return counted_;
}

}  // namespace supervise::runtime
