#include "supervisor/process/spawn.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <span>

#include "supervisor/process/cgroup_v2.hpp"
#include "supervisor/process/child_descriptors.hpp"
#include "supervisor/process/child_signals.hpp"
#include "supervisor/process/pidfd.hpp"
#include "supervisor/process/vfork_clone.hpp"

#if defined(__SANITIZE_ADDRESS__)
#define SUPERVISE_ADDRESS_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SUPERVISE_ADDRESS_SANITIZER 1
#endif
#endif
#if SUPERVISE_ADDRESS_SANITIZER
#include <sanitizer/asan_interface.h>
#endif

extern char** environ;

namespace supervise::process {
namespace {

/// Room for the child's few frames (sanitizer builds make them larger).
constexpr std::size_t kChildStackSize = 64 * 1024;

/// The step of the child's setup that failed, as the child reports it.
enum class Step : int { start, session, stdio, work_dir, exec };

struct FailureReport {
  Step step;
  int error;
};

const char* describe(Step step) {
  switch (step) {
    case Step::start:
      return "start";
    case Step::session:
      return "start a session for";
    case Step::stdio:
      return "set up stdin, stdout and stderr of";
    case Step::work_dir:
      return "enter the working directory of";
    case Step::exec:
      return "execute";
  }
  return "start";
}

/// Everything the child touches, ready before the fork.
struct ChildPlan {
  const char* executable;
  char* const* argv;
  char* const* envp;
  const char* work_dir;  // null: stay
  int stdio[3];
  bool new_session;
  int cgroup_procs_fd;
  bool explain_failure;
  int descriptor_bound;
  /// Written by the child, read once it has exec'd or ended: the memory is
  /// shared. Until the child marks it, it says the child never got far.
  FailureReport report;
};

void say(const char* text) {
  [[maybe_unused]] const auto ignored = ::write(STDERR_FILENO, text, std::strlen(text));
}

/// Makes `fds` the child's 0, 1 and 2. A source that is itself one of 0..2
/// (and not already in place) is first moved above them, so that one dup2
/// never overwrites another's source; a missing one becomes /dev/null.
bool install_stdio(const int (&wanted)[3]) {
  int fds[3] = {wanted[0], wanted[1], wanted[2]};
  for (int target = 0; target < 3; ++target) {
    if (fds[target] < 0) {
      fds[target] = ::open("/dev/null", (target == 0 ? O_RDONLY : O_WRONLY) | O_CLOEXEC);
      if (fds[target] < 0) {
        return false;
      }
    }
    if (fds[target] < 3 && fds[target] != target) {
      fds[target] = ::fcntl(fds[target], F_DUPFD_CLOEXEC, 3);
      if (fds[target] < 0) {
        return false;
      }
    }
  }
  for (int target = 0; target < 3; ++target) {
    // dup2 onto itself would keep close-on-exec set.
    const bool ok = fds[target] == target ? ::fcntl(target, F_SETFD, 0) == 0
                                          : ::dup2(fds[target], target) == target;
    if (!ok) {
      return false;
    }
  }
  return true;
}

/// The child, between clone and exec: system calls only, no allocation, no
/// lock, and nothing written to memory but `plan.report` (see spawn.hpp).
/// Never returns: on success execve replaces it, on failure it exits.
int run_child(void* argument) {
  ChildPlan& plan = *static_cast<ChildPlan*>(argument);
  if (plan.cgroup_procs_fd >= 0) {
    join_cgroup(plan.cgroup_procs_fd);
  }
  FailureReport report{Step::exec, 0};
  if (plan.new_session && ::setsid() < 0) {
    report = {Step::session, errno};
  } else {
    restore_default_signals();
    if (!install_stdio(plan.stdio)) {
      report = {Step::stdio, errno};
    } else if (plan.work_dir != nullptr && ::chdir(plan.work_dir) != 0) {
      report = {Step::work_dir, errno};
    } else {
      close_inherited_descriptors(plan.descriptor_bound);
      // Marked as reached before the call: a child killed between here and
      // the exec then looks like a program that died at once, which is what
      // the caller will see of it anyway.
      plan.report = {Step::exec, 0};
      ::execve(plan.executable, plan.argv, plan.envp);
      report = {Step::exec, errno};
    }
  }
  if (plan.explain_failure) {
    say("supervise: cannot ");
    say(describe(report.step));
    say(" ");
    say(plan.executable);
    say(": ");
    const char* reason = ::strerrordesc_np(report.error);
    say(reason != nullptr ? reason : "unknown error");
    say("\n");
  }
  plan.report = report;
  ::_exit(127);
}

/// Under AddressSanitizer the child's frames marked parts of `stack` as
/// redzones in the shadow memory we share; frames of ours that later reuse
/// that part of the stack must not find them so.
void forget_child_frames([[maybe_unused]] std::span<std::byte> stack) {
#if SUPERVISE_ADDRESS_SANITIZER
  __asan_unpoison_memory_region(stack.data(), stack.size());
#endif
}

/// Reaps a child that has already ended (it reported a failure).
void reap(int pid) {
  while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
  }
}

}  // namespace

SpawnResult spawn_process(const SpawnRequest& request) {
  SpawnResult result;
  const auto fail = [&](int error, const char* what) {
    result.error = error;
    result.message = std::string("cannot ") + what + " " + request.executable.string() + ": " +
                     std::strerror(error);
    return std::move(result);
  };

  // Built before the fork: the child may not allocate.
  const std::string executable = request.executable.string();
  std::vector<std::string> argv_strings = request.argv;
  if (argv_strings.empty()) {
    argv_strings.push_back(executable);
  }
  std::vector<char*> argv;
  argv.reserve(argv_strings.size() + 1);
  for (auto& arg : argv_strings) {
    argv.push_back(arg.data());
  }
  argv.push_back(nullptr);
  std::vector<std::string> env_strings;
  std::vector<char*> envp;
  if (!request.inherit_environment) {
    env_strings = request.environment;
    envp.reserve(env_strings.size() + 1);
    for (auto& entry : env_strings) {
      envp.push_back(entry.data());
    }
    envp.push_back(nullptr);
  }
  const std::string work_dir = request.work_dir.string();

  ChildPlan plan{
      executable.c_str(),
      argv.data(),
      request.inherit_environment ? environ : envp.data(),
      work_dir.empty() ? nullptr : work_dir.c_str(),
      {request.stdin_fd, request.stdout_fd, request.stderr_fd},
      request.new_session,
      -1,
      request.explain_failure_on_stderr,
      descriptor_bound(),
      {Step::start, ECANCELED},
  };

  // The child runs in our memory on this stack, below our frame, while
  // CLONE_VFORK holds this thread until it has exec'd or exited.
  alignas(16) std::array<std::byte, kChildStackSize> child_stack;
  sigset_t all;
  sigset_t previous;
  ::sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &previous);
  auto child = clone3_vfork(run_child, &plan, child_stack, request.cgroup_fd);
  result.born_in_cgroup = child && request.cgroup_fd >= 0;
  FileDescriptor cgroup_procs;
  if (!child) {
    // The child joins by itself (see vfork_clone.hpp for what that costs).
    if (request.cgroup_fd >= 0) {
      cgroup_procs =
          FileDescriptor(::openat(request.cgroup_fd, "cgroup.procs", O_WRONLY | O_CLOEXEC));
      plan.cgroup_procs_fd = cgroup_procs.get();
    }
    child = clone_vfork(run_child, &plan, child_stack);
  }
  ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  forget_child_frames(child_stack);
  const int pid = child->pid;
  if (pid < 0) {
    return fail(child->error, "fork to start");
  }

  const FailureReport report = plan.report;
  if (report.error != 0) {
    reap(pid);
    if (report.step == Step::start) {
      result.error = report.error;
      result.message = "cannot start " + executable + ": it was killed before its exec";
      return result;
    }
    return fail(report.error, describe(report.step));
  }
  auto handle = child->pidfd.valid() ? PidfdOpen{std::move(child->pidfd), 0} : open_pidfd(pid);
  if (!handle.fd.valid()) {
    // Nothing unwatched may run: the child (and, leading its own group,
    // anything it started already) goes.
    if (request.new_session) {
      ::kill(-pid, SIGKILL);
    }
    ::kill(pid, SIGKILL);
    reap(pid);
    return fail(handle.error, "watch");
  }
  result.pid = pid;
  result.pidfd = std::move(handle.fd);
  return result;
}

}  // namespace supervise::process
