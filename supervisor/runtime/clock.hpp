#pragma once

// The runtime's time: what it stamps events with (the core's `now`) and the
// timers it arms (backoff delays, shutdown deadlines). One of the runtime's
// seams (ARCHITECTURE.md, "The runtime's rules"): SteadyClock
// (steady_clock.hpp) in production, a manual clock in tests, so that backoff,
// intensity and shutdown deadlines are tested without waiting.

#include <boost/asio/io_context.hpp>
#include <functional>
#include <memory>

#include "supervisor/core/supervisor.hpp"

namespace supervise::runtime {

class Clock {
 public:
  /// An armed timer. Destroying it disarms it: its handler never runs after
  /// that, even when its deadline had passed already.
  class Timer {
   public:
    virtual ~Timer() = default;
  };

  virtual ~Clock() = default;

  /// Monotonic; never goes back.
  virtual core::TimePoint now() const = 0;

  /// Runs `on_fire` once, on a thread running `io`, `delay` after now()
  /// (a zero delay too runs it later, never inside this call). The clock
  /// outlives its timers.
  [[nodiscard]] virtual std::unique_ptr<Timer> start_timer(boost::asio::io_context& io,
                                                           core::Duration delay,
                                                           std::function<void()> on_fire) = 0;
};

}  // namespace supervise::runtime
