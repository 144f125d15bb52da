#include "supervisor/process/child_signals.hpp"

#include <signal.h>

#include <initializer_list>

namespace supervise::process {

void restore_default_signals() {
  for (const int signal : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGCHLD}) {
    ::signal(signal, SIG_DFL);
  }
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
}

}  // namespace supervise::process
