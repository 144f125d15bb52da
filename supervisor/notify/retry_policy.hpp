#pragma once

// When a webhook delivery is tried again: the pure policy, apart from the
// HTTP client that performs the attempts.

#include <chrono>
#include <optional>

namespace supervise::notify {

struct RetryPolicy {
  /// Attempts per event, the first included: with the default delays the
  /// last one is about a minute after the first.
  int max_attempts = 6;
  std::chrono::milliseconds initial{1'000};
  double factor = 2.0;
  std::chrono::milliseconds max{30'000};
};

/// What to do after an attempt.
enum class AttemptVerdict {
  delivered,  ///< a 2xx answer: done
  retry,      ///< no answer, a timeout, 408, 425, 429 or 5xx: try again later
  give_up,    ///< a refusal that a retry will not change (other 3xx/4xx), or out of attempts
};

/// The verdict on the `attempt`-th attempt (1-based), which got the HTTP
/// `status` (nullopt: no answer at all, e.g. refused connection, timeout).
AttemptVerdict judge_attempt(const RetryPolicy& policy, int attempt, std::optional<int> status);

/// How long to wait after the `failed`-th failed attempt (1-based) before
/// the next: initial * factor^(failed-1), at most `max`.
std::chrono::milliseconds retry_delay(const RetryPolicy& policy, int failed);

}  // namespace supervise::notify
