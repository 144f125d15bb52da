#include "supervisor/status/restart_latency.hpp"

namespace supervise::status {

RestartLatency::RestartLatency()
    : histogram_({0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900}) {}

void RestartLatency::state_changed(const core::StateChanged& change, core::TimePoint now) {
  using core::ChildState;
  switch (change.to) {
    case ChildState::backoff:
      // The first exit of a run of restarts starts the clock: a spawn that
      // fails on the way back keeps it going.
      down_since_.try_emplace(change.child, now);
      return;
    case ChildState::running:
    case ChildState::adopted:
      if (const auto found = down_since_.find(change.child); found != down_since_.end()) {
        histogram_.observe(std::chrono::duration<double>(now - found->second).count());
        down_since_.erase(found);
      }
      return;
    case ChildState::starting:
    case ChildState::stopping:
      return;  // on the way, either way
    case ChildState::waiting:
    case ChildState::stopped:
    case ChildState::done:
    case ChildState::failed:
      down_since_.erase(change.child);  // not a restart after all
      return;
  }
}

}  // namespace supervise::status
