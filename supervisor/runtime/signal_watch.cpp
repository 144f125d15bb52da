#include "supervisor/runtime/signal_watch.hpp"

#include <signal.h>

namespace supervise::runtime {

SignalWatch::SignalWatch(boost::asio::io_context& io, Handler on_signal)
    : signals_(io, SIGINT, SIGTERM, SIGHUP), on_signal_(std::move(on_signal)) {
  signals_.add(SIGCHLD);
  wait();
}

SignalWatch::~SignalWatch() {
  boost::system::error_code ignored;
  signals_.cancel(ignored);
}

void SignalWatch::wait() {
  signals_.async_wait([this](const boost::system::error_code& ec, int signal) {
    if (ec == boost::asio::error::operation_aborted) {
      return;
    }
    wait();
    on_signal_(signal);
  });
}

}  // namespace supervise::runtime
