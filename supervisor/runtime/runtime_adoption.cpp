// Runtime: adoption. Workers that an earlier `supervise up` or the old
// tools started, and that still run and are verified as theirs, are watched
// through a pidfd instead of being started a second time.

#include <spdlog/spdlog.h>

#include "supervisor/legacy/pid_file.hpp"
#include "supervisor/legacy/worker_identity.hpp"
#include "supervisor/runtime/exit_banner.hpp"
#include "supervisor/runtime/runtime.hpp"

namespace supervise::runtime {

void Runtime::adopt_running_workers() {
  for (const auto& [id, spec] : specs_) {
    if (spec->type != core::ChildType::worker) {
      continue;
    }
    if (!spec->command.empty()) {
      adopt_recorded_worker(id);  // only the shim writes PID files
      continue;
    }
    const auto path = options_.layout.pid_file(id);
    if (!path) {
      continue;
    }
    const auto read = legacy::read_pid_file(*path);
    std::string error;
    switch (read.state) {
      case legacy::PidFileState::missing:
        break;
      case legacy::PidFileState::valid: {
        const auto adopted = adopt_worker(id, read);
        switch (adopted.failure) {
          case ChildProcess::AdoptFailure::none:
            spdlog::info("Adopting running worker {} (PID: {})", id, read.pid);
            deliver(core::Adopted{id, read.pid});
            break;
          case ChildProcess::AdoptFailure::cannot_watch:
            // Its start is refused by spawn(), which looks again.
            spdlog::warn("cannot watch worker {} (PID: {}): {}", id, read.pid, adopted.error);
            break;
          case ChildProcess::AdoptFailure::ended:
          case ChildProcess::AdoptFailure::not_verified:
            spdlog::info("Removing stale PID file of {} (PID {}: {})", id, read.pid, adopted.error);
            previous_shims_[id][read.pid] = read.mtime;
            legacy::remove_pid_file_if_unchanged(*path, read, error);
            break;
        }
        break;
      }
      case legacy::PidFileState::garbage:
        spdlog::info("Removing unusable PID file of {} ({})", id, read.reason);
        legacy::remove_pid_file_if_unchanged(*path, read, error);
        break;
      case legacy::PidFileState::not_regular:
      case legacy::PidFileState::symlink:
      case legacy::PidFileState::unreadable:
        spdlog::warn("PID file {} is {}; leaving it alone", path->string(),
                     legacy::to_string(read.state));
        break;
    }
  }
}

ProcessLauncher::AdoptResult Runtime::adopt_worker(const std::string& child,
                                                   const legacy::PidFileRead& read) {
  const int pid = read.pid;
  const auto mtime = read.mtime;
  // The record the shim's start left, when it is of this very process: its
  // escaped descendants are then stopped with it too, and its log relay is
  // waited for.
  std::shared_ptr<WorkerContainment> containment;
  std::optional<LogRelayRef> relay;
  if (const auto path = worker_record_path(options_.layout, child)) {
    std::string error;
    const auto record = read_worker_record(*path, error);
    if (record && record->pid == pid && verify_recorded_worker(*record).empty()) {
      containment = WorkerContainment::create(io_, background_.get_executor(), cgroup_removals_,
                                              record->scope);
      relay = record->relay;
    }
  }
  auto adopted = launcher_.adopt(
      io_, pid,
      [&child, mtime](int candidate) {
        const auto verdict = legacy::verify_worker(candidate, child, mtime);
        return verdict == process::WorkerVerdict::verified
                   ? std::string()
                   : std::string(process::to_string(verdict));
      },
      [this, child, pid](core::ExitStatus status) {
        on_exit(child, pid, adopted_exit_status(child, pid, status));
      },
      std::move(containment));
  if (adopted.process) {
    if (relay) {
      adopted.process->follow_log_relay(*relay);
    }
    processes_[child] = std::move(adopted.process);
  }
  return adopted;
}

void Runtime::adopt_recorded_worker(const std::string& child) {
  const auto path = worker_record_path(options_.layout, child);
  if (!path) {
    return;
  }
  std::string error;
  const auto record = read_worker_record(*path, error);
  if (!record) {
    if (!error.empty()) {
      spdlog::warn("Ignoring worker record: {}", error);
    }
    return;
  }
  if (record->child != child) {
    spdlog::warn("Ignoring worker record {}: field 'child': names {}", path->string(),
                 record->child);
    return;
  }
  if (record->pid == 0) {
    // An earlier run was killed while this start was under way: whatever
    // carries its marker is not a verified worker, so it is stopped.
    spdlog::info(
        "{}: an earlier run was starting it when it ended; stopping what that start left "
        "before starting it",
        child);
    leftovers_.emplace(child, *record);
    return;
  }
  const int pid = record->pid;
  auto containment =
      WorkerContainment::create(io_, background_.get_executor(), cgroup_removals_, record->scope);
  auto adopted = launcher_.adopt(
      io_, pid,
      [&record](int candidate) {
        return candidate == record->pid ? verify_recorded_worker(*record)
                                        : std::string("not the recorded PID");
      },
      [this, child, pid](core::ExitStatus status) { on_exit(child, pid, status); }, containment);
  switch (adopted.failure) {
    case ChildProcess::AdoptFailure::none:
      if (record->relay) {
        adopted.process->follow_log_relay(*record->relay);
      }
      processes_[child] = std::move(adopted.process);
      spdlog::info("Adopting running worker {} (PID: {})", child, pid);
      deliver(core::Adopted{child, pid});
      return;
    case ChildProcess::AdoptFailure::cannot_watch:
      // Not started a second time: its start fails until it can be watched.
      spdlog::warn("cannot watch worker {} (PID: {}): {}", child, pid, adopted.error);
      leftovers_.emplace(child, *record);
      return;
    case ChildProcess::AdoptFailure::ended:
    case ChildProcess::AdoptFailure::not_verified:
      spdlog::info(
          "{}: its worker of an earlier run is gone (PID {}: {}); stopping what it left "
          "before starting it",
          child, pid, adopted.error);
      leftovers_.emplace(child, *record);
      return;
  }
}

core::ExitStatus Runtime::adopted_exit_status(const std::string& child, int pid,
                                              core::ExitStatus status) const {
  if (!status.is_unknown()) {
    return status;
  }
  const auto log_file = options_.layout.log_file(child, options_.document.initiative_id);
  if (!log_file) {
    return status;
  }
  const auto from_log = exit_status_from_log(*log_file, pid);
  if (!from_log.is_unknown()) {
    spdlog::info("{}: adopted worker (PID {}) ended with {} (its exit banner)", child, pid,
                 from_log.describe());
  }
  return from_log;
}

}  // namespace supervise::runtime
