#pragma once

// A wakeup for a descriptor that has nothing to report, made the way
// `supervise up` met it.
//
// Asio keeps one record per registered descriptor and recycles the record of
// a closed descriptor for the next one registered. Readiness that epoll has
// already reported for a descriptor waits in the loop's queue with that
// record; when a handler that runs before it closes the descriptor and
// registers another one, the queued readiness is delivered to the new
// descriptor's waiter. In `supervise up`, the new descriptor was a restarted
// worker's pidfd: reported readable while the worker ran.

#include <fcntl.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <functional>

namespace supervise::testing {

class RecycledReadiness {
 public:
  explicit RecycledReadiness(boost::asio::io_context& io) : trigger_(io), doomed_(io) {
    int trigger[2];
    int doomed[2];
    if (::pipe2(trigger, O_NONBLOCK | O_CLOEXEC) != 0) {
      return;
    }
    if (::pipe2(doomed, O_NONBLOCK | O_CLOEXEC) != 0) {
      ::close(trigger[0]);
      ::close(trigger[1]);
      return;
    }
    doomed_.assign(doomed[0]);
    trigger_.assign(trigger[0]);
    doomed_writer_ = doomed[1];
    trigger_writer_ = trigger[1];
  }

  ~RecycledReadiness() {
    for (const int fd : {trigger_writer_, doomed_writer_}) {
      if (fd >= 0) {
        ::close(fd);
      }
    }
  }

  RecycledReadiness(const RecycledReadiness&) = delete;
  RecycledReadiness& operator=(const RecycledReadiness&) = delete;

  bool valid() const { return trigger_writer_ >= 0 && doomed_writer_ >= 0; }

  /// Makes both pipes readable, the trigger first, so that one epoll_wait
  /// reports both, in that order. The trigger's handler then closes the
  /// doomed pipe and calls `register_next`, which must register one
  /// descriptor on the io_context: it inherits the doomed pipe's readiness,
  /// delivered once the handlers queued before it have run (run the context
  /// until `ran()`, then poll() it).
  void arm(std::function<void()> register_next) {
    trigger_.async_wait(
        boost::asio::posix::stream_descriptor::wait_read,
        [this, register_next = std::move(register_next)](const boost::system::error_code& error) {
          if (error) {
            return;
          }
          doomed_.close();
          register_next();
          ran_ = true;
        });
    [[maybe_unused]] auto written = ::write(trigger_writer_, "x", 1);
    written = ::write(doomed_writer_, "x", 1);
  }

  bool ran() const { return ran_; }

 private:
  boost::asio::posix::stream_descriptor trigger_;
  boost::asio::posix::stream_descriptor doomed_;
  int trigger_writer_ = -1;
  int doomed_writer_ = -1;
  bool ran_ = false;
};

}  // namespace supervise::testing
