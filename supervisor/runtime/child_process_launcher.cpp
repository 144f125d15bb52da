#include "supervisor/runtime/child_process_launcher.hpp"

namespace supervise::runtime {
namespace {

/// A ChildProcess behind the launcher's interface.
class ChildProcessHandle final : public ProcessHandle {
 public:
  explicit ChildProcessHandle(std::unique_ptr<ChildProcess> process)
      : process_(std::move(process)) {}

  int pid() const override { return process_->pid(); }
  bool adopted() const override { return process_->adopted(); }
  bool main_exited() const override { return process_->main_exited(); }
  bool signal(int signal, std::string& error) override { return process_->signal(signal, error); }
  std::optional<int> process_count() const override { return process_->process_count(); }
  std::optional<LogRelayRef> log_relay() const override { return process_->log_relay(); }
  void follow_log_relay(const LogRelayRef& relay) override { process_->follow_log_relay(relay); }

 private:
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace

ProcessLauncher::SpawnResult ChildProcessLauncher::spawn(
    boost::asio::io_context& io, const LaunchSpec& spec, ExitHandler on_exit,
    std::shared_ptr<WorkerContainment> containment) {
  auto started = ChildProcess::spawn(io, reaper_, spec, std::move(on_exit), std::move(containment));
  SpawnResult result;
  if (started.process) {
    result.process = std::make_unique<ChildProcessHandle>(std::move(started.process));
  }
  result.error = std::move(started.error);
  result.out_of_resources = started.out_of_resources;
  return result;
}

ProcessLauncher::AdoptResult ChildProcessLauncher::adopt(
    boost::asio::io_context& io, int pid, const Verifier& verify, ExitHandler on_exit,
    std::shared_ptr<WorkerContainment> containment) {
  auto adopted =
      ChildProcess::adopt(io, reaper_, pid, verify, std::move(on_exit), std::move(containment));
  AdoptResult result;
  if (adopted.process) {
    result.process = std::make_unique<ChildProcessHandle>(std::move(adopted.process));
  }
  result.failure = adopted.failure;
  result.error = std::move(adopted.error);
  return result;
}

}  // namespace supervise::runtime
