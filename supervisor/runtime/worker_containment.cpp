#include "supervisor/runtime/worker_containment.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>

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

namespace {

/// An emptied cgroup cannot be removed while a zombie of it waits for our
/// reaper: its removal is tried again this often, this many times.
constexpr std::chrono::milliseconds kRemovalRetry{100};
constexpr int kRemovalTries = 50;

void remove_cgroup_when_free(asio::io_context& io, std::filesystem::path cgroup, int tries_left) {
  std::string error;
  if (process::remove_cgroup(cgroup, error)) {
    return;
  }
  if (tries_left <= 0) {
    spdlog::debug("{} (giving up)", error);
    return;
  }
  auto timer = std::make_shared<asio::steady_timer>(io, kRemovalRetry);
  timer->async_wait([&io, timer, cgroup = std::move(cgroup),
                     tries_left](const boost::system::error_code& ec) mutable {
    if (!ec) {
      remove_cgroup_when_free(io, std::move(cgroup), tries_left - 1);
    }
  });
}

}  // namespace

void WorkerContainment::remove_cgroup_if_empty() {
  // Still busy for a moment after its last process died (its zombie not
  // reaped yet): tried again on timers, never waited for here.
  remove_cgroup_when_free(io_, scope_.cgroup, kRemovalTries);
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
      remove_cgroup_if_empty();
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
  process::kill_marked_processes(scope_.start_id);
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
