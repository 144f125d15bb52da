#include "supervisor/process/pidfd.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace supervise::process {

PidfdOpen open_pidfd(int pid) {
  PidfdOpen result;
  if (pid < 1) {
    result.error = ESRCH;
    return result;
  }
  // pidfd_open sets close-on-exec itself.
  const long fd = ::syscall(SYS_pidfd_open, pid, 0);
  if (fd < 0) {
    result.error = errno;
  } else {
    result.fd.reset(static_cast<int>(fd));
  }
  return result;
}

bool wait_pidfd(int pidfd, std::chrono::milliseconds deadline) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        until - std::chrono::steady_clock::now());
    pollfd readable{pidfd, POLLIN, 0};
    const int ready = ::poll(&readable, 1, static_cast<int>(std::max<long long>(left.count(), 0)));
    if (ready >= 0 || errno != EINTR) {
      return ready > 0;
    }
  }
}

bool pidfd_exited(int pidfd) {
  return wait_pidfd(pidfd, std::chrono::milliseconds(0));
}

bool pidfd_signal(int pidfd, int signal, std::string& error) {
  if (::syscall(SYS_pidfd_send_signal, pidfd, signal, nullptr, 0) == 0 || errno == ESRCH) {
    return true;
  }
  error = std::string("pidfd_send_signal: ") + std::strerror(errno);
  return false;
}

}  // namespace supervise::process
