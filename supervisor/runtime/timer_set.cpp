#include "supervisor/runtime/timer_set.hpp"

namespace supervise::runtime {

TimerSet::TimerSet(boost::asio::io_context& io, Clock& clock, FireHandler on_fire)
    : io_(io), clock_(clock), on_fire_(std::move(on_fire)) {}

void TimerSet::schedule(core::TimerId id, core::Duration delay) {
  // The old timer of this id is disarmed first (a disarmed timer never
  // fires, even when it had expired already).
  cancel(id);
  timers_[id] = clock_.start_timer(io_, delay, [this, id] {
    timers_.erase(id);
    on_fire_(id);
  });
}

void TimerSet::cancel(core::TimerId id) {
  timers_.erase(id);
}

void TimerSet::cancel_all() {
  timers_.clear();
}

}  // namespace supervise::runtime
