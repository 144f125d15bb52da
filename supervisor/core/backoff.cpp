#include "supervisor/core/backoff.hpp"

#include <algorithm>
#include <cmath>

namespace supervise::core {

namespace {

double clamped_jitter(const Backoff& backoff) {
  if (!(backoff.jitter > 0.0)) {  // also NaN
    return 0.0;
  }
  return std::min(backoff.jitter, 1.0);
}

}  // namespace

Duration backoff_base_delay(const Backoff& backoff, int attempt) {
  const double initial = std::max<double>(0.0, static_cast<double>(backoff.initial.count()));
  const double cap = std::max<double>(0.0, static_cast<double>(backoff.max.count()));
  const double factor = backoff.factor >= 1.0 ? backoff.factor : 1.0;
  const int exponent = std::max(attempt, 1) - 1;
  // pow overflows to infinity for long crash loops; min() brings it back.
  const double grown = initial * std::pow(factor, exponent);
  const double base = std::isfinite(grown) ? std::min(grown, cap) : cap;
  return Duration{static_cast<Duration::rep>(std::llround(base))};
}

Duration backoff_delay(const Backoff& backoff, int attempt, double u) {
  const double jitter = clamped_jitter(backoff);
  const double uniform = std::isfinite(u) ? std::clamp(u, 0.0, 1.0) : 0.5;
  const double base = static_cast<double>(backoff_base_delay(backoff, attempt).count());
  const double cap = static_cast<double>(max_backoff_delay(backoff).count());
  // u spreads uniformly over the part of [base(1-j), base(1+j)] that lies at
  // or below max: clamping the spread instead would pile half of all capped
  // delays onto exactly max, so crash-looping workers would restart in step.
  const double low = base * (1.0 - jitter);
  const double high = std::min(base * (1.0 + jitter), cap);
  const double spread = low + uniform * std::max(high - low, 0.0);
  const auto rounded = static_cast<Duration::rep>(std::llround(std::max(spread, 0.0)));
  return std::clamp(Duration{rounded}, Duration{0}, max_backoff_delay(backoff));
}

Duration max_backoff_delay(const Backoff& backoff) {
  return Duration{std::max<Duration::rep>(0, backoff.max.count())};
}

std::string format_delay(Duration delay) {
  const auto ms = delay.count();
  if (ms < 1000) {
    return std::to_string(ms) + "ms";
  }
  const auto tenths = (ms + 50) / 100;
  return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + "s";
}

}  // namespace supervise::core
