#pragma once

// How the runtime starts and watches worker processes: one of its seams
// (ARCHITECTURE.md, "The runtime's rules"). ChildProcessLauncher starts real
// processes (child_process_launcher.hpp); tests give the runtime a fake whose processes end when
// the test says, with the exit status it chooses, and which records every signal.
//
// The vocabulary (exit handler, why an adoption failed, the identity check)
// is ChildProcess's, so that both sides speak the same words.

#include <boost/asio/io_context.hpp>
#include <memory>
#include <optional>
#include <string>

#include "supervisor/runtime/child_process.hpp"
#include "supervisor/runtime/launch_spec.hpp"

namespace supervise::runtime {

/// A process of the tree, spawned or adopted, watched until it has ended for
/// good. Destroying the handle of a spawned process that still runs kills
/// it (nothing we started outlives us); an adopted one is left alone.
class ProcessHandle {
 public:
  virtual ~ProcessHandle() = default;

  virtual int pid() const = 0;
  virtual bool adopted() const = 0;
  /// The main process has exited; its exit is reported once what is left of
  /// its group is gone.
  virtual bool main_exited() const = 0;
  /// Sends `signal` to the process's group (see ChildProcess::signal).
  /// False with `error` when refused.
  virtual bool signal(int signal, std::string& error) = 0;
  /// How many processes it has now (its containment), when known.
  virtual std::optional<int> process_count() const = 0;
  /// The log relay writing its output, when it has one.
  virtual std::optional<LogRelayRef> log_relay() const { return std::nullopt; }
  /// Reports its exit only once `relay` has ended too (an adopted worker
  /// whose relay an earlier `up` started; see ChildProcess).
  virtual void follow_log_relay(const LogRelayRef& /*relay*/) {}
};

class ProcessLauncher {
 public:
  /// Called once, on a thread running the io_context, when the process has
  /// ended for good; it may destroy the handle.
  using ExitHandler = ChildProcess::ExitHandler;
  using AdoptFailure = ChildProcess::AdoptFailure;
  using Verifier = ChildProcess::Verifier;

  struct SpawnResult {
    std::unique_ptr<ProcessHandle> process;  ///< null when `error` is set
    std::string error;
    /// It failed for lack of resources: worth retrying.
    bool out_of_resources = false;
  };

  struct AdoptResult {
    std::unique_ptr<ProcessHandle> process;  ///< null when `failure` is set
    AdoptFailure failure = AdoptFailure::none;
    std::string error;
  };

  virtual ~ProcessLauncher() = default;

  /// Starts `spec` in a session of its own (ChildProcess::spawn), its
  /// descendants held by `containment` when given.
  virtual SpawnResult spawn(boost::asio::io_context& io, const LaunchSpec& spec,
                            ExitHandler on_exit,
                            std::shared_ptr<WorkerContainment> containment = nullptr) = 0;
  /// Watches the live process `pid` that we did not start, when `verify`
  /// says it is the expected one (ChildProcess::adopt). Its exit status is
  /// unknown.
  virtual AdoptResult adopt(boost::asio::io_context& io, int pid, const Verifier& verify,
                            ExitHandler on_exit,
                            std::shared_ptr<WorkerContainment> containment = nullptr) = 0;
};

}  // namespace supervise::runtime
