#include "supervisor/runtime/steady_clock.hpp"

#include <boost/asio/steady_timer.hpp>

namespace supervise::runtime {
namespace {

class SteadyTimer final : public Clock::Timer {
 public:
  SteadyTimer(boost::asio::io_context& io, core::Duration delay, std::function<void()> on_fire)
      : timer_(io, delay) {
    // A timer that expired just before it was disarmed has its handler
    // queued already, with no error: the flag keeps that one from running.
    timer_.async_wait(
        [disarmed = disarmed_, on_fire = std::move(on_fire)](const boost::system::error_code& ec) {
          if (!ec && !*disarmed) {
            on_fire();
          }
        });
  }

  ~SteadyTimer() override {
    *disarmed_ = true;
    timer_.cancel();
  }

 private:
  std::shared_ptr<bool> disarmed_ = std::make_shared<bool>(false);
  boost::asio::steady_timer timer_;
};

}  // namespace

core::TimePoint SteadyClock::now() const {
  return std::chrono::steady_clock::now();
}

std::unique_ptr<Clock::Timer> SteadyClock::start_timer(boost::asio::io_context& io,
                                                       core::Duration delay,
                                                       std::function<void()> on_fire) {
  return std::make_unique<SteadyTimer>(io, delay, std::move(on_fire));
}

}  // namespace supervise::runtime
