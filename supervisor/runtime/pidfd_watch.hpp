#pragma once

// Waiting on the event loop for a process to end, through its pidfd.
//
// A wakeup of the pidfd is a hint, not a fact. Asio recycles its record of a
// closed descriptor for the next one it registers, and a readiness it has
// already collected for the closed one is then delivered to the new one: a
// pidfd registered in the same turn of the loop in which another descriptor
// was closed can be reported readable while its process runs. So the end is
// confirmed with a poll that does not wait, and a wakeup without it waits
// again. Nothing here blocks; in particular nothing calls a blocking
// waitpid(), which Boost.Process's own async_wait does after any wakeup (a
// loop stuck there until the worker ends answers no one).

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <functional>
#include <memory>

#include "supervisor/process/file_descriptor.hpp"

namespace supervise::runtime {

class PidfdWatch {
 public:
  /// Takes `pidfd` (from process::open_pidfd) into `io`.
  PidfdWatch(boost::asio::io_context& io, process::FileDescriptor pidfd);
  /// Closes the pidfd; a pending `on_ended` is never called.
  ~PidfdWatch();
  PidfdWatch(const PidfdWatch&) = delete;
  PidfdWatch& operator=(const PidfdWatch&) = delete;

  /// Calls `on_ended` once, from `io`, when the process has ended (a zombie
  /// or gone). One wait at a time.
  void async_wait(std::function<void()> on_ended);
  /// Drops the pending wait: its `on_ended` is not called.
  void cancel() { descriptor_.cancel(); }
  /// True once the process has ended; never waits.
  bool ended();
  /// For pidfd_send_signal.
  int native_handle() { return descriptor_.native_handle(); }

 private:
  boost::asio::posix::stream_descriptor descriptor_;
  /// False once destroyed: a completion already queued then finds it gone.
  std::shared_ptr<bool> alive_;
};

}  // namespace supervise::runtime
