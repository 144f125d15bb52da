#pragma once

// The signals supervise acts on, delivered through the io_context (never in
// a signal handler): SIGINT/SIGTERM (shutdown), SIGHUP (reload), SIGCHLD
// (orphans to reap).

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <functional>

namespace supervise::runtime {

class SignalWatch {
 public:
  using Handler = std::function<void(int signal)>;

  /// Starts listening at once; stops when destroyed.
  SignalWatch(boost::asio::io_context& io, Handler on_signal);
  ~SignalWatch();
  SignalWatch(const SignalWatch&) = delete;
  SignalWatch& operator=(const SignalWatch&) = delete;

 private:
  void wait();

  boost::asio::signal_set signals_;
  Handler on_signal_;
};

}  // namespace supervise::runtime
