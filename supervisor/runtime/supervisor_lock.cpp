#include "supervisor/runtime/supervisor_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "supervisor/legacy/pid_file.hpp"

namespace supervise::runtime {

SupervisorLock::AcquireResult SupervisorLock::acquire(const std::filesystem::path& path) {
  AcquireResult result;
  // The file is unlinked on release; a contender may have opened the old
  // inode meanwhile. So after locking, check the lock is on the file that
  // the path names now, else try again.
  for (int attempt = 0; attempt < 10; ++attempt) {
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) {
      result.error = "cannot open " + path.string() + ": " + std::strerror(errno);
      return result;
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      const int error = errno;
      ::close(fd);
      if (error == EWOULDBLOCK) {
        result.held_by_other = true;
        const auto read = legacy::read_pid_file(path);
        if (read.state == legacy::PidFileState::valid) {
          result.holder = read.pid;
        }
      } else {
        result.error = "cannot lock " + path.string() + ": " + std::strerror(error);
      }
      return result;
    }
    struct stat opened {};
    struct stat named {};
    if (::fstat(fd, &opened) != 0 || ::stat(path.c_str(), &named) != 0 ||
        opened.st_ino != named.st_ino || opened.st_dev != named.st_dev) {
      ::close(fd);
      continue;
    }
    const auto text = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd, 0) != 0 ||
        ::pwrite(fd, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size())) {
      result.error = "cannot write " + path.string() + ": " + std::strerror(errno);
      ::close(fd);
      return result;
    }
    result.lock.reset(new SupervisorLock(path, fd));
    return result;
  }
  result.error = "cannot lock " + path.string() + ": it keeps being replaced";
  return result;
}

SupervisorLock::~SupervisorLock() {
  ::unlink(path_.c_str());
  ::close(fd_);
}

}  // namespace supervise::runtime
