#pragma once

// How long children are down when they restart: from the moment a running
// child ended without being asked to (a crash, a stall restart) to the
// moment it runs again, backoff included. Fed with the core's state changes
// and the time they happened; pure.

#include <chrono>
#include <map>
#include <string>

#include "supervisor/core/supervisor.hpp"
#include "supervisor/status/prometheus_text.hpp"

namespace supervise::status {

class RestartLatency {
 public:
  /// Bucket bounds in seconds: the backoff delays of the default policy
  /// (1 s doubling to 1 min) fall into separate buckets.
  RestartLatency();

  void state_changed(const core::StateChanged& change, core::TimePoint now);
  const Histogram& histogram() const { return histogram_; }

 private:
  Histogram histogram_;
  std::map<std::string, core::TimePoint> down_since_;
};

}  // namespace supervise::status
