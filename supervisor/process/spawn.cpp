#include "supervisor/process/spawn.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "supervisor/process/cgroup_v2.hpp"
#include "supervisor/process/child_descriptors.hpp"
#include "supervisor/process/child_signals.hpp"
#include "supervisor/process/pidfd.hpp"

extern char** environ;

namespace supervise::process {
namespace {

/// The step of the child's setup that failed, as the child reports it.
enum class Step : int { session, stdio, work_dir, exec };

struct FailureReport {
  Step step;
  int error;
};

const char* describe(Step step) {
  switch (step) {
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
  int report_fd;
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

/// The child, between fork and exec: system calls only, no allocation, no
/// lock (see spawn.hpp). Never returns.
[[noreturn]] void run_child(const ChildPlan& plan) {
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
      // Close-on-exec rather than closed: the report pipe must outlive a
      // failed exec.
      close_inherited_descriptors(plan.descriptor_bound);
      ::execve(plan.executable, plan.argv, plan.envp);
      report = {Step::exec, errno};
    }
  }
  // Explained before reported: once reported, the parent may reap us.
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
  [[maybe_unused]] const auto sent = ::write(plan.report_fd, &report, sizeof report);
  ::_exit(127);
}

/// Kills and reaps a child that will never exec.
void discard_child(int pid) {
  ::kill(pid, SIGKILL);
  while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
  }
}

/// Waits for the child's report: none (end of file: it executed), a
/// failure, or nothing within the deadline (ETIMEDOUT).
FailureReport await_exec(int report_fd) {
  const auto until = std::chrono::steady_clock::now() + kExecDeadline;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        until - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      return {Step::exec, ETIMEDOUT};
    }
    pollfd ready{report_fd, POLLIN, 0};
    const int polled = ::poll(&ready, 1, static_cast<int>(left.count()) + 1);
    if (polled < 0 && errno == EINTR) {
      continue;
    }
    if (polled < 0) {
      return {Step::exec, errno};
    }
    if (polled == 0) {
      continue;
    }
    FailureReport report{Step::exec, 0};
    const auto got = ::read(report_fd, &report, sizeof report);
    if (got < 0 && errno == EINTR) {
      continue;
    }
    if (got == 0) {
      return {Step::exec, 0};
    }
    if (got != static_cast<ssize_t>(sizeof report)) {
      return {Step::exec, got < 0 ? errno : EPROTO};
    }
    return report;
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

  int report_pipe[2];
  if (::pipe2(report_pipe, O_CLOEXEC) != 0) {
    return fail(errno, "make a pipe to start");
  }
  FileDescriptor report_reader(report_pipe[0]);
  FileDescriptor report_writer(report_pipe[1]);

  const ChildPlan plan{
      executable.c_str(),
      argv.data(),
      request.inherit_environment ? environ : envp.data(),
      work_dir.empty() ? nullptr : work_dir.c_str(),
      {request.stdin_fd, request.stdout_fd, request.stderr_fd},
      request.new_session,
      request.cgroup_procs_fd,
      request.explain_failure_on_stderr,
      descriptor_bound(),
      report_writer.get(),
  };

  sigset_t all;
  sigset_t previous;
  ::sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &previous);
  const pid_t pid = ::fork();
  if (pid == 0) {
    run_child(plan);
  }
  const int fork_error = errno;
  ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  if (pid < 0) {
    return fail(fork_error, "fork to start");
  }
  report_writer.reset();

  const FailureReport report = await_exec(report_reader.get());
  if (report.error != 0) {
    discard_child(pid);
    if (report.error == ETIMEDOUT) {
      result.error = ETIMEDOUT;
      result.message = "cannot start " + executable + ": it did not reach exec within " +
                       std::to_string(kExecDeadline.count()) + " ms";
      return result;
    }
    return fail(report.error, describe(report.step));
  }
  auto handle = open_pidfd(pid);
  if (!handle.fd.valid()) {
    // Nothing unwatched may run: the child (and, leading its own group,
    // anything it started already) goes.
    if (request.new_session) {
      ::kill(-pid, SIGKILL);
    }
    discard_child(pid);
    return fail(handle.error, "watch");
  }
  result.pid = pid;
  result.pidfd = std::move(handle.fd);
  return result;
}

}  // namespace supervise::process
