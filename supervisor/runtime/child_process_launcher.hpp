#pragma once

// The ProcessLauncher of production: real processes, through ChildProcess.

#include "supervisor/runtime/orphan_reaper.hpp"
#include "supervisor/runtime/process_launcher.hpp"

namespace supervise::runtime {

/// ChildProcess, with orphans of the tree reaped by `reaper`.
class ChildProcessLauncher final : public ProcessLauncher {
 public:
  /// `reaper` outlives the launcher.
  explicit ChildProcessLauncher(OrphanReaper& reaper) : reaper_(reaper) {}

  SpawnResult spawn(boost::asio::io_context& io, const LaunchSpec& spec, ExitHandler on_exit,
                    std::shared_ptr<WorkerContainment> containment = nullptr) override;
  AdoptResult adopt(boost::asio::io_context& io, int pid, const Verifier& verify,
                    ExitHandler on_exit,
                    std::shared_ptr<WorkerContainment> containment = nullptr) override;

 private:
  OrphanReaper& reaper_;
};

}  // namespace supervise::runtime
