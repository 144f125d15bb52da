#include "supervisor/legacy/supervisor_lock_probe.hpp"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstring>

#include "supervisor/legacy/pid_file.hpp"
#include "supervisor/process/file_descriptor.hpp"

namespace supervise::legacy {

SupervisorLockProbe probe_supervisor_lock(const std::filesystem::path& pid_file) {
  SupervisorLockProbe probe;
  const auto directory =
      pid_file.parent_path().empty() ? std::filesystem::path(".") : pid_file.parent_path();
  process::FileDescriptor fd(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno != ENOENT) {
      probe.error = "cannot open " + directory.string() + ": " + std::strerror(errno);
    }
    return probe;
  }
  int result = 0;
  while ((result = ::flock(fd.get(), LOCK_SH | LOCK_NB)) != 0 && errno == EINTR) {
  }
  const int error = result == 0 ? 0 : errno;
  fd.reset();  // releases the shared lock, if taken
  if (result == 0) {
    return probe;
  }
  if (error != EWOULDBLOCK) {
    probe.error = "cannot lock " + directory.string() + ": " + std::strerror(error);
    return probe;
  }
  probe.held = true;
  const PidFileRead read = read_pid_file(pid_file);
  if (read.state == PidFileState::valid) {
    probe.pid = read.pid;
  }
  return probe;
}

}  // namespace supervise::legacy
