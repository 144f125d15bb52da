#pragma once

// The restart delay of a child: pure arithmetic over a Backoff policy.

#include <string>

#include "supervisor/core/child_spec.hpp"

namespace supervise::core {

/// The delay before the `attempt`-th consecutive restart (attempt >= 1;
/// smaller values count as 1) before jitter: min(initial * factor^(attempt-1),
/// max). A factor below 1 counts as 1, so the delay never shrinks.
Duration backoff_base_delay(const Backoff& backoff, int attempt);

/// The base delay spread by jitter, never past `max`: uniform over
/// [base * (1 - jitter), min(base * (1 + jitter), max)] as `u` goes over
/// [0, 1] (values outside are clamped), rounded to the nearest millisecond.
/// So a delay that has reached the cap is spread below it only. A jitter
/// outside [0, 1] counts as the nearest bound.
Duration backoff_delay(const Backoff& backoff, int attempt, double u);

/// The longest delay backoff_delay() can return: `max` (0 when negative).
Duration max_backoff_delay(const Backoff& backoff);

/// A delay for people: "250ms" below a second, else seconds to a tenth, "1.9s".
std::string format_delay(Duration delay);

}  // namespace supervise::core
