#include "supervisor/legacy/supervisor_lock_probe.hpp"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstring>

#include "supervisor/legacy/pid_file.hpp"

namespace supervise::legacy {

SupervisorLockProbe probe_supervisor_lock(const std::filesystem::path& path) {
  SupervisorLockProbe probe;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) {
    if (errno != ENOENT) {
      probe.error = "cannot open " + path.string() + ": " + std::strerror(errno);
    }
    return probe;
  }
  int result = 0;
  while ((result = ::flock(fd, LOCK_SH | LOCK_NB)) != 0 && errno == EINTR) {
  }
  const int error = result == 0 ? 0 : errno;
  ::close(fd);  // releases the shared lock, if taken
  if (result == 0) {
    return probe;
  }
  if (error != EWOULDBLOCK) {
    probe.error = "cannot lock " + path.string() + ": " + std::strerror(error);
    return probe;
  }
  probe.held = true;
  const PidFileRead read = read_pid_file(path);
  if (read.state == PidFileState::valid) {
    probe.pid = read.pid;
  }
  return probe;
}

}  // namespace supervise::legacy
