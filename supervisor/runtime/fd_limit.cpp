#include "supervisor/runtime/fd_limit.hpp"

#include <sys/resource.h>

#include <cerrno>
#include <cstring>

namespace supervise::runtime {

namespace {

/// Logs, journal, Task Copilot (with WAL and shm), epoll, signal pipe,
/// inotify, timers, the control listener and its spare, stdio.
constexpr std::uint64_t kFixedDescriptors = 48;
/// A running worker's pidfd; a starting one's log file, /dev/null and the
/// launcher's exec-error pipe; the /proc reads of its drain.
constexpr std::uint64_t kPerWorker = 4;

std::uint64_t as_count(rlim_t value) {
  return value == RLIM_INFINITY ? UINT64_MAX : static_cast<std::uint64_t>(value);
}

}  // namespace

FdLimit raise_fd_limit() {
  FdLimit limit;
  rlimit files{};
  if (::getrlimit(RLIMIT_NOFILE, &files) != 0) {
    limit.error = std::string("getrlimit(RLIMIT_NOFILE): ") + std::strerror(errno);
    return limit;
  }
  limit.before = as_count(files.rlim_cur);
  limit.soft = limit.before;
  limit.hard = as_count(files.rlim_max);
  if (files.rlim_cur == files.rlim_max) {
    return limit;
  }
  files.rlim_cur = files.rlim_max;
  if (::setrlimit(RLIMIT_NOFILE, &files) != 0) {
    limit.error = std::string("setrlimit(RLIMIT_NOFILE): ") + std::strerror(errno);
    return limit;
  }
  limit.soft = limit.hard;
  return limit;
}

std::uint64_t descriptors_needed(std::size_t workers, std::size_t max_control_connections) {
  return kFixedDescriptors + max_control_connections + kPerWorker * workers;
}

}  // namespace supervise::runtime
