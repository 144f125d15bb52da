#pragma once

// A Clock whose time moves only when the test says (ninja's fake clock,
// Boost.MySQL's mock timer): backoff delays and shutdown deadlines are
// tested to the millisecond, with no real waiting.
//
//   ManualClock clock;
//   options.clock = &clock;
//   ...
//   clock.advance(999ms);  // nothing due yet
//   clock.advance(1ms);    // the 1 s timer fires, and what it starts runs

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <utility>

#include "supervisor/runtime/clock.hpp"

namespace supervise::testing {

class ManualClock final : public runtime::Clock {
 public:
  /// Time starts at an arbitrary point well after the clock's epoch.
  explicit ManualClock(core::TimePoint start = core::TimePoint{} + std::chrono::hours(24))
      : now_(start) {}
  ManualClock(const ManualClock&) = delete;
  ManualClock& operator=(const ManualClock&) = delete;

  core::TimePoint now() const override { return now_; }

  std::unique_ptr<Timer> start_timer(boost::asio::io_context& io, core::Duration delay,
                                     std::function<void()> on_fire) override {
    const Key key{now_ + std::max(delay, core::Duration::zero()), ++serial_};
    armed_.emplace(key, Armed{&io, std::move(on_fire)});
    if (delay <= core::Duration::zero()) {
      // Due already: it runs as soon as the loop runs, as a real one would,
      // unless it is disarmed first.
      boost::asio::post(io, [this, key] { fire(key); });
    }
    return std::make_unique<ManualTimer>(*this, key);
  }

  /// Moves time forward by `by` (zero: runs the timers due now), stopping at each deadline on the
  /// way, in order (timers with the same deadline in the order they were armed): there now() is
  /// that deadline, the timer's handler runs, and then the ready handlers of its io_context
  /// (io.poll()), so that what a firing starts (a spawn, a signal) happens at that instant, before
  /// the next deadline. Timers armed meanwhile fire too when due within `by`. Call it from the
  /// thread that drives the io_context, outside its handlers, and keep work on the io_context (a
  /// work guard) so that poll() never finds it out of work and stops it.
  void advance(core::Duration by) {
    const auto until = now_ + by;
    while (!armed_.empty() && armed_.begin()->first.first <= until) {
      const auto key = armed_.begin()->first;
      auto* io = armed_.begin()->second.io;
      now_ = key.first;
      fire(key);
      io->poll();
    }
    now_ = until;
  }

  /// How many timers are armed.
  std::size_t armed() const { return armed_.size(); }
  /// The earliest deadline of an armed timer.
  std::optional<core::TimePoint> next_deadline() const {
    if (armed_.empty()) {
      return std::nullopt;
    }
    return armed_.begin()->first.first;
  }

 private:
  /// Deadline, then arming order.
  using Key = std::pair<core::TimePoint, std::uint64_t>;
  struct Armed {
    boost::asio::io_context* io;
    std::function<void()> on_fire;
  };

  void fire(Key key) {
    auto due = armed_.extract(key);
    if (due) {
      // Out of the map first: the handler may disarm (destroy) its timer.
      due.mapped().on_fire();
    }
  }

  class ManualTimer final : public Timer {
   public:
    ManualTimer(ManualClock& clock, Key key) : clock_(clock), key_(key) {}
    ~ManualTimer() override { clock_.armed_.erase(key_); }

   private:
    ManualClock& clock_;
    Key key_;
  };

  core::TimePoint now_;
  std::uint64_t serial_ = 0;
  std::map<Key, Armed> armed_;
};

}  // namespace supervise::testing
