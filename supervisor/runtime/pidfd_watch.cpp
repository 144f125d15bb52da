#include "supervisor/runtime/pidfd_watch.hpp"

#include "supervisor/process/pidfd.hpp"

namespace supervise::runtime {

PidfdWatch::PidfdWatch(boost::asio::io_context& io, process::FileDescriptor pidfd)
    : descriptor_(io, pidfd.release()), alive_(std::make_shared<bool>(true)) {}

PidfdWatch::~PidfdWatch() {
  *alive_ = false;
}

bool PidfdWatch::ended() {
  return process::pidfd_exited(descriptor_.native_handle());
}

void PidfdWatch::async_wait(std::function<void()> on_ended) {
  descriptor_.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                         [this, alive = alive_,
                          on_ended = std::move(on_ended)](boost::system::error_code error) mutable {
                           if (!*alive || error == boost::asio::error::operation_aborted) {
                             return;
                           }
                           // Epoll reports nothing but readiness and cancellation for a wait,
                           // so any other error is treated as a wakeup: checked, never trusted.
                           if (!ended()) {
                             async_wait(std::move(on_ended));
                             return;
                           }
                           on_ended();
                         });
}

}  // namespace supervise::runtime
