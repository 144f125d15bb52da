#include "supervisor/runtime/orphan_reaper.hpp"

#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "supervisor/process/proc_reader.hpp"

namespace supervise::runtime {

bool become_child_subreaper() {
  return ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0;
}

int OrphanReaper::reap() {
  const int own_session = ::getsid(0);
  int reaped = 0;
  for (const int pid : process::own_child_pids()) {
    if (tracked_.contains(pid)) {
      continue;
    }
    const auto stat = process::read_proc_stat(pid);
    if (!stat || !stat->is_zombie() || stat->session == own_session) {
      continue;
    }
    if (::waitpid(pid, nullptr, WNOHANG) == pid) {
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
