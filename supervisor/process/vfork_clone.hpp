#pragma once

// A child that shares our memory until its exec: the calling thread is held
// (CLONE_VFORK) until the child has exec'd or exited, and the child runs
// `entry` on a stack the caller lends it. This is how posix_spawn starts
// programs: no copy of our page tables, whose cost grows with what we map.
//
// Two ways in. clone3 (Linux 5.3; on x86-64 here) can create the child
// directly inside a cgroup (CLONE_INTO_CGROUP, Linux 5.7) and hand back its
// pidfd. The cgroup matters for speed: a process that moves itself into a
// cgroup by writing cgroup.procs takes the kernel's cgroup migration lock
// for writing, which waits for an RCU grace period, measured at 10 to 20 ms
// per worker start here; a child born inside pays nothing. clone, the C
// library's wrapper, works everywhere and leaves joining to the child.

#include <cstddef>
#include <optional>
#include <span>

#include "supervisor/process/file_descriptor.hpp"

namespace supervise::process {

struct ClonedChild {
  int pid = -1;          ///< -1 when nothing was started (`error` says why)
  int error = 0;         ///< errno of the failed clone
  FileDescriptor pidfd;  ///< from clone3 only, close-on-exec
};

/// The child's code: it must end in execve or _exit, never return.
using ChildEntry = int (*)(void* argument);

/// clone3 with CLONE_VM | CLONE_VFORK | CLONE_PIDFD, and CLONE_INTO_CGROUP
/// when `cgroup_directory_fd` >= 0 (an open cgroup v2 directory). nullopt
/// when it could not be used (not this kernel or architecture, or the
/// kernel refused the cgroup): the caller then falls back to clone_vfork.
std::optional<ClonedChild> clone3_vfork(ChildEntry entry, void* argument,
                                        std::span<std::byte> stack, int cgroup_directory_fd);

/// The C library's clone with CLONE_VM | CLONE_VFORK.
ClonedChild clone_vfork(ChildEntry entry, void* argument, std::span<std::byte> stack);

}  // namespace supervise::process
