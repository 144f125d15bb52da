#pragma once

// Stopping what an earlier shim left running (found by
// legacy::find_survivors) without waiting on the event loop: SIGTERM, then
// SIGKILL after a grace period, each process watched through its pidfd and a
// timer. Every process is held by a pidfd opened before its start time is
// checked again, and signalled through it, so a PID recycled meanwhile is
// never hit.

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <vector>

#include "supervisor/legacy/survivors.hpp"

namespace supervise::runtime {

struct SurvivorStopImpl;

class SurvivorStop {
 public:
  /// The PIDs still alive at the end (empty: all stopped).
  using Handler = std::function<void(std::vector<int> remaining)>;

  /// How long a process may take to end after SIGKILL (one stuck in
  /// uninterruptible sleep) before it counts as remaining.
  static constexpr std::chrono::milliseconds kAfterKill{2000};

  /// `on_done` runs once on `io` (posted, also when there is nothing to
  /// stop). `grace` zero: SIGKILL at once.
  static std::shared_ptr<SurvivorStop> start(boost::asio::io_context& io,
                                             const std::vector<legacy::SurvivorTarget>& targets,
                                             std::chrono::milliseconds grace, Handler on_done);

  /// Stops waiting: `on_done` runs now with what is still alive.
  void cancel();

  SurvivorStop(const SurvivorStop&) = delete;
  SurvivorStop& operator=(const SurvivorStop&) = delete;
  ~SurvivorStop();

 private:
  explicit SurvivorStop(std::shared_ptr<SurvivorStopImpl> impl);
  std::shared_ptr<SurvivorStopImpl> impl_;
};

}  // namespace supervise::runtime
