#include "supervisor/runtime/timer_set.hpp"

namespace supervise::runtime {

TimerSet::TimerSet(boost::asio::io_context& io, FireHandler on_fire)
    : io_(io), on_fire_(std::move(on_fire)) {}

void TimerSet::schedule(core::TimerId id, core::Duration delay) {
  cancel(id);
  Armed armed{std::make_unique<boost::asio::steady_timer>(io_, delay), ++serial_};
  // A timer that expired just before it was cancelled has its handler queued
  // already: the serial keeps it from firing for a timer re-armed under the
  // same id.
  armed.timer->async_wait([this, id, serial = armed.serial](const boost::system::error_code& ec) {
    if (ec == boost::asio::error::operation_aborted) {
      return;
    }
    const auto found = timers_.find(id);
    if (found == timers_.end() || found->second.serial != serial) {
      return;
    }
    timers_.erase(found);
    on_fire_(id);
  });
  timers_[id] = std::move(armed);
}

void TimerSet::cancel(core::TimerId id) {
  timers_.erase(id);
}

void TimerSet::cancel_all() {
  timers_.clear();
}

}  // namespace supervise::runtime
