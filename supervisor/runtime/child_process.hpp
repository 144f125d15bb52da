#pragma once

// One worker process of the tree, spawned by us or adopted, watched until it
// has ended for good: its main process exited AND nothing is left of its
// process group nor of its containment (what left the group: setsid, double
// forks). Only then is the exit reported, so that a restart can never put
// two agents on one stream.

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "supervisor/core/exit_status.hpp"
#include "supervisor/runtime/launch_spec.hpp"
#include "supervisor/runtime/orphan_reaper.hpp"
#include "supervisor/runtime/worker_containment.hpp"

namespace supervise::runtime {

struct ChildProcessImpl;

/// A worker's log relay (log_relay_process.hpp), as the worker record keeps
/// it for a later `up`.
struct LogRelayRef {
  int pid = 0;
  /// /proc/<pid>/stat field 22: a recycled PID has another.
  std::uint64_t start_ticks = 0;
  /// Not our child (started by an earlier `up`).
  bool adopted = false;

  bool operator==(const LogRelayRef&) const = default;
};

class ChildProcess {
 public:
  /// Called once, from the io_context, after the group is empty. The handler
  /// may destroy the ChildProcess.
  using ExitHandler = std::function<void(core::ExitStatus)>;

  struct StartResult {
    std::unique_ptr<ChildProcess> process;  ///< null when `error` is set
    std::string error;
    /// It failed for lack of resources (EMFILE, ENFILE, EAGAIN, ENOMEM): the
    /// machine's state, not the command's fault; worth retrying.
    bool out_of_resources = false;
  };

  /// Starts `spec` in a new session (pgid = sid = pid), stdin from
  /// /dev/null, stdout/stderr the pipe of `spec.relay_process` when set,
  /// else appended to `spec.output`. With `containment`,
  /// the child enters its cgroup before exec (when it cannot, the
  /// containment falls back to its marker, which `spec.env` must carry),
  /// and everything in it is killed after the main process has exited.
  static StartResult spawn(boost::asio::io_context& io, OrphanReaper& reaper,
                           const LaunchSpec& spec, ExitHandler on_exit,
                           std::shared_ptr<WorkerContainment> containment = nullptr);

  /// Why adopt() did not take a process.
  enum class AdoptFailure {
    none,          ///< adopted
    ended,         ///< nothing (alive) runs under that PID, or it ended meanwhile
    not_verified,  ///< the process is not the one the caller expects
    cannot_watch,  ///< it is, but no pidfd could be opened (EMFILE, seccomp, ...)
  };

  struct AdoptResult {
    std::unique_ptr<ChildProcess> process;  ///< null when `failure` is set
    AdoptFailure failure = AdoptFailure::none;
    std::string error;
  };

  /// Says why the process under the PID is not the expected one, or "" when
  /// it is.
  using Verifier = std::function<std::string(int pid)>;

  /// Watches a live process we did not start (pidfd). Its exit status is
  /// unknown. The pidfd is opened first and `verify` runs after it, and the
  /// process must not have ended by then: a PID recycled between the check
  /// and the watch is never taken. Its group is treated as ours only when it
  /// leads one (pgid = pid), as the shim does; otherwise it is signalled
  /// through the pidfd.
  static AdoptResult adopt(boost::asio::io_context& io, OrphanReaper& reaper, int pid,
                           const Verifier& verify, ExitHandler on_exit,
                           std::shared_ptr<WorkerContainment> containment = nullptr);
  /// adopt() of whatever process runs under `pid`.
  static AdoptResult adopt(boost::asio::io_context& io, OrphanReaper& reaper, int pid,
                           ExitHandler on_exit);

  /// SIGKILLs the group of a spawned child that is still running (nothing we
  /// started outlives us); leaves an adopted one alone.
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  int pid() const;
  bool adopted() const;
  /// The main process has exited; the rest of the group is being killed.
  bool main_exited() const;
  /// Its containment (null: its process group only).
  const std::shared_ptr<WorkerContainment>& containment() const;
  /// Live processes of the worker (its containment's count); nullopt when
  /// not known.
  std::optional<int> process_count() const;

  /// Sends `signal` to the child's process group (to the process alone,
  /// through its pidfd, when an adopted process leads no group). Nothing is
  /// sent once the group is known to be empty: its number may then belong
  /// to someone else. False with `error` when refused.
  bool signal(int signal, std::string& error);

  /// Waits for `relay` (when it is still the process the reference names)
  /// to end before the exit is reported, up to kLogRelayWait once the
  /// worker and everything it started are gone: for an adopted worker whose
  /// exit status is read from the log's last lines.
  void follow_log_relay(const LogRelayRef& relay);
  /// The relay writing its output (the record names it), if any.
  std::optional<LogRelayRef> log_relay() const;

  /// How long to keep killing a group that will not empty before saying so
  /// in the log (it is still watched afterwards, more slowly).
  static constexpr std::chrono::milliseconds kDrainWarnAfter{5000};

 private:
  explicit ChildProcess(std::unique_ptr<ChildProcessImpl> impl);
  std::shared_ptr<ChildProcessImpl> impl_;
};

std::string_view to_string(ChildProcess::AdoptFailure value);

/// The exit status a waitpid() status word describes.
core::ExitStatus exit_status_from_wait(int status);

}  // namespace supervise::runtime
