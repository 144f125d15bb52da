#include "supervisor/legacy/survivors.hpp"

#include <signal.h>
#include <unistd.h>

#include <thread>

#include "supervisor/legacy/process_identity.hpp"
#include "supervisor/legacy/session_scan.hpp"

namespace supervise::legacy {

namespace {

constexpr auto kPollInterval = std::chrono::milliseconds(10);
/// After SIGKILL a process is gone within a scheduler tick or two; this
/// bounds the wait for one stuck in uninterruptible sleep (state D).
constexpr auto kAfterKill = std::chrono::seconds(2);

struct Target {
  int pid;
  std::uint64_t start_ticks;
};

bool still_alive(const Target& target) {
  return verify_process(target.pid, target.start_ticks) == WorkerVerdict::verified;
}

/// Waits until none of `targets` is alive or `deadline` passes; returns the
/// ones still alive.
std::vector<Target> wait_gone(std::vector<Target> targets, std::chrono::milliseconds deadline) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  for (;;) {
    std::erase_if(targets, [](const Target& target) { return !still_alive(target); });
    if (targets.empty() || std::chrono::steady_clock::now() >= until) {
      return targets;
    }
    std::this_thread::sleep_for(kPollInterval);
  }
}

void signal_all(const std::vector<Target>& targets, int signal) {
  for (const Target& target : targets) {
    if (still_alive(target)) {
      ::kill(target.pid, signal);
    }
  }
}

}  // namespace

SurvivorReport stop_survivors(int old_shim_pid, std::string_view stream_id,
                              std::chrono::milliseconds grace) {
  SurvivorReport report;
  if (old_shim_pid < 2) {
    report.skipped = "no previous shim PID";
    return report;
  }
  if (const auto leader = read_process(old_shim_pid); leader && !leader->stat.has_ended()) {
    const bool our_old_shim = leader->uid == ::getuid() && leader->stat.session == old_shim_pid &&
                              is_shim_for(leader->argv, stream_id);
    if (!our_old_shim) {
      report.skipped = "process " + std::to_string(old_shim_pid) +
                       " is alive and is not the shim of " + std::string(stream_id);
      return report;
    }
  }
  std::vector<Target> ours;
  for (const ProcStat& stat : live_processes_with(ScanKey::session, old_shim_pid)) {
    if (stat.pid == ::getpid()) {
      continue;
    }
    report.found.push_back(stat.pid);
    const auto process = read_process(stat.pid);
    if (!process || process->stat.has_ended()) {
      continue;
    }
    if (process->uid != ::getuid()) {
      report.remaining.push_back(stat.pid);  // not ours to signal
      continue;
    }
    ours.push_back({stat.pid, stat.start_ticks});
  }
  signal_all(ours, SIGTERM);
  auto left = wait_gone(std::move(ours), grace);
  if (!left.empty()) {
    signal_all(left, SIGKILL);
    left = wait_gone(std::move(left), kAfterKill);
  }
  for (const Target& target : left) {
    report.remaining.push_back(target.pid);
  }
  return report;
}

}  // namespace supervise::legacy
