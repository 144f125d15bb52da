// Runtime: the spawn queue and the start attempts it feeds. A child's start
// runs as a chain of steps beside the loop (what earlier starts left, its
// worktree, its prompt's tasks), each ending in a completion that checks the
// attempt is still the current one; the core hears Spawned or SpawnFailed at
// the end.

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <chrono>

#include "supervisor/process/cgroup_v2.hpp"
#include "supervisor/process/start_marker.hpp"
#include "supervisor/runtime/runtime.hpp"

namespace supervise::runtime {
namespace {

/// A turn of the loop during a boot or a mass restart starts at most this
/// many children, and none once this much time has gone: a spawn costs more
/// as the tree grows (a fork copies our descriptor table), and a control
/// request needs several turns (accept, read, reply), so a batch bounded by
/// count alone kept `status` waiting for seconds in a boot of thousands.
/// Real time, not the runtime's clock: it shares the loop, it does not
/// decide anything.
constexpr int kSpawnBatch = 64;
constexpr auto kSpawnTurnBudget = std::chrono::milliseconds(10);

}  // namespace

void Runtime::queue_spawn(const std::string& child) {
  spawn_queue_.push_back(child);
  if (!spawn_pump_posted_) {
    spawn_pump_posted_ = true;
    boost::asio::post(io_, [this] { pump_spawns(); });
  }
}

void Runtime::pump_spawns() {
  spawn_pump_posted_ = false;
  const auto turn_ends = std::chrono::steady_clock::now() + kSpawnTurnBudget;
  for (int started = 0; started < kSpawnBatch && !spawn_queue_.empty() &&
                        (started == 0 || std::chrono::steady_clock::now() < turn_ends);
       ++started) {
    const auto child = std::move(spawn_queue_.front());
    spawn_queue_.pop_front();
    begin_start(child);
  }
  if (!spawn_queue_.empty() && !spawn_pump_posted_) {
    spawn_pump_posted_ = true;
    boost::asio::post(io_, [this] { pump_spawns(); });
  }
}

void Runtime::begin_start(const std::string& child) {
  const auto* spec = find_spec(child);
  if (spec == nullptr) {
    deliver(core::SpawnFailed{child, "no such child in the spec"});
    return;
  }
  const auto status = core_->status_of(child, now());
  if (status && status->state == core::ChildState::stopping) {
    // Stopped while it waited for its turn: nothing to start, nothing to stop.
    deliver(core::SpawnFailed{child, "stopped before it started"});
    return;
  }
  if (processes_.contains(child) || starting_.contains(child)) {
    // Never two processes for one child; the core should not ask for this.
    spdlog::error("asked to start {} while its previous process still runs; refusing", child);
    deliver(core::SpawnFailed{child, "its previous process still runs"});
    return;
  }
  auto attempt = std::make_shared<StartAttempt>();
  starting_[child] = attempt;
  if (leftovers_.contains(child)) {
    stop_leftovers(child, attempt, std::chrono::steady_clock::now());
    return;
  }
  continue_start(child, attempt);
}

void Runtime::continue_start(const std::string& child, const AttemptPtr& attempt) {
  const auto* spec = find_spec(child);
  if (spec != nullptr && spec->type == core::ChildType::worker && spec->command.empty()) {
    clear_the_way(child, attempt);
  } else {
    prepare_and_launch(child, attempt);
  }
}

void Runtime::prepare_and_launch(const std::string& child, const AttemptPtr& attempt) {
  const auto* spec = find_spec(child);
  if (spec == nullptr || !spec->work_dir.empty()) {
    launch(child, attempt);
    return;
  }
  const auto work_dir = options_.layout.work_dir(child);
  std::error_code ec;
  if (!work_dir || *work_dir == options_.layout.root ||
      std::filesystem::is_directory(*work_dir, ec)) {
    launch(child, attempt);  // nothing to create (prepare_worker reports a bad id)
    return;
  }
  attempt->worktree = WorktreeCreation::start(
      io_, options_.layout.root, *work_dir, child, options_.git_deadline, &reaper_,
      [this, child, attempt, dir = *work_dir](WorktreeResult result) {
        attempt->worktree.reset();
        if (!attempt_current(child, attempt)) {
          return;
        }
        if (!result.ok) {
          end_attempt(child, attempt, core::SpawnFailed{child, result.error});
          return;
        }
        if (result.created) {
          spdlog::info("Created worktree {} for {}", dir.string(), child);
        }
        launch(child, attempt);
      });
}

void Runtime::launch(const std::string& child, const AttemptPtr& attempt) {
  const auto* spec = find_spec(child);
  if (spec == nullptr) {
    end_attempt(child, attempt, core::SpawnFailed{child, "no such child in the spec"});
    return;
  }
  if (!spec->command.empty() || options_.document.initiative_id.empty() || !reader_) {
    launch_with(child, attempt, nullptr);
    return;
  }
  // The shim's prompt lists the stream's tasks: read beside the loop.
  reader_->streams(
      options_.document.initiative_id, [this, child, attempt](StoreReader::StreamsResult streams) {
        if (!attempt_current(child, attempt)) {
          return;
        }
        if (!streams) {
          spdlog::warn("{}: the prompt lists no tasks: {}", child, streams.error().message);
          launch_with(child, attempt, nullptr);
          return;
        }
        launch_with(child, attempt, &streams->streams);
      });
}

void Runtime::launch_with(const std::string& child, const AttemptPtr& attempt,
                          const std::vector<taskcopilot::Stream>* streams) {
  const auto* spec = find_spec(child);
  if (spec == nullptr) {
    end_attempt(child, attempt, core::SpawnFailed{child, "no such child in the spec"});
    return;
  }
  auto prepared = prepare_worker_with_streams(*spec, setting_, streams);
  if (!prepared.warning.empty()) {
    spdlog::warn("{}: {}", child, prepared.warning);
  }
  if (!prepared.launch) {
    end_attempt(child, attempt, core::SpawnFailed{child, prepared.error});
    return;
  }
  if (auto& launch = *prepared.launch; launch.relay && !launch.output.empty()) {
    std::string error;
    launch.relay_process = log_relays_->acquire(child, *launch.relay, launch.output, error);
    if (!launch.relay_process) {
      spdlog::warn("{}; {} is appended to without rotation", error, launch.output.string());
    }
  }
  auto containment = new_containment(child);
  // Its own marker, never one supervise itself inherited.
  auto& env = prepared.launch->env;
  const auto marker_prefix = std::string(process::kStartIdVariable) + "=";
  std::erase_if(env, [&](const std::string& entry) { return entry.starts_with(marker_prefix); });
  env.push_back(process::start_marker_entry(containment->scope().start_id));
  auto pid_cell = std::make_shared<int>(0);
  auto started = launcher_.spawn(
      io_, *prepared.launch,
      [this, child, pid_cell](core::ExitStatus status) { on_exit(child, *pid_cell, status); },
      containment);
  if (!started.process) {
    containment->drop_cgroup();
    remove_record_of_start(child, containment->scope().start_id);
    end_attempt(child, attempt, core::SpawnFailed{child, started.error, started.out_of_resources});
    return;
  }
  const int pid = started.process->pid();
  *pid_cell = pid;
  write_record(child, pid, containment->scope(), started.process->log_relay());
  processes_[child] = std::move(started.process);
  end_attempt(child, attempt, core::Spawned{child, pid});
}

std::shared_ptr<WorkerContainment> Runtime::new_containment(const std::string& child) {
  ContainmentScope scope{process::new_start_id(), {}};
  if (!cgroup_base_.empty()) {
    scope.cgroup = cgroup_base_ / ("supervise-" + child + "-" + scope.start_id);
  }
  // Recorded before its cgroup exists and before anything runs with its
  // marker: supervise killed at any moment leaves nothing no record names.
  write_starting_record(child, scope);
  if (!scope.cgroup.empty()) {
    std::string error;
    if (!process::create_cgroup(scope.cgroup, error)) {
      spdlog::warn("{}: {}; containing it by its start marker", child, error);
      scope.cgroup.clear();
      write_starting_record(child, scope);
    }
  }
  return WorkerContainment::create(io_, background_.get_executor(), cgroup_removals_,
                                   std::move(scope));
}

// Worker records are written and removed on the loop, in the order of the
// starts and exits they describe: a record written beside the loop could
// land after the next start's, or after a kill -9 of supervise that the
// start it names survived, and then a later `up` would start that worker
// twice. None is flushed to disk (it must outlive only supervise, not the
// machine, whose end ends the workers too).
void Runtime::write_starting_record(const std::string& child, const ContainmentScope& scope) {
  const auto path = worker_record_path(options_.layout, child);
  if (!path) {
    return;
  }
  std::string error;
  if (!write_worker_record(*path, starting_record(child, scope), error, /*flush=*/false)) {
    spdlog::warn(
        "cannot write the worker record: {} (should supervise be killed now, a later up "
        "may not find this start of {})",
        error, child);
  }
}

void Runtime::write_record(const std::string& child, int pid, const ContainmentScope& scope,
                           std::optional<LogRelayRef> relay) {
  const auto path = worker_record_path(options_.layout, child);
  const auto record = record_of_started(child, pid, scope, relay);
  if (!path || !record) {
    return;
  }
  std::string error;
  if (!write_worker_record(*path, *record, error, /*flush=*/false)) {
    spdlog::warn("cannot write the worker record: {} (a later up may not adopt {})", error,
                 record->child);
  }
}

void Runtime::remove_record(const std::string& child, int pid) {
  if (const auto path = worker_record_path(options_.layout, child)) {
    remove_worker_record_if_holds(*path, pid);
  }
}

void Runtime::remove_record_of_start(const std::string& child, const std::string& start_id) {
  if (const auto path = worker_record_path(options_.layout, child)) {
    remove_worker_record_of_start(*path, start_id);
  }
}

bool Runtime::attempt_current(const std::string& child, const AttemptPtr& attempt) {
  const auto found = starting_.find(child);
  if (found == starting_.end() || found->second != attempt) {
    return false;  // ended already (cancelled and reported)
  }
  return true;
}

void Runtime::end_attempt(const std::string& child, const AttemptPtr& attempt,
                          core::Event outcome) {
  const auto found = starting_.find(child);
  if (found != starting_.end() && found->second == attempt) {
    starting_.erase(found);
  }
  deliver(std::move(outcome));
}

void Runtime::cancel_attempt(const std::string& child) {
  const auto found = starting_.find(child);
  if (found == starting_.end()) {
    return;
  }
  const auto attempt = found->second;
  attempt->cancelled = true;
  if (attempt->worktree) {
    attempt->worktree->cancel();
  }
  if (attempt->survivors) {
    attempt->survivors->cancel();
  }
  // Whatever step is running ends by itself (its completion sees the attempt
  // is no longer current); the core hears now.
  boost::asio::post(io_, [this, child, attempt] {
    end_attempt(child, attempt, core::SpawnFailed{child, "stopped before it started"});
  });
  starting_.erase(found);
  maybe_stop();
}

}  // namespace supervise::runtime
