#pragma once

// The Clock of production.

#include "supervisor/runtime/clock.hpp"

namespace supervise::runtime {

/// std::chrono::steady_clock and Asio's steady timers.
class SteadyClock final : public Clock {
 public:
  core::TimePoint now() const override;
  std::unique_ptr<Timer> start_timer(boost::asio::io_context& io, core::Duration delay,
                                     std::function<void()> on_fire) override;
};

}  // namespace supervise::runtime
