#pragma once

// Starting a program as a child of supervise, with nothing but
// async-signal-safe calls between clone and exec.
//
// Why not Boost.Process's launcher: in the child it tells the io_context
// about the fork, and Asio then copies its list of services into a
// std::vector: an allocation and a free between fork and exec. supervise has
// other threads (the journal writer, the Task Copilot reader, spdlog), and a
// lock one of them held at the fork stays held forever in the child. glibc's
// malloc covers that with its fork handlers; the AddressSanitizer runtime of
// GCC 12 has none. In CI a child of `up` spun forever before its exec (in
// sched_yield, as a sanitizer spin lock does) while the loop waited for that
// exec with no limit. Here everything the child needs is built before the
// clone, and the child makes system calls only.
//
// The child shares our memory until its exec (clone with CLONE_VM and
// CLONE_VFORK, as posix_spawn does) instead of getting a copy of it. A copy
// costs page tables in proportion to what we map: with 2,500 workers, fork
// was two thirds of the event loop's time and each start took three times
// as long as the first. Sharing is safe because this thread waits until the
// child has exec'd or exited, the child writes nothing of ours but its
// report (and this thread's errno), and it restores default signal handling before it unblocks any
// signal. What we cannot do here is give up on a child that never reaches
// exec: between clone and exec it makes only a handful of system calls.
// Not posix_spawn itself: the C library of Debian 12 (glibc 2.36) cannot
// make its child join a cgroup before exec, nor say in the worker's log
// which step failed.

#include <filesystem>
#include <string>
#include <vector>

#include "supervisor/process/file_descriptor.hpp"

namespace supervise::process {

struct SpawnRequest {
  /// The program to execute, as is (no PATH search: see find_executable).
  std::filesystem::path executable;
  /// argv[0] first; empty means {executable}.
  std::vector<std::string> argv;
  /// The child's whole environment, "KEY=VALUE"; ignored when inherit is set.
  std::vector<std::string> environment;
  bool inherit_environment = false;
  /// The child's working directory; empty keeps ours.
  std::filesystem::path work_dir;
  /// The child's stdin, stdout and stderr (any may be the same descriptor).
  int stdin_fd = -1;
  int stdout_fd = -1;
  int stderr_fd = -1;
  /// The child leads a new session (and process group), so that the whole
  /// group can be signalled; otherwise it stays in ours.
  bool new_session = true;
  /// An open cgroup v2 directory: the child starts inside it where the
  /// kernel can (SpawnResult::born_in_cgroup), else moves itself in before
  /// anything else; either way nothing it starts is ever outside. A refused
  /// move is not an error here: the caller then checks where the child is.
  int cgroup_fd = -1;
  /// A failed exec is also written to the child's stderr ("supervise:
  /// cannot execute PROGRAM: REASON"), where a person reads a worker's log.
  bool explain_failure_on_stderr = false;
};

struct SpawnResult {
  int pid = 0;           ///< our child, not reaped yet; 0 when nothing runs
  FileDescriptor pidfd;  ///< close-on-exec
  int error = 0;         ///< errno of the failed step
  std::string message;   ///< "cannot execute /x: No such file or directory"
  /// Created inside SpawnRequest::cgroup_fd: no check needed.
  bool born_in_cgroup = false;

  bool started() const { return pid > 0; }
};

/// Starts `request`, returning once the child has exec'd or failed. Every
/// signal is blocked in this thread across the clone, so that one sent to the child before it
/// restored the default dispositions is neither lost nor run by a copy of our handlers. On failure
/// nothing is left running and the child, if there was one, is reaped.
SpawnResult spawn_process(const SpawnRequest& request);

}  // namespace supervise::process
