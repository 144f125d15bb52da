#include "supervisor/export/retry_strategy.hpp"

#include <cmath>
#include <limits>

#include "supervisor/spec/duration.hpp"

namespace supervise::exporter {

long argo_factor(double factor) {
  // Argo keeps the factor in an int32.
  constexpr double kLargest = std::numeric_limits<std::int32_t>::max();
  if (!(factor >= 1.0)) {
    return 1;
  }
  return factor >= kLargest ? static_cast<long>(kLargest) : std::lround(factor);
}

std::string argo_duration(core::Duration duration) {
  // Our spelling (a whole number and the largest exact unit among ms, s, m,
  // h) is one Go's ParseDuration reads as the same value.
  return spec::format_duration(duration);
}

std::optional<RetryStrategy> retry_strategy(const core::ChildSpec& child,
                                            const core::Backoff& backoff) {
  RetryStrategy strategy;
  switch (child.restart) {
    case core::RestartType::permanent:
      strategy.retry_policy = "Always";
      break;
    case core::RestartType::transient:
      strategy.retry_policy = "OnFailure";
      break;
    case core::RestartType::temporary:
      return std::nullopt;
  }
  strategy.limit = child.max_restarts;
  strategy.backoff = {argo_duration(backoff.initial), argo_factor(backoff.factor),
                      argo_duration(backoff.max)};
  return strategy;
}

}  // namespace supervise::exporter
