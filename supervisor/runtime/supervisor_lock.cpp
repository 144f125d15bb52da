#include "supervisor/runtime/supervisor_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <thread>

#include "supervisor/legacy/pid_file.hpp"
#include "supervisor/process/proc_reader.hpp"

namespace supervise::runtime {

namespace {

/// The PID file names a process, and it has ended (gone, or a zombie).
bool names_an_ended_process(const legacy::PidFileRead& read) {
  if (read.state != legacy::PidFileState::valid) {
    return false;
  }
  const auto stat = process::read_proc_stat(read.pid);
  return !stat || stat->has_ended();
}

}  // namespace

SupervisorLock::AcquireResult SupervisorLock::acquire(
    const std::filesystem::path& pid_file, std::chrono::milliseconds ended_holder_grace) {
  AcquireResult result;
  const auto directory =
      pid_file.parent_path().empty() ? std::filesystem::path(".") : pid_file.parent_path();
  process::FileDescriptor fd(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) {
    result.error = "cannot open " + directory.string() + ": " + std::strerror(errno);
    return result;
  }
  // Runs before the event loop exists: a short wait here holds up nothing.
  const auto give_up = std::chrono::steady_clock::now() + ended_holder_grace;
  while (true) {
    int locked = 0;
    while ((locked = ::flock(fd.get(), LOCK_EX | LOCK_NB)) != 0 && errno == EINTR) {
    }
    if (locked == 0) {
      break;
    }
    const int error = errno;
    if (error != EWOULDBLOCK) {
      result.error = "cannot lock " + directory.string() + ": " + std::strerror(error);
      return result;
    }
    const auto read = legacy::read_pid_file(pid_file);
    if (!names_an_ended_process(read) || std::chrono::steady_clock::now() >= give_up) {
      result.held_by_other = true;
      if (read.state == legacy::PidFileState::valid) {
        result.holder = read.pid;
      }
      return result;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
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
