#include "supervisor/runtime/supervisor_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "supervisor/legacy/pid_file.hpp"

namespace supervise::runtime {

SupervisorLock::AcquireResult SupervisorLock::acquire(const std::filesystem::path& pid_file) {
  AcquireResult result;
  const auto directory =
      pid_file.parent_path().empty() ? std::filesystem::path(".") : pid_file.parent_path();
  process::FileDescriptor fd(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) {
    result.error = "cannot open " + directory.string() + ": " + std::strerror(errno);
    return result;
  }
  int locked = 0;
  while ((locked = ::flock(fd.get(), LOCK_EX | LOCK_NB)) != 0 && errno == EINTR) {
  }
  if (locked != 0) {
    const int error = errno;
    if (error == EWOULDBLOCK) {
      result.held_by_other = true;
      const auto read = legacy::read_pid_file(pid_file);
      if (read.state == legacy::PidFileState::valid) {
        result.holder = read.pid;
      }
    } else {
      result.error = "cannot lock " + directory.string() + ": " + std::strerror(error);
    }
    return result;
  }
  if (!legacy::write_pid_file(pid_file, static_cast<int>(::getpid()), result.error)) {
    return result;
  }
  result.lock.reset(new SupervisorLock(pid_file, std::move(fd)));
  return result;
}

SupervisorLock::~SupervisorLock() {
  std::string ignored;
  legacy::remove_pid_file_if_holds(pid_file_, static_cast<int>(::getpid()), ignored);
  // The lock goes with the directory's descriptor.
}

}  // namespace supervise::runtime
