#include "supervisor/process/process_group.hpp"

#include <signal.h>

#include <cerrno>
#include <cstring>

namespace supervise::process {
namespace {

bool send(int target, int signal, std::string& error) {
  if (::kill(target, signal) == 0 || errno == ESRCH) {
    return true;
  }
  error = std::strerror(errno);
  return false;
}

}  // namespace

bool group_exists(int pgid) {
  if (pgid < 2) {
    return false;
  }
  return ::kill(-pgid, 0) == 0 || errno == EPERM;
}

bool signal_group(int pgid, int signal, std::string& error) {
  if (pgid < 2) {
    error = "refusing to signal process group " + std::to_string(pgid);
    return false;
  }
  return send(-pgid, signal, error);
}

bool signal_process(int pid, int signal, std::string& error) {
  if (pid < 2) {
    error = "refusing to signal process " + std::to_string(pid);
    return false;
  }
  return send(pid, signal, error);
}

}  // namespace supervise::process
