#include "supervisor/process/vfork_clone.hpp"

#include <sched.h>
// After <sched.h>: the kernel's struct clone_args and CLONE_INTO_CGROUP.
#include <linux/sched.h>
#include <signal.h>
#include <sys/syscall.h>

#include <atomic>
#include <cerrno>
#include <cstdint>

namespace supervise::process {
namespace {

/// Cleared once the kernel says it has no clone3 (ENOSYS) or no
/// CLONE_INTO_CGROUP (E2BIG: it does not know the cgroup field).
std::atomic<bool> clone3_usable{true};

#if defined(__x86_64__)
/// The clone3 system call, with the child's side written out: a child with
/// its own stack cannot return through any C function (its return address
/// is on the stack it does not have), so it calls `entry` from here and
/// exits with what that returns. The parent gets the child's PID or -errno.
long raw_clone3(clone_args* args, ChildEntry entry, void* argument) {
  register long result asm("rax") = SYS_clone3;
  register clone_args* args_register asm("rdi") = args;
  register unsigned long size asm("rsi") = sizeof *args;
  // Callee-saved registers, which the kernel copies into the child.
  register ChildEntry entry_register asm("r12") = entry;
  register void* argument_register asm("r13") = argument;
  asm volatile(
      "syscall\n\t"
      "test %%rax, %%rax\n\t"
      "jnz 1f\n\t"
      // The child, on its new stack (16-byte aligned, as a call needs).
      "xor %%ebp, %%ebp\n\t"
      "mov %%r13, %%rdi\n\t"
      "call *%%r12\n\t"
      "mov %%eax, %%edi\n\t"
      "mov %[exit_call], %%eax\n\t"
      "syscall\n\t"
      "hlt\n\t"
      "1:\n\t"
      : "+r"(result)
      : "r"(args_register), "r"(size), "r"(entry_register),
        "r"(argument_register), [exit_call] "i"(SYS_exit)
      : "rcx", "r11", "memory", "cc");
  return result;
}
#endif

}  // namespace

std::optional<ClonedChild> clone3_vfork([[maybe_unused]] ChildEntry entry,
                                        [[maybe_unused]] void* argument,
                                        [[maybe_unused]] std::span<std::byte> stack,
                                        [[maybe_unused]] int cgroup_directory_fd) {
#if defined(__x86_64__)
  if (!clone3_usable.load(std::memory_order_relaxed)) {
    return std::nullopt;
  }
  int pidfd = -1;
  clone_args args{};
  args.flags = CLONE_VM | CLONE_VFORK | CLONE_PIDFD;
  args.pidfd = reinterpret_cast<std::uintptr_t>(&pidfd);
  args.exit_signal = SIGCHLD;
  args.stack = reinterpret_cast<std::uintptr_t>(stack.data());
  args.stack_size = stack.size();
  if (cgroup_directory_fd >= 0) {
    args.flags |= CLONE_INTO_CGROUP;
    args.cgroup = static_cast<std::uint64_t>(cgroup_directory_fd);
  }
  const long result = raw_clone3(&args, entry, argument);
  if (result < 0) {
    const int error = static_cast<int>(-result);
    if (error == ENOSYS || error == E2BIG) {
      clone3_usable.store(false, std::memory_order_relaxed);
    }
    // Whatever else it was (a cgroup the kernel will not start a process
    // in, a shortage), clone_vfork meets it again and reports it.
    return std::nullopt;
  }
  ClonedChild child;
  child.pid = static_cast<int>(result);
  child.pidfd = FileDescriptor(pidfd);
  return child;
#else
  return std::nullopt;
#endif
}

ClonedChild clone_vfork(ChildEntry entry, void* argument, std::span<std::byte> stack) {
  ClonedChild child;
  child.pid =
      ::clone(entry, stack.data() + stack.size(), CLONE_VM | CLONE_VFORK | SIGCHLD, argument);
  if (child.pid < 0) {
    child.error = errno;
  }
  return child;
}

}  // namespace supervise::process
