#pragma once

// Process file descriptors (Linux >= 5.3): a handle on one process that
// stays bound to it, so a PID recycled after it ended is never reached
// through it. Readable once the process has ended (zombie included).

#include <chrono>
#include <string>

#include "supervisor/process/file_descriptor.hpp"

namespace supervise::process {

struct PidfdOpen {
  FileDescriptor fd;  ///< valid when it worked
  int error = 0;      ///< errno otherwise (ESRCH: no such process)
};

/// pidfd_open(pid, 0), close-on-exec.
PidfdOpen open_pidfd(int pid);

/// True once the process behind `pidfd` has ended (readable without waiting).
bool pidfd_exited(int pidfd);

/// Blocks until the process behind `pidfd` has ended or `deadline` passed;
/// true if it ended.
bool wait_pidfd(int pidfd, std::chrono::milliseconds deadline);

/// pidfd_send_signal(pidfd, signal). True when delivered or the process has
/// already ended (ESRCH); otherwise false with `error` set.
bool pidfd_signal(int pidfd, int signal, std::string& error);

}  // namespace supervise::process
