#pragma once

// The timers the core asks for: one Clock timer per core TimerId.

#include <boost/asio/io_context.hpp>
#include <functional>
#include <map>
#include <memory>

#include "supervisor/core/supervisor.hpp"
#include "supervisor/runtime/clock.hpp"

namespace supervise::runtime {

class TimerSet {
 public:
  /// Called from the io_context when a timer fires (not when cancelled).
  using FireHandler = std::function<void(core::TimerId)>;

  /// `clock` outlives the set.
  TimerSet(boost::asio::io_context& io, Clock& clock, FireHandler on_fire);

  /// Arms timer `id` to fire after `delay`; re-arming an armed id replaces it.
  void schedule(core::TimerId id, core::Duration delay);
  /// Disarms timer `id`; unknown ids are ignored.
  void cancel(core::TimerId id);
  void cancel_all();
  std::size_t armed() const { return timers_.size(); }

 private:
  boost::asio::io_context& io_;
  Clock& clock_;
  FireHandler on_fire_;
  std::map<core::TimerId, std::unique_ptr<Clock::Timer>> timers_;
};

}  // namespace supervise::runtime
