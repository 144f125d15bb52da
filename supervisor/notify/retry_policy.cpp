#include "supervisor/notify/retry_policy.hpp"

#include <algorithm>
#include <cmath>

namespace supervise::notify {

AttemptVerdict judge_attempt(const RetryPolicy& policy, int attempt, std::optional<int> status) {
  if (status && *status >= 200 && *status < 300) {
    return AttemptVerdict::delivered;
  }
  const bool transient = !status || *status == 408 || *status == 425 || *status == 429 ||
                         (*status >= 500 && *status < 600);
  if (!transient || attempt >= policy.max_attempts) {
    return AttemptVerdict::give_up;
  }
  return AttemptVerdict::retry;
}

std::chrono::milliseconds retry_delay(const RetryPolicy& policy, int failed) {
  const double exponent = std::max(failed - 1, 0);
  const double delay =
      static_cast<double>(policy.initial.count()) * std::pow(policy.factor, exponent);
  const double capped = std::min(delay, static_cast<double>(policy.max.count()));
  return std::chrono::milliseconds(static_cast<long long>(std::max(capped, 0.0)));
}

}  // namespace supervise::notify
