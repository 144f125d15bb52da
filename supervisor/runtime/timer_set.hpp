#pragma once

// The timers the core asks for: one asio steady_timer per core TimerId.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>

#include "supervisor/core/supervisor.hpp"

namespace supervise::runtime {

class TimerSet {
 public:
  /// Called from the io_context when a timer fires (not when cancelled).
  using FireHandler = std::function<void(core::TimerId)>;

  TimerSet(boost::asio::io_context& io, FireHandler on_fire);

  /// Arms timer `id` to fire after `delay`; re-arming an armed id replaces it.
  void schedule(core::TimerId id, core::Duration delay);
  /// Disarms timer `id`; unknown ids are ignored.
  void cancel(core::TimerId id);
  void cancel_all();
  std::size_t armed() const { return timers_.size(); }

 private:
  boost::asio::io_context& io_;
  FireHandler on_fire_;
  struct Armed {
    std::unique_ptr<boost::asio::steady_timer> timer;
    std::uint64_t serial = 0;
  };
  std::map<core::TimerId, Armed> timers_;
  std::uint64_t serial_ = 0;
};

}  // namespace supervise::runtime
