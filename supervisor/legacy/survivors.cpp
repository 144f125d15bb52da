#include "supervisor/legacy/survivors.hpp"

#include <signal.h>
#include <unistd.h>

#include <system_error>
#include <thread>

#include "supervisor/legacy/worker_identity.hpp"
#include "supervisor/process/session_scan.hpp"

namespace supervise::legacy {

namespace {

constexpr auto kSurvivorPollInterval = std::chrono::milliseconds(10);
/// After SIGKILL a process is gone within a scheduler tick or two; this
/// bounds the wait for one stuck in uninterruptible sleep (state D).
constexpr auto kAfterKill = std::chrono::seconds(2);

using Target = SurvivorTarget;

bool still_alive(const Target& target) {
  return process::verify_process(target.pid, target.start_ticks) ==
         process::WorkerVerdict::verified;
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
    std::this_thread::sleep_for(kSurvivorPollInterval);
  }
}

void signal_all(const std::vector<Target>& targets, int signal) {
  for (const Target& target : targets) {
    if (still_alive(target)) {
      ::kill(target.pid, signal);
    }
  }
}

/// Whether `path` is `dir` or lies below it, component by component (so
/// `/w/Stream-AB` is not under `/w/Stream-A`).
bool is_at_or_under(const std::filesystem::path& path, const std::filesystem::path& dir) {
  auto inner = path.begin();
  for (auto outer = dir.begin(); outer != dir.end(); ++outer) {
    if (outer->empty()) {
      continue;  // the trailing "" of a path ending in '/'
    }
    if (inner == path.end() || *inner != *outer) {
      return false;
    }
    ++inner;
  }
  return true;
}

std::filesystem::path read_cwd(int pid) {
  std::error_code error;
  auto cwd = std::filesystem::read_symlink("/proc/" + std::to_string(pid) + "/cwd", error);
  return error ? std::filesystem::path() : cwd;
}

}  // namespace

std::vector<std::string> read_environment(int pid) {
  const auto content = process::read_proc_file("/proc/" + std::to_string(pid) + "/environ");
  return content ? process::parse_cmdline(*content) : std::vector<std::string>{};
}

bool is_survivor_of(WallClock::time_point process_start,
                    const std::vector<std::string>& environment, const std::filesystem::path& cwd,
                    std::string_view stream_id, const SurvivorScope& scope) {
  if (scope.shim_started && process_start < *scope.shim_started - kSurvivorTimeSlack) {
    return false;
  }
  if (scope.shim_ended && process_start > *scope.shim_ended + kSurvivorTimeSlack) {
    return false;
  }
  const std::string mark = "SUPERVISE_STREAM_ID=" + std::string(stream_id);
  for (const std::string& entry : environment) {
    if (entry == mark) {
      return true;
    }
  }
  if (scope.work_dir.empty() || cwd.empty() || !cwd.is_absolute()) {
    return false;
  }
  std::error_code error;
  const auto work_dir = std::filesystem::weakly_canonical(scope.work_dir, error);
  return !error && is_at_or_under(cwd, work_dir);
}

SurvivorSearch find_survivors(int old_shim_pid, std::string_view stream_id,
                              const SurvivorScope& scope) {
  SurvivorSearch search;
  auto& report = search.report;
  auto& ours = search.targets;
  if (old_shim_pid < 2) {
    report.skipped = "no previous shim PID";
    return search;
  }
  bool leader_vouches = false;
  if (const auto leader = process::read_process(old_shim_pid);
      leader && !leader->stat.has_ended()) {
    const bool our_old_shim = leader->uid == ::getuid() && leader->stat.session == old_shim_pid &&
                              is_shim_for(leader->argv, stream_id);
    if (!our_old_shim) {
      report.skipped = "process " + std::to_string(old_shim_pid) +
                       " is alive and is not the shim of " + std::string(stream_id);
      return search;
    }
    leader_vouches = true;
  }
  for (const process::ProcStat& stat :
       process::live_processes_with(process::ScanKey::session, old_shim_pid)) {
    if (stat.pid == ::getpid()) {
      continue;
    }
    const auto process = process::read_process(stat.pid);
    if (!process || process->stat.has_ended() || process->stat.start_ticks != stat.start_ticks) {
      continue;
    }
    if (!leader_vouches && !is_survivor_of(process->start_time, read_environment(stat.pid),
                                           read_cwd(stat.pid), stream_id, scope)) {
      report.ignored.push_back(stat.pid);
      continue;
    }
    report.found.push_back(stat.pid);
    if (process->uid != ::getuid()) {
      report.remaining.push_back(stat.pid);  // not ours to signal
      continue;
    }
    ours.push_back({stat.pid, stat.start_ticks});
  }
  return search;
}

SurvivorReport stop_survivors(int old_shim_pid, std::string_view stream_id,
                              std::chrono::milliseconds grace, const SurvivorScope& scope) {
  auto [report, ours] = find_survivors(old_shim_pid, stream_id, scope);
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
