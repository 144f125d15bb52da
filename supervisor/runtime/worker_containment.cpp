#include "supervisor/runtime/worker_containment.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>

#include "supervisor/process/cgroup_v2.hpp"
#include "supervisor/process/marked_processes.hpp"

namespace supervise::runtime {

namespace asio = boost::asio;

std::shared_ptr<WorkerContainment> WorkerContainment::create(asio::io_context& io,
                                                             asio::any_io_executor scans,
                                                             ContainmentScope scope) {
  return std::shared_ptr<WorkerContainment>(
      new WorkerContainment(io, std::move(scans), std::move(scope)));
}

WorkerContainment::WorkerContainment(asio::io_context& io, asio::any_io_executor scans,
                                     ContainmentScope scope)
    : io_(io), scans_(std::move(scans)), scope_(std::move(scope)) {}

void WorkerContainment::drop_cgroup() {
  if (scope_.cgroup.empty()) {
    return;
  }
  std::string error;
  process::remove_cgroup(scope_.cgroup, error);
  scope_.cgroup.clear();
  counted_.reset();
}

void WorkerContainment::remove_cgroup_if_empty() {
  std::string error;
  if (!process::remove_cgroup(scope_.cgroup, error)) {
    // Still busy for a moment after its last process died; the next sweep
    // tries again, and a later `up` removes it with the worker's record.
    spdlog::debug("{}", error);
  }
}

void WorkerContainment::sweep(std::function<void(std::size_t found)> done) {
  if (has_cgroup()) {
    const auto members = process::cgroup_members(scope_.cgroup);
    if (!members.empty()) {
      std::string error;
      if (!process::kill_cgroup(scope_.cgroup, error)) {
        spdlog::warn("{}", error);
      }
    } else {
      remove_cgroup_if_empty();
    }
    asio::post(io_, [done = std::move(done), found = members.size()] { done(found); });
    return;
  }
  asio::post(scans_, [self = shared_from_this(), done = std::move(done)]() mutable {
    const auto found = process::kill_marked_processes(self->scope_.start_id);
    asio::post(self->io_, [done = std::move(done), found] { done(found); });
  });
}

void WorkerContainment::kill_now() {
  if (has_cgroup()) {
    std::string error;
    process::kill_cgroup(scope_.cgroup, error);
    return;
  }
  process::kill_marked_processes(scope_.start_id);
}

std::optional<int> WorkerContainment::process_count() {
  if (has_cgroup()) {
    return static_cast<int>(process::cgroup_members(scope_.cgroup).size());
  }
  const auto now = std::chrono::steady_clock::now();
  if (!counting_ && (!counted_ || now - counted_at_ >= kCountMaxAge)) {
    counting_ = true;
    asio::post(scans_, [self = shared_from_this()] {
      const auto count = process::find_marked_processes(self->scope_.start_id).size();
      asio::post(self->io_, [self, count] {
        self->counting_ = false;
        self->counted_ = static_cast<int>(count);
        self->counted_at_ = std::chrono::steady_clock::now();
      });
    });
  }
  return counted_;
}

}  // namespace supervise::runtime
