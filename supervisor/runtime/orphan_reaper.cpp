#include "supervisor/runtime/orphan_reaper.hpp"

#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "supervisor/process/proc_reader.hpp"

namespace supervise::runtime {

bool become_child_subreaper() {
  return ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0;
}

bool OrphanReaper::is_orphan(int pid, int own_session) const {
  if (tracked_.contains(pid)) {
    return false;
  }
  const auto stat = process::read_proc_stat(pid);
  return stat && stat->is_zombie() && stat->session != own_session;
}

OrphanReaper::Reaped OrphanReaper::reap() {
  const int own_session = ::getsid(0);
  Reaped result;
  for (;;) {
    siginfo_t info{};
    if (::waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) != 0 || info.si_pid == 0) {
      return result;
    }
    const int pid = info.si_pid;
    if (!is_orphan(pid, own_session) || ::waitpid(pid, nullptr, WNOHANG) != pid) {
      result.blocked_by = pid;
      return result;
    }
    ++result.count;
  }
}

int OrphanReaper::reap_all() {
  const int own_session = ::getsid(0);
  int reaped = 0;
  for (const int pid : process::own_child_pids()) {
    if (is_orphan(pid, own_session) && ::waitpid(pid, nullptr, WNOHANG) == pid) {
      ++reaped;
    }
  }
  return reaped;
}

int OrphanReaper::reap_group(int pgid) {
  if (pgid < 2) {
    return 0;
  }
  int reaped = 0;
  while (::waitpid(-pgid, nullptr, WNOHANG) > 0) {
    ++reaped;
  }
  return reaped;
}

}  // namespace supervise::runtime
