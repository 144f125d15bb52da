#include "supervisor/runtime/child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cerrno>
#include <cstring>
#include <optional>

#include "supervisor/process/cgroup_v2.hpp"
#include "supervisor/process/file_descriptor.hpp"
#include "supervisor/process/pidfd.hpp"
#include "supervisor/process/proc_reader.hpp"
#include "supervisor/process/process_group.hpp"
#include "supervisor/process/session_scan.hpp"
#include "supervisor/process/spawn.hpp"
#include "supervisor/runtime/log_relay_process.hpp"
#include "supervisor/runtime/pidfd_watch.hpp"

namespace supervise::runtime {

namespace asio = boost::asio;
using process::FileDescriptor;

namespace {

bool is_resource_shortage(int error) {
  return error == EMFILE || error == ENFILE || error == EAGAIN || error == ENOMEM;
}

/// Whether process `pid` (a zombie too) is in the cgroup whose directory is
/// `cgroup`, by /proc/<pid>/cgroup: its v2 path ends with that directory.
bool in_cgroup(int pid, const std::filesystem::path& cgroup) {
  const auto text = process::read_proc_cgroup(pid);
  const auto path = text ? process::parse_cgroup_v2_path(*text) : std::nullopt;
  const auto name = "/" + cgroup.filename().string();
  return path && path->ends_with(name);
}

}  // namespace

core::ExitStatus exit_status_from_wait(int status) {
  if (WIFSIGNALED(status)) {
    return core::ExitStatus::killed(WTERMSIG(status));
  }
  if (WIFEXITED(status)) {
    return core::ExitStatus::exited(WEXITSTATUS(status));
  }
  return core::ExitStatus::unknown();
}

struct ChildProcessImpl : std::enable_shared_from_this<ChildProcessImpl> {
  ChildProcessImpl(asio::io_context& io, OrphanReaper& reaper, ChildProcess::ExitHandler on_exit)
      : io(io), reaper(reaper), on_exit(std::move(on_exit)), drain_timer(io), relay_timer(io) {}

  asio::io_context& io;
  OrphanReaper& reaper;
  ChildProcess::ExitHandler on_exit;
  int pid = 0;
  /// The group we kill and drain; 0 when there is none of ours.
  int pgid = 0;
  bool adopted = false;
  bool main_exited = false;
  /// The group was seen empty: never signal its number again.
  bool group_gone = false;
  bool finished = false;
  core::ExitStatus status;

  std::shared_ptr<WorkerContainment> containment;  // null: the group only
  bool sweeping = false;
  std::optional<PidfdWatch> watch;
  asio::steady_timer drain_timer;
  std::chrono::steady_clock::time_point drain_started;
  std::chrono::milliseconds drain_delay{1};
  bool drain_warned = false;

  /// The log relay writing this worker's output (log_relay_process.hpp).
  std::optional<LogRelayRef> relay;
  /// Set for an adopted worker's relay only (follow_log_relay): its exit is
  /// waited for before the worker's is reported, so that the log holds the
  /// exit banner it is read from by then. Ours outlive a run (log_relays.hpp).
  std::optional<PidfdWatch> relay_watch;
  asio::steady_timer relay_timer;
  bool relay_waiting = false;
  bool relay_settled = false;

  void watch_main() {
    std::weak_ptr<ChildProcessImpl> weak = shared_from_this();
    watch->async_wait([weak] {
      auto self = weak.lock();
      if (!self) {
        return;
      }
      if (self->adopted) {
        self->main_ended(core::ExitStatus::unknown());  // not ours to reap
        return;
      }
      // It has ended, so this does not wait. Reaped by someone else
      // (ECHILD), its status is unknown; the group is drained all the same.
      int raw = 0;
      const bool reaped = ::waitpid(self->pid, &raw, WNOHANG) == self->pid;
      self->reaper.untrack(self->pid);
      self->main_ended(reaped ? exit_status_from_wait(raw) : core::ExitStatus::unknown());
    });
  }

  void main_ended(core::ExitStatus exit) {
    main_exited = true;
    status = exit;
    drain_started = std::chrono::steady_clock::now();
    drain();
  }

  /// SIGKILL whatever is left of the group (the agent of a killed shim, a
  /// straggler that forked meanwhile) and of the containment (what left the
  /// group), reap orphans, and look again shortly until both are empty.
  void drain() {
    reaper.reap_group(pgid);
    // The /proc scan is the slow path: for a group we spawned, the kill
    // below and our own reaping empty it within milliseconds.
    const bool scan = adopted || std::chrono::steady_clock::now() - drain_started >
                                     std::chrono::milliseconds(100);
    bool group_left = true;
    if (pgid == 0 || !process::group_exists(pgid)) {
      group_gone = true;
      group_left = false;
    } else if (scan && only_zombies_left()) {
      group_left = false;
    }
    if (group_left) {
      std::string error;
      process::signal_group(pgid, SIGKILL, error);
    }
    if (!containment) {
      if (!group_left) {
        finish();
        return;
      }
      next_round();
      return;
    }
    if (sweeping) {
      return;
    }
    sweeping = true;
    std::weak_ptr<ChildProcessImpl> weak = shared_from_this();
    containment->sweep([weak, group_left](std::size_t found) {
      auto self = weak.lock();
      if (!self) {
        return;
      }
      self->sweeping = false;
      if (!group_left && found == 0) {
        self->finish();
        return;
      }
      self->next_round();
    });
  }

  /// Arms the next drain round, more slowly once it has taken long.
  void next_round() {
    const auto waited = std::chrono::steady_clock::now() - drain_started;
    if (waited >= ChildProcess::kDrainWarnAfter) {
      if (!drain_warned) {
        drain_warned = true;
        std::string members;
        for (const auto& member :
             process::live_processes_with(process::ScanKey::process_group, pgid)) {
          members += (members.empty() ? "" : ", ") + std::to_string(member.pid);
        }
        spdlog::warn("process group {} of pid {} survives SIGKILL (members: {}); still waiting",
                     pgid, pid, members.empty() ? "none visible" : members);
      }
      drain_delay = std::chrono::milliseconds(1000);
    } else {
      drain_delay = std::min(drain_delay * 2, std::chrono::milliseconds(50));
    }
    drain_timer.expires_after(drain_delay);
    std::weak_ptr<ChildProcessImpl> weak = shared_from_this();
    drain_timer.async_wait([weak](boost::system::error_code ec) {
      auto self = weak.lock();
      if (!self || ec == asio::error::operation_aborted) {
        return;
      }
      self->drain();
    });
  }

  /// Only zombies that another process must reap are left (the process that
  /// started an adopted shim, or init for its orphans): they run nothing any
  /// more. Our own zombies are reaped by the next drain round.
  bool only_zombies_left() const {
    const int self = ::getpid();
    for (const auto& member : process::processes_with(process::ScanKey::process_group, pgid)) {
      if (!member.is_zombie() || member.ppid == self) {
        return false;
      }
    }
    return true;
  }

  void finish() {
    if (finished) {
      return;
    }
    if (relay_watch && !relay_settled) {
      wait_for_relay();
      return;
    }
    finished = true;
    asio::post(io, [handler = on_exit, exit = status] { handler(exit); });
  }

  /// Every writer of the pipe has ended, so the relay is at the end of its
  /// input. If something outside the group and containment still holds the
  /// pipe, the relay runs on (it ends with that holder); the worker's exit
  /// is reported after kLogRelayWait all the same.
  void wait_for_relay() {
    if (relay_waiting) {
      return;
    }
    relay_waiting = true;
    std::weak_ptr<ChildProcessImpl> weak = shared_from_this();
    relay_watch->async_wait([weak] {
      if (auto self = weak.lock()) {
        self->relay_ended();
      }
    });
    relay_timer.expires_after(kLogRelayWait);
    relay_timer.async_wait([weak](boost::system::error_code ec) {
      auto self = weak.lock();
      if (!self || ec == asio::error::operation_aborted || self->relay_settled) {
        return;
      }
      spdlog::warn(
          "the log relay (PID {}) of PID {} has not ended {} ms after it; something "
          "outside the worker still holds its output",
          self->relay->pid, self->pid, kLogRelayWait.count());
      self->relay_settled = true;
      self->relay_watch->cancel();
      self->finish();
    });
  }

  void relay_ended() {
    if (relay_settled) {
      return;
    }
    relay_settled = true;
    relay_timer.cancel();
    finish();
  }
};

ChildProcess::ChildProcess(std::unique_ptr<ChildProcessImpl> impl) : impl_(std::move(impl)) {}

ChildProcess::~ChildProcess() {
  if (!impl_) {
    return;
  }
  if (!impl_->adopted && !impl_->main_exited) {
    std::string ignored;
    process::signal_group(impl_->pgid, SIGKILL, ignored);
    // Not waited for here (no blocking): the reaper collects it.
    impl_->reaper.untrack(impl_->pid);
  }
  if (!impl_->adopted && !impl_->finished && impl_->containment) {
    // What left the group dies with it (the loop has stopped: nobody waits).
    impl_->containment->kill_now();
  }
}

ChildProcess::StartResult ChildProcess::spawn(asio::io_context& io, OrphanReaper& reaper,
                                              const LaunchSpec& spec, ExitHandler on_exit,
                                              std::shared_ptr<WorkerContainment> containment) {
  StartResult result;
  if (spec.argv.empty()) {
    result.error = "empty command";
    return result;
  }
  const auto path_var = environment_value(spec.env, "PATH");
  const auto executable = find_executable(spec.argv.front(), path_var, spec.work_dir);
  if (executable.empty()) {
    result.error = "command not found: " + spec.argv.front();
    return result;
  }
  std::error_code fs_error;
  if (!std::filesystem::is_directory(spec.work_dir, fs_error)) {
    result.error = "work dir is not a directory: " + spec.work_dir.string();
    return result;
  }

  const char* output_path = spec.output.empty() ? "/dev/null" : spec.output.c_str();
  FileDescriptor output;
  int output_fd = -1;
  if (spec.relay_process) {
    output_fd = spec.relay_process->writer.get();
  } else {
    output.reset(::open(output_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
    output_fd = output.get();
  }
  if (output_fd < 0) {
    result.out_of_resources = is_resource_shortage(errno);
    result.error = "cannot open " + std::string(output_path) + ": " + std::strerror(errno);
    return result;
  }
  FileDescriptor input(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (input.get() < 0) {
    result.out_of_resources = is_resource_shortage(errno);
    result.error = std::string("cannot open /dev/null: ") + std::strerror(errno);
    return result;
  }

  FileDescriptor cgroup_directory;
  if (containment && containment->has_cgroup()) {
    const auto& cgroup = containment->scope().cgroup;
    cgroup_directory = FileDescriptor(::open(cgroup.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!cgroup_directory.valid()) {
      spdlog::warn("cannot open {}: {}; containing the worker by its start marker", cgroup.string(),
                   std::strerror(errno));
      containment->drop_cgroup();
    }
  }

  auto impl = std::make_unique<ChildProcessImpl>(io, reaper, std::move(on_exit));
  // argv[0] is the resolved program, as ps and the identity checks see it.
  process::SpawnRequest request;
  request.executable = executable;
  request.argv = spec.argv;
  request.argv.front() = executable.string();
  request.environment = spec.env;
  request.work_dir = spec.work_dir;
  request.stdin_fd = input.get();
  request.stdout_fd = output_fd;
  request.stderr_fd = output_fd;
  request.new_session = true;
  request.cgroup_fd = cgroup_directory.valid() ? cgroup_directory.get() : -1;
  request.explain_failure_on_stderr = true;
  auto launched = process::spawn_process(request);
  if (!launched.started()) {
    result.out_of_resources = is_resource_shortage(launched.error);
    result.error = std::move(launched.message);
    return result;
  }
  impl->pid = launched.pid;
  impl->pgid = impl->pid;
  impl->watch.emplace(io, std::move(launched.pidfd));
  reaper.track(impl->pid);
  if (spec.relay_process) {
    // Kept across runs and waited for by its keeper (log_relays.hpp), not
    // at this run's end: only named here, for the worker record.
    impl->relay = LogRelayRef{spec.relay_process->pid, spec.relay_process->start_ticks, false};
  }
  if (containment && containment->has_cgroup() && !launched.born_in_cgroup) {
    // The child moved itself in before exec, so nothing it starts is ever
    // outside, but a refused move is not a failed start. The same write
    // from here is the cheapest check: it succeeds when the child is in
    // (already or now).
    const FileDescriptor cgroup_procs(
        ::openat(cgroup_directory.get(), "cgroup.procs", O_WRONLY | O_CLOEXEC));
    const auto pid_text = std::to_string(impl->pid);
    if ((!cgroup_procs.valid() ||
         ::write(cgroup_procs.get(), pid_text.data(), pid_text.size()) < 0) &&
        errno != ESRCH && !in_cgroup(impl->pid, containment->scope().cgroup)) {
      spdlog::warn("PID {} did not enter cgroup {}; containing it by its start marker", impl->pid,
                   containment->scope().cgroup.string());
      containment->drop_cgroup();
    }
  }
  impl->containment = std::move(containment);

  result.process.reset(new ChildProcess(std::move(impl)));
  result.process->impl_->watch_main();
  return result;
}

ChildProcess::AdoptResult ChildProcess::adopt(asio::io_context& io, OrphanReaper& reaper, int pid,
                                              ExitHandler on_exit) {
  return adopt(
      io, reaper, pid, [](int) { return std::string(); }, std::move(on_exit));
}

ChildProcess::AdoptResult ChildProcess::adopt(asio::io_context& io, OrphanReaper& reaper, int pid,
                                              const Verifier& verify, ExitHandler on_exit,
                                              std::shared_ptr<WorkerContainment> containment) {
  AdoptResult result;
  const auto not_running = [&] {
    result.failure = AdoptFailure::ended;
    result.error = "process " + std::to_string(pid) + " is not running";
    return std::move(result);
  };
  if (pid < 2) {
    return not_running();
  }
  // First the handle, then the checks: whatever they find is then true of
  // the process the handle watches, unless it has ended (checked last).
  auto opened = process::open_pidfd(pid);
  if (!opened.fd.valid()) {
    if (opened.error == ESRCH) {
      return not_running();
    }
    // Cannot watch it. Whether it is ours still matters: a stranger's PID is
    // simply not ours, our worker must not be started a second time.
    if (auto why = verify(pid); !why.empty()) {
      result.failure = AdoptFailure::not_verified;
      result.error = std::move(why);
      return result;
    }
    result.failure = AdoptFailure::cannot_watch;
    result.error = "pidfd_open(" + std::to_string(pid) + "): " + std::strerror(opened.error);
    return result;
  }
  const auto stat = process::read_proc_stat(pid);
  if (!stat || stat->has_ended()) {
    return not_running();
  }
  if (auto why = verify(pid); !why.empty()) {
    result.failure = AdoptFailure::not_verified;
    result.error = std::move(why);
    return result;
  }
  if (process::pidfd_exited(opened.fd.get())) {
    return not_running();
  }
  auto impl = std::make_unique<ChildProcessImpl>(io, reaper, std::move(on_exit));
  impl->pid = pid;
  impl->pgid = stat->pgrp == pid ? pid : 0;
  impl->adopted = true;
  impl->containment = std::move(containment);
  impl->watch.emplace(io, std::move(opened.fd));

  result.process.reset(new ChildProcess(std::move(impl)));
  result.process->impl_->watch_main();
  return result;
}

void ChildProcess::follow_log_relay(const LogRelayRef& relay) {
  auto& impl = *impl_;
  if (impl.relay || impl.finished || relay.pid < 2) {
    return;
  }
  // Handle first, then the identity check: a relay that ended before (its
  // PID perhaps reused) is simply not waited for.
  auto opened = process::open_pidfd(relay.pid);
  if (!opened.fd.valid()) {
    return;
  }
  const auto stat = process::read_proc_stat(relay.pid);
  if (!stat || stat->has_ended() || stat->start_ticks != relay.start_ticks) {
    return;
  }
  impl.relay = LogRelayRef{relay.pid, relay.start_ticks, true};
  impl.relay_watch.emplace(impl.io, std::move(opened.fd));
}

std::optional<LogRelayRef> ChildProcess::log_relay() const {
  return impl_->relay;
}

std::string_view to_string(ChildProcess::AdoptFailure value) {
  switch (value) {
    case ChildProcess::AdoptFailure::none:
      return "none";
    case ChildProcess::AdoptFailure::ended:
      return "ended";
    case ChildProcess::AdoptFailure::not_verified:
      return "not_verified";
    case ChildProcess::AdoptFailure::cannot_watch:
      return "cannot_watch";
  }
  return "unknown";
}

int ChildProcess::pid() const {
  return impl_->pid;
}
bool ChildProcess::adopted() const {
  return impl_->adopted;
}
bool ChildProcess::main_exited() const {
  return impl_->main_exited;
}
const std::shared_ptr<WorkerContainment>& ChildProcess::containment() const {
  return impl_->containment;
}
std::optional<int> ChildProcess::process_count() const {
  if (!impl_->containment) {
    return std::nullopt;
  }
  return impl_->containment->process_count();
}

bool ChildProcess::signal(int signal, std::string& error) {
  auto& impl = *impl_;
  if (impl.pgid != 0) {
    if (impl.group_gone) {
      return true;
    }
    // Our own unreaped child keeps its group number taken; an adopted
    // leader may have been reaped by its parent already.
    if ((impl.main_exited || impl.adopted) && !process::group_exists(impl.pgid)) {
      impl.group_gone = true;
      return true;
    }
    if (!impl.main_exited && !impl.adopted && !process::group_exists(impl.pgid)) {
      // Started a moment ago, not yet the leader of its own session: the
      // process alone is the whole group. It is our unreaped child, so its
      // PID is still its own.
      return process::signal_process(impl.pid, signal, error);
    }
    return process::signal_group(impl.pgid, signal, error);
  }
  if (impl.main_exited) {
    return true;
  }
  return process::pidfd_signal(impl.watch->native_handle(), signal, error);
}

}  // namespace supervise::runtime
