#pragma once

// One worker process of the tree, spawned by us or adopted, watched until it
// has ended for good: its main process exited AND nothing is left of its
// process group. Only then is the exit reported, so that a restart can never
// put two agents on one stream.

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "supervisor/core/exit_status.hpp"
#include "supervisor/runtime/launch_spec.hpp"
#include "supervisor/runtime/orphan_reaper.hpp"

namespace supervise::runtime {

struct ChildProcessImpl;

class ChildProcess {
 public:
  /// Called once, from the io_context, after the group is empty. The handler
  /// may destroy the ChildProcess.
  using ExitHandler = std::function<void(core::ExitStatus)>;

  struct StartResult {
    std::unique_ptr<ChildProcess> process;  ///< null when `error` is set
    std::string error;
  };

  /// Starts `spec` in a new session (pgid = sid = pid), stdin from
  /// /dev/null, stdout/stderr appended to `spec.output`.
  static StartResult spawn(boost::asio::io_context& io, OrphanReaper& reaper,
                           const LaunchSpec& spec, ExitHandler on_exit);

  /// Watches a live process we did not start (pidfd). Its exit status is
  /// unknown. Its group is treated as ours only when it leads one (pgid =
  /// pid), as the shim does.
  static StartResult adopt(boost::asio::io_context& io, OrphanReaper& reaper, int pid,
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

  /// Sends `signal` to the child's process group (to the process alone when
  /// an adopted process leads no group). False with `error` when refused.
  bool signal(int signal, std::string& error);

  /// How long to keep killing a group that will not empty before saying so
  /// in the log (it is still watched afterwards, more slowly).
  static constexpr std::chrono::milliseconds kDrainWarnAfter{5000};

 private:
  explicit ChildProcess(std::unique_ptr<ChildProcessImpl> impl);
  std::shared_ptr<ChildProcessImpl> impl_;
};

/// The exit status a waitpid() status word describes.
core::ExitStatus exit_status_from_wait(int status);

}  // namespace supervise::runtime
