#pragma once

// A child's restart policy as an Argo `retryStrategy`:
//   restart    permanent -> retryPolicy Always, transient -> OnFailure,
//              temporary -> no retryStrategy (Argo's default: no retries)
//   max_restarts        -> limit (retries after the first attempt, as ours)
//   backoff of the node -> backoff {duration: initial, factor, cap: max}

#include <optional>
#include <string>

#include "supervisor/core/child_spec.hpp"

namespace supervise::exporter {

struct ArgoBackoff {
  std::string duration;  ///< the first delay, an Argo duration ("2s")
  long factor = 1;       ///< Argo takes a whole factor
  std::string cap;       ///< the longest delay

  bool operator==(const ArgoBackoff&) const = default;
};

struct RetryStrategy {
  int limit = 0;
  std::string retry_policy;  ///< "Always" or "OnFailure"
  ArgoBackoff backoff;

  bool operator==(const RetryStrategy&) const = default;
};

/// The retry strategy of `child`, restarted with `backoff` (its parent
/// node's); none for a temporary child.
std::optional<RetryStrategy> retry_strategy(const core::ChildSpec& child,
                                            const core::Backoff& backoff);

/// Argo reads the backoff factor as a whole number: ours rounded to the
/// nearest one, at least 1 (a factor below 1 is refused by the validators).
long argo_factor(double factor);

/// A duration as Argo (Go's time.ParseDuration) reads it: "2s", "1m",
/// "1500ms", "0s".
std::string argo_duration(core::Duration duration);

}  // namespace supervise::exporter
