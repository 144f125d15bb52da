#include <csignal>

#include "supervisor/cli/app.hpp"

int main(int argc, char** argv) {
  // A console that goes away (`supervise up | tee log`, then Ctrl-C kills
  // tee) must not kill the supervisor mid-shutdown and orphan its workers: a
  // failed write is an error to ignore, not a fatal signal. Every path that
  // starts a process restores the default disposition in the child.
  std::signal(SIGPIPE, SIG_IGN);
  return supervise::cli::run(argc, argv);
}
