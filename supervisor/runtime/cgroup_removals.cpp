#include "supervisor/runtime/cgroup_removals.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <string>

#include "supervisor/process/cgroup_v2.hpp"

namespace supervise::runtime {

namespace asio = boost::asio;

std::shared_ptr<CgroupRemovals> CgroupRemovals::create(asio::io_context& io) {
  return std::shared_ptr<CgroupRemovals>(new CgroupRemovals(io));
}

void CgroupRemovals::remove(const std::filesystem::path& cgroup) {
  if (cgroup.empty() || pending_.contains(cgroup)) {
    return;
  }
  std::string error;
  if (process::remove_cgroup(cgroup, error)) {
    return;
  }
  pending_.insert(cgroup);
  retry(cgroup, kFirstRetry, std::chrono::steady_clock::now());
}

void CgroupRemovals::retry(const std::filesystem::path& cgroup, std::chrono::milliseconds delay,
                           std::chrono::steady_clock::time_point since) {
  auto timer = std::make_shared<asio::steady_timer>(io_, delay);
  timer->async_wait([self = shared_from_this(), timer, cgroup, delay,
                     since](const boost::system::error_code& ec) {
    if (ec) {
      return;  // the loop is going away
    }
    std::string error;
    if (process::remove_cgroup(cgroup, error)) {
      self->settled(cgroup);
      return;
    }
    if (std::chrono::steady_clock::now() - since >= kGiveUpAfter) {
      spdlog::warn("{}; left in place after {} s of tries", error,
                   std::chrono::duration_cast<std::chrono::seconds>(kGiveUpAfter).count());
      self->settled(cgroup);
      return;
    }
    self->retry(cgroup, std::min(delay * 2, kLongestRetry), since);
  });
}

void CgroupRemovals::settled(const std::filesystem::path& cgroup) {
  pending_.erase(cgroup);
  if (pending_.empty() && on_idle_) {
    auto done = std::move(on_idle_);
    on_idle_ = nullptr;
    done();
  }
}

void CgroupRemovals::when_idle(std::function<void()> done) {
  if (pending_.empty()) {
    asio::post(io_, std::move(done));
    return;
  }
  on_idle_ = std::move(done);
}

}  // namespace supervise::runtime
