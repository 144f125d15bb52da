#include "supervisor/runtime/runtime.hpp"

#include <signal.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <random>
#include <set>

#include "supervisor/legacy/pid_file.hpp"
#include "supervisor/legacy/process_identity.hpp"
#include "supervisor/legacy/shim_banner.hpp"
#include "supervisor/legacy/survivors.hpp"
#include "supervisor/process/cgroup_v2.hpp"
#include "supervisor/process/start_marker.hpp"
#include "supervisor/runtime/child_process_launcher.hpp"
#include "supervisor/runtime/exit_banner.hpp"
#include "supervisor/runtime/steady_clock.hpp"
#include "supervisor/status/metrics_exposition.hpp"
#include "supervisor/taskcopilot/stream_rules.hpp"

namespace supervise::runtime {
namespace {

/// A progress read that found tasks.db locked is tried again after this.
constexpr std::chrono::milliseconds kBusyRetry{250};
/// The journal is opened once at boot, before anything runs, to read the
/// restart history: a locked journal must not hold the boot up for long.
constexpr std::chrono::milliseconds kJournalOpenBusyTimeout{500};
/// At most this long between SIGTERM and SIGKILL for what an earlier shim
/// left running, however long the child's shutdown timeout: the loop waits
/// meanwhile.
constexpr std::chrono::milliseconds kSurvivorGrace{5'000};
/// Spawns per turn of the loop during a boot or a mass restart.
constexpr int kSpawnBatch = 64;
/// At most one scan for orphans to reap per this interval, however many
/// SIGCHLDs arrive (each worker's own group is reaped as it empties).
constexpr std::chrono::milliseconds kOrphanReapInterval{200};
/// What an earlier start left is killed again this often until it is gone,
/// and given up on (the start fails) after kLeftoverDeadline.
constexpr std::chrono::milliseconds kLeftoverRound{20};
constexpr std::chrono::milliseconds kLeftoverDeadline{10'000};

core::RandomSource make_random() {
  auto engine = std::make_shared<std::mt19937_64>(std::random_device{}());
  return [engine] { return std::uniform_real_distribution<double>(0.0, 1.0)(*engine); };
}

void index_children(const std::vector<core::ChildSpec>& children,
                    std::map<std::string, const core::ChildSpec*>& index) {
  for (const auto& child : children) {
    index[child.id] = &child;
    index_children(child.children, index);
  }
}

std::string describe(const core::StateChanged& change) {
  auto text = fmt::format("{}: {} -> {} ({})", change.child, core::to_string(change.from),
                          core::to_string(change.to), core::to_string(change.reason));
  if (!change.detail.empty()) {
    text += ": " + change.detail;
  }
  return text;
}

std::optional<journal::EntryKind> journal_kind(const core::StateChanged& change) {
  using core::ChildState;
  if (change.reason == core::Reason::operator_command) {
    return journal::EntryKind::command;
  }
  switch (change.to) {
    case ChildState::running:
      return change.from == ChildState::starting ? std::optional(journal::EntryKind::start)
                                                 : std::nullopt;
    case ChildState::adopted:
      return journal::EntryKind::start;
    case ChildState::starting:
      return change.reason == core::Reason::backoff_elapsed
                 ? std::optional(journal::EntryKind::restart)
                 : std::nullopt;
    case ChildState::backoff:
      return journal::EntryKind::backoff;
    case ChildState::failed:
      return journal::EntryKind::give_up;
    case ChildState::stopped:
      return journal::EntryKind::stop;
    case ChildState::done:
      return journal::EntryKind::done;
    case ChildState::waiting:
    case ChildState::stopping:
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

Runtime::Runtime(RuntimeOptions options)
    : options_(std::move(options)),
      own_clock_(options_.clock ? nullptr : std::make_unique<SteadyClock>()),
      own_launcher_(options_.launcher ? nullptr : std::make_unique<ChildProcessLauncher>(reaper_)),
      clock_(options_.clock ? *options_.clock : *own_clock_),
      launcher_(options_.launcher ? *options_.launcher : *own_launcher_),
      reap_timer_(io_),
      timers_(io_, clock_, [this](core::TimerId id) { deliver(core::TimerFired{id}); }),
      stalls_(io_, [this](const core::StallChange& change) { stall_changed(change); }) {
  setting_.layout = options_.layout;
  setting_.initiative_id = options_.document.initiative_id;
  setting_.agent = options_.document.agent;
  setting_.shim = options_.shim;
  setting_.default_prompt = options_.default_prompt;
  index_specs();
  core_ = std::make_unique<core::Supervisor>(options_.document.root, make_random());
}

Runtime::~Runtime() = default;

core::TimePoint Runtime::now() const {
  return clock_.now();
}

void Runtime::index_specs() {
  specs_.clear();
  stream_children_.clear();
  index_children(options_.document.root.children, specs_);
  for (const auto& [id, spec] : specs_) {
    if (spec->type == core::ChildType::worker &&
        spec->complete_when == core::CompletionRule::stream) {
      stream_children_.push_back(id);
    }
  }
}

const core::ChildSpec* Runtime::find_spec(const std::string& id) const {
  const auto found = specs_.find(id);
  return found == specs_.end() ? nullptr : found->second;
}

RunResult Runtime::run() {
  start();
  io_.run();
  return finish();
}

void Runtime::start() {
  if (!become_child_subreaper()) {
    spdlog::warn(
        "cannot become a child subreaper: agents orphaned by a dying shim are not reaped by us");
  }
  if (options_.cgroups) {
    const auto base = process::find_cgroup_base();
    cgroup_base_ = base.directory;
    if (cgroup_base_.empty()) {
      spdlog::info("Containing workers by start markers (no cgroup: {})", base.error);
    } else {
      spdlog::info("Containing each worker in a cgroup of its own under {}", cgroup_base_.string());
    }
  } else {
    spdlog::info("Containing workers by start markers (cgroups are off)");
  }
  if (options_.handle_signals) {
    signals_ = std::make_unique<SignalWatch>(io_, [this](int signal) { on_signal(signal); });
  }
  boost::asio::post(io_, [this] { boot(); });
}

RunResult Runtime::finish() {
  db_watch_.reset();
  signals_.reset();
  reader_.reset();
  // Writes what is still queued, within the writer's drain deadline.
  journal_.reset();
  RunResult result;
  result.outcome = outcome_.value_or(core::TreeOutcome::shut_down);
  result.children = core_->status(now());
  return result;
}

void Runtime::boot() {
  if (options_.journal) {
    open_journal();
  }
  reader_ = std::make_unique<StoreReader>(io_, options_.layout);
  db_watch_ = std::make_unique<DbWatch>(io_, options_.layout.tasks_db, options_.db_watch,
                                        [this] { refresh_progress(); });
  if (!stream_children_.empty() && !db_watch_->inotify_active()) {
    spdlog::warn("not watching Task Copilot for changes ({}); reading it every {} s instead",
                 db_watch_->inotify_error(),
                 std::chrono::duration_cast<std::chrono::seconds>(options_.db_watch.poll).count());
  }
  for (const auto& child : stream_children_) {
    // Every stream child gets a first StreamProgress, complete or not.
    stream_complete_.erase(child);
  }
  // The first read decides which streams are done before anything starts;
  // it is bounded by the reader's busy timeout, and the loop runs meanwhile.
  refresh_progress([this] { finish_boot(); });
}

void Runtime::finish_boot() {
  for (const auto& [child, history] : restored_histories_) {
    if (find_spec(child) != nullptr && (history.restarts > 0 || history.failed)) {
      deliver(core::RestoreHistory{child, history.restarts, history.failed});
    }
  }
  restored_histories_.clear();
  for (const auto& child : stream_children_) {
    if (!stream_complete_.contains(child)) {
      stream_complete_[child] = false;
      deliver(core::StreamProgress{child, false});
    }
  }
  if (options_.adopt) {
    adopt_running_workers();
  }
  deliver(core::Boot{});
  if (options_.on_booted) {
    options_.on_booted(*this);
  }
  maybe_stop();
}

void Runtime::open_journal() {
  // Opened once, before anything runs, to read the restart history; every
  // write after that goes through the writer thread.
  auto opened = journal::Journal::open(options_.layout.journal_db, kJournalOpenBusyTimeout);
  for (const auto& notice : opened.notices) {
    spdlog::warn("{}", notice);
  }
  if (!opened.journal) {
    spdlog::warn(
        "cannot open the journal ({}); restart counts of an earlier run are not "
        "restored, and the journal is written once it can be opened",
        opened.error);
    journal_ = std::make_unique<journal::JournalWriter>(options_.layout.journal_db,
                                                        journal_writer_options());
    return;
  }
  try {
    restored_histories_ = opened.journal->histories(options_.document.initiative_id);
  } catch (const std::exception& error) {
    spdlog::warn("cannot read restart history from the journal: {}", error.what());
  }
  journal_ =
      std::make_unique<journal::JournalWriter>(std::move(opened.journal), journal_writer_options());
}

journal::JournalWriterOptions Runtime::journal_writer_options() const {
  journal::JournalWriterOptions options;
  options.keep = options_.document.journal_keep;
  return options;
}

void Runtime::refresh_progress(std::function<void()> then) {
  if (stream_children_.empty() || options_.document.initiative_id.empty() || !reader_) {
    if (then) {
      then();
    }
    return;
  }
  reader_->progress(options_.document.initiative_id,
                    [this, then = std::move(then)](StoreReader::ProgressResult progress) {
                      apply_progress(progress);
                      if (then) {
                        then();
                      }
                    });
}

void Runtime::apply_progress(const StoreReader::ProgressResult& progress) {
  if (stopped_) {
    return;
  }
  if (!progress) {
    if (progress.error().message != store_error_) {
      spdlog::warn("Failed to query streams: {}", progress.error().message);
    }
    store_error_ = progress.error().message;
    if (progress.error().code == taskcopilot::ErrorCode::busy && !busy_retry_) {
      // Read again soon rather than at the next poll: a completion behind
      // this lock must not wait 30 s.
      busy_retry_ = clock_.start_timer(io_, kBusyRetry, [this] {
        busy_retry_.reset();
        if (!stopped_) {
          refresh_progress();
        }
      });
    }
    return;
  }
  store_error_.clear();
  std::map<std::string, bool> complete;
  for (const auto& stream : *progress) {
    complete[stream.stream_id] = taskcopilot::is_complete(stream);
    progress_[stream.stream_id] = stream;
    stalls_.tasks_seen(stream.stream_id, stream);
  }
  for (const auto& child : stream_children_) {
    const auto found = complete.find(child);
    const bool now_complete = found != complete.end() && found->second;
    const auto known = stream_complete_.find(child);
    if (known == stream_complete_.end() || known->second != now_complete) {
      stream_complete_[child] = now_complete;
      deliver(core::StreamProgress{child, now_complete});
    }
  }
}

ProcessLauncher::AdoptResult Runtime::adopt_worker(const std::string& child,
                                                   const legacy::PidFileRead& read) {
  const int pid = read.pid;
  const auto mtime = read.mtime;
  // The record the shim's start left, when it is of this very process: its
  // escaped descendants are then stopped with it too.
  std::shared_ptr<WorkerContainment> containment;
  if (const auto path = worker_record_path(options_.layout, child)) {
    std::string error;
    const auto record = read_worker_record(*path, error);
    if (record && record->pid == pid && verify_recorded_worker(*record).empty()) {
      containment = WorkerContainment::create(io_, background_.get_executor(), record->scope);
    }
  }
  auto adopted = launcher_.adopt(
      io_, pid,
      [&child, mtime](int candidate) {
        const auto verdict = legacy::verify_worker(candidate, child, mtime);
        return verdict == legacy::WorkerVerdict::verified ? std::string()
                                                          : std::string(legacy::to_string(verdict));
      },
      [this, child, pid](core::ExitStatus status) {
        on_exit(child, pid, adopted_exit_status(child, pid, status));
      },
      std::move(containment));
  if (adopted.process) {
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
  const int pid = record->pid;
  auto containment = WorkerContainment::create(io_, background_.get_executor(), record->scope);
  auto adopted = launcher_.adopt(
      io_, pid,
      [&record](int candidate) {
        return candidate == record->pid ? verify_recorded_worker(*record)
                                        : std::string("not the recorded PID");
      },
      [this, child, pid](core::ExitStatus status) { on_exit(child, pid, status); }, containment);
  switch (adopted.failure) {
    case ChildProcess::AdoptFailure::none:
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

std::shared_ptr<WorkerContainment> Runtime::new_containment(const std::string& child) {
  ContainmentScope scope{process::new_start_id(), {}};
  if (!cgroup_base_.empty()) {
    const auto cgroup = cgroup_base_ / ("supervise-" + child + "-" + scope.start_id);
    std::string error;
    if (process::create_cgroup(cgroup, error)) {
      scope.cgroup = cgroup;
    } else {
      spdlog::warn("{}: {}; containing it by its start marker", child, error);
    }
  }
  return WorkerContainment::create(io_, background_.get_executor(), std::move(scope));
}

void Runtime::write_record(const std::string& child, int pid, const ContainmentScope& scope) {
  const auto path = worker_record_path(options_.layout, child);
  const auto record = record_of_started(child, pid, scope);
  if (!path || !record) {
    return;
  }
  // One thread, in order: a record is never written after its removal.
  boost::asio::post(background_, [path = *path, record = *record] {
    std::string error;
    if (!write_worker_record(path, record, error)) {
      spdlog::warn("cannot write the worker record: {} (a later up may not adopt {})", error,
                   record.child);
    }
  });
}

void Runtime::remove_record(const std::string& child, int pid) {
  if (const auto path = worker_record_path(options_.layout, child)) {
    boost::asio::post(background_,
                      [path = *path, pid] { remove_worker_record_if_holds(path, pid); });
  }
}

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

void Runtime::clear_the_way(const std::string& child, const AttemptPtr& attempt) {
  const auto path = options_.layout.pid_file(child);
  if (!path) {
    launch(child, attempt);  // prepare_worker refuses the id
    return;
  }
  auto previous = previous_shims_[child];
  const auto read = legacy::read_pid_file(*path);
  std::string error;
  if (read.state == legacy::PidFileState::valid) {
    auto adopted = adopt_worker(child, read);
    switch (adopted.failure) {
      case ChildProcess::AdoptFailure::none:
        spdlog::warn(
            "{}: a worker started elsewhere runs (PID {}); adopting it instead of starting "
            "another",
            child, read.pid);
        previous_shims_.erase(child);
        end_attempt(child, attempt, core::Spawned{child, read.pid});
        return;
      case ChildProcess::AdoptFailure::cannot_watch:
        end_attempt(child, attempt,
                    core::SpawnFailed{child, fmt::format("its worker started elsewhere (PID {}) "
                                                         "runs but cannot be watched ({}); not "
                                                         "starting a second one",
                                                         read.pid, adopted.error)});
        return;
      case ChildProcess::AdoptFailure::ended:
      case ChildProcess::AdoptFailure::not_verified:
        previous[read.pid] = read.mtime;
        previous_shims_[child][read.pid] = read.mtime;
        legacy::remove_pid_file_if_unchanged(*path, read, error);
        break;
    }
  } else if (read.state == legacy::PidFileState::garbage) {
    legacy::remove_pid_file_if_unchanged(*path, read, error);
  }
  const auto log_file = options_.layout.log_file(child, options_.document.initiative_id);
  const auto work_dir = options_.layout.work_dir(child);
  std::optional<int> drained;
  if (const auto found = last_drained_.find(child); found != last_drained_.end()) {
    drained = found->second;
  }
  // The log and the process table can be large: read them beside the loop.
  boost::asio::post(
      background_, [this, child, attempt, previous, drained,
                    log_file = log_file ? *log_file : std::filesystem::path(),
                    work_dir = work_dir ? *work_dir : std::filesystem::path()]() mutable {
        if (!log_file.empty()) {
          if (const auto last_run = legacy::find_shim_run(log_file)) {
            previous.try_emplace(last_run->pid);
          }
        }
        std::vector<std::pair<int, legacy::SurvivorSearch>> searches;
        for (const auto& [old_pid, pid_file_mtime] : previous) {
          if (drained == old_pid) {
            continue;  // our own earlier process: its group was emptied when it ended
          }
          // Only what that shim started during its life, in the stream's work
          // dir or marked as the stream's, is its leftover.
          legacy::SurvivorScope scope;
          scope.shim_started = pid_file_mtime;
          scope.work_dir = work_dir;
          if (!log_file.empty()) {
            if (const auto run = legacy::find_shim_run(log_file, old_pid)) {
              if (run->started) {
                scope.shim_started = run->started;
              }
              scope.shim_ended = run->ended;
            }
          }
          searches.emplace_back(old_pid, legacy::find_survivors(old_pid, child, scope));
        }
        boost::asio::post(io_, [this, child, attempt, found = std::move(searches)]() mutable {
          survivors_found(child, attempt, std::move(found));
        });
      });
}

void Runtime::survivors_found(const std::string& child, const AttemptPtr& attempt,
                              std::vector<std::pair<int, legacy::SurvivorSearch>> searches) {
  if (!attempt_current(child, attempt)) {
    return;
  }
  std::vector<legacy::SurvivorTarget> targets;
  std::size_t found = 0;
  std::string sessions;
  for (const auto& [old_pid, search] : searches) {
    if (!search.report.remaining.empty()) {
      end_attempt(child, attempt,
                  core::SpawnFailed{child, fmt::format("{} process(es) left by its previous shim "
                                                       "(session {}) are not ours to stop; not "
                                                       "starting another worker beside them",
                                                       search.report.remaining.size(), old_pid)});
      return;
    }
    found += search.report.found.size();
    if (!search.targets.empty()) {
      sessions += (sessions.empty() ? "" : ", ") + std::to_string(old_pid);
    }
    targets.insert(targets.end(), search.targets.begin(), search.targets.end());
  }
  if (targets.empty()) {
    previous_shims_.erase(child);
    prepare_and_launch(child, attempt);
    return;
  }
  const auto* spec = find_spec(child);
  const auto grace =
      spec == nullptr || spec->shutdown.brutal_kill
          ? std::chrono::milliseconds(0)
          : std::min<std::chrono::milliseconds>(spec->shutdown.timeout, kSurvivorGrace);
  attempt->survivors = SurvivorStop::start(
      io_, targets, grace, [this, child, attempt, found, sessions](std::vector<int> remaining) {
        attempt->survivors.reset();
        if (!attempt_current(child, attempt)) {
          return;
        }
        if (!remaining.empty()) {
          end_attempt(child, attempt,
                      core::SpawnFailed{child, fmt::format("{} process(es) left by its previous "
                                                           "shim (session {}) could not be "
                                                           "stopped; not starting another worker "
                                                           "beside them",
                                                           remaining.size(), sessions)});
          return;
        }
        spdlog::warn("{}: stopped {} process(es) left by its previous shim (session {})", child,
                     found, sessions);
        previous_shims_.erase(child);
        prepare_and_launch(child, attempt);
      });
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
      io_, options_.layout.root, *work_dir, child, options_.git_deadline,
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

void Runtime::deliver(core::Event event) {
  queue_.push_back(std::move(event));
  if (pumping_) {
    return;  // the loop below takes it: actions may cause events
  }
  pumping_ = true;
  while (!queue_.empty()) {
    const auto next = std::move(queue_.front());
    queue_.pop_front();
    for (const auto& action : core_->handle(next, now())) {
      perform(action);
    }
  }
  pumping_ = false;
  maybe_stop();
}

void Runtime::perform(const core::Action& action) {
  std::visit(
      [this](const auto& act) {
        using T = std::decay_t<decltype(act)>;
        if constexpr (std::is_same_v<T, core::Spawn>) {
          queue_spawn(act.child);
        } else if constexpr (std::is_same_v<T, core::SignalGroup>) {
          signal_group(act);
        } else if constexpr (std::is_same_v<T, core::ScheduleTimer>) {
          timers_.schedule(act.timer, act.delay);
        } else if constexpr (std::is_same_v<T, core::CancelTimer>) {
          timers_.cancel(act.timer);
        } else if constexpr (std::is_same_v<T, core::StateChanged>) {
          state_changed(act);
        } else if constexpr (std::is_same_v<T, core::Finished>) {
          finished(act.outcome);
        }
      },
      action);
}

void Runtime::queue_spawn(const std::string& child) {
  spawn_queue_.push_back(child);
  if (!spawn_pump_posted_) {
    spawn_pump_posted_ = true;
    boost::asio::post(io_, [this] { pump_spawns(); });
  }
}

void Runtime::pump_spawns() {
  spawn_pump_posted_ = false;
  for (int started = 0; started < kSpawnBatch && !spawn_queue_.empty(); ++started) {
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

void Runtime::stop_leftovers(const std::string& child, const AttemptPtr& attempt,
                             std::chrono::steady_clock::time_point since) {
  const auto left = leftovers_.find(child);
  if (left == leftovers_.end()) {
    continue_start(child, attempt);
    return;
  }
  if (!attempt->leftovers) {
    attempt->leftovers =
        WorkerContainment::create(io_, background_.get_executor(), left->second.scope);
  }
  attempt->leftovers->sweep([this, child, attempt, since](std::size_t found) {
    if (!attempt_current(child, attempt)) {
      return;
    }
    if (found == 0) {
      const auto record = leftovers_.find(child);
      if (record != leftovers_.end()) {
        remove_record(child, record->second.pid);
        leftovers_.erase(record);
      }
      attempt->leftovers.reset();
      continue_start(child, attempt);
      return;
    }
    spdlog::warn("{}: killing {} process(es) left by its worker of an earlier run", child, found);
    if (std::chrono::steady_clock::now() - since > kLeftoverDeadline) {
      end_attempt(child, attempt,
                  core::SpawnFailed{child, fmt::format("{} process(es) left by its earlier worker "
                                                       "survive SIGKILL; not starting another "
                                                       "beside them",
                                                       found)});
      return;
    }
    attempt->leftover_timer = std::make_unique<boost::asio::steady_timer>(io_, kLeftoverRound);
    attempt->leftover_timer->async_wait(
        [this, child, attempt, since](const boost::system::error_code& ec) {
          if (!ec && attempt_current(child, attempt)) {
            stop_leftovers(child, attempt, since);
          }
        });
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
    end_attempt(child, attempt, core::SpawnFailed{child, started.error, started.out_of_resources});
    return;
  }
  const int pid = started.process->pid();
  *pid_cell = pid;
  write_record(child, pid, containment->scope());
  processes_[child] = std::move(started.process);
  end_attempt(child, attempt, core::Spawned{child, pid});
}

void Runtime::schedule_orphan_reap() {
  if (reap_scheduled_) {
    return;
  }
  reap_scheduled_ = true;
  const auto due = last_reap_ + kOrphanReapInterval;
  reap_timer_.expires_at(std::max(due, std::chrono::steady_clock::now()));
  reap_timer_.async_wait([this](const boost::system::error_code& ec) {
    reap_scheduled_ = false;
    if (ec) {
      return;
    }
    last_reap_ = std::chrono::steady_clock::now();
    reaper_.reap();
  });
}

void Runtime::signal_group(const core::SignalGroup& action) {
  const auto found = processes_.find(action.child);
  if (found == processes_.end()) {
    spdlog::debug("{}: no process to signal", action.child);
    return;
  }
  const int signal = action.signal == core::StopSignal::kill ? SIGKILL : SIGTERM;
  std::string error;
  if (!found->second->signal(signal, error)) {
    spdlog::error("cannot signal {} (PID {}): {}", action.child, found->second->pid(), error);
  } else if (signal == SIGTERM) {
    // A worker stopped with SIGSTOP would hold its SIGTERM until the SIGKILL
    // of its shutdown timeout: let it run to handle it.
    found->second->signal(SIGCONT, error);
  }
}

void Runtime::state_changed(const core::StateChanged& change) {
  if (change.to == core::ChildState::stopping && starting_.contains(change.child)) {
    cancel_attempt(change.child);
  }
  const auto text = describe(change);
  if (change.to == core::ChildState::failed) {
    spdlog::error("{}", text);
  } else if (change.reason == core::Reason::crashed ||
             change.reason == core::Reason::spawn_failed ||
             change.reason == core::Reason::out_of_resources) {
    spdlog::warn("{}", text);
  } else {
    spdlog::info("{}", text);
  }
  restart_latency_.state_changed(change, now());
  watch_for_stalls(change);
  if (options_.on_state_changed) {
    options_.on_state_changed(change);
  }
  const auto status = core_->status_of(change.child, now());
  if (const auto kind = journal_kind(change)) {
    journal::Entry entry;
    entry.initiative = options_.document.initiative_id;
    entry.child = change.child;
    entry.kind = *kind;
    if (status) {
      entry.pid = status->pid;
    }
    entry.reason = std::string(core::to_string(change.reason));
    entry.detail = change.detail;
    record(std::move(entry));
  }
  if (change.exceeded_intensity_of) {
    record_intensity_exceeded(change);
  }
  if (!journal_) {
    return;
  }
  try {
    if (status) {
      journal_->set_history(options_.document.initiative_id, change.child,
                            {status->restarts, status->state == core::ChildState::failed});
    }
  } catch (const std::exception& error) {
    spdlog::warn("cannot write the journal: {}", error.what());
  }
}

void Runtime::record(journal::Entry entry) {
  if (entry.at.empty()) {
    entry.at = journal::local_iso_time_now();
  }
  if (options_.on_event) {
    options_.on_event(entry);
  }
  if (!journal_) {
    return;
  }
  try {
    journal_->record(std::move(entry));
  } catch (const std::exception& error) {
    spdlog::warn("cannot write the journal: {}", error.what());
  }
}

void Runtime::watch_for_stalls(const core::StateChanged& change) {
  using core::ChildState;
  const bool up = change.to == ChildState::running || change.to == ChildState::adopted;
  if (!up) {
    stalls_.forget(change.child);
    return;
  }
  const auto* spec = find_spec(change.child);
  const auto limit = spec == nullptr ? std::nullopt : core::effective_stall_after(*spec);
  const auto log = options_.layout.worker_log(change.child, options_.document.initiative_id);
  if (limit && log) {
    stalls_.watch(change.child, *limit, *log);
  }
}

void Runtime::stall_changed(const core::StallChange& change) {
  const auto quiet = std::chrono::duration_cast<std::chrono::seconds>(change.quiet_for);
  journal::Entry entry;
  entry.initiative = options_.document.initiative_id;
  entry.child = change.child;
  entry.pid = pid_of(change.child);
  if (change.stalled) {
    entry.kind = journal::EntryKind::stalled;
    entry.reason = "stalled";
    entry.detail = fmt::format("no task change and no log output for {}s", quiet.count());
    spdlog::warn("{}: stalled: {}", change.child, entry.detail);
  } else {
    entry.kind = journal::EntryKind::unstalled;
    entry.reason = "working";
    entry.detail = "shows work again";
    spdlog::info("{}: {}", change.child, entry.detail);
  }
  const std::string detail = entry.detail;
  record(std::move(entry));
  if (change.stalled) {
    deliver(core::Stalled{change.child, detail});
  }
}

bool Runtime::stalled(const std::string& child) const {
  return stalls_.stalled(child);
}

std::optional<taskcopilot::StreamProgress> Runtime::stream_progress(
    const std::string& child) const {
  const auto found = progress_.find(child);
  if (found == progress_.end()) {
    return std::nullopt;
  }
  return found->second;
}

void Runtime::finished(core::TreeOutcome outcome) {
  outcome_ = outcome;
  spdlog::info("Supervision tree finished: {}", core::to_string(outcome));
  journal::Entry entry;
  entry.initiative = options_.document.initiative_id;
  entry.kind = journal::EntryKind::finished;
  entry.reason = std::string(core::to_string(outcome));
  record(std::move(entry));
}

void Runtime::record_intensity_exceeded(const core::StateChanged& change) {
  journal::Entry entry;
  entry.initiative = options_.document.initiative_id;
  entry.child = change.exceeded_intensity_of->empty() ? std::string(status::kRootSupervisorLabel)
                                                      : *change.exceeded_intensity_of;
  entry.kind = journal::EntryKind::intensity;
  entry.reason = "intensity";
  entry.detail = change.child + " exited once too often: " + change.detail;
  record(std::move(entry));
}

std::optional<core::ChildStatus> Runtime::status_of(const std::string& child) const {
  return core_->status_of(child, now());
}

void Runtime::on_exit(const std::string& child, int pid, core::ExitStatus status) {
  const auto found = processes_.find(child);
  if (found != processes_.end() && found->second->pid() == pid) {
    processes_.erase(found);
  }
  remove_record(child, pid);
  const auto* spec = find_spec(child);
  if (spec != nullptr && spec->command.empty()) {
    last_drained_[child] = pid;
    // A shim killed with SIGKILL leaves its PID file behind.
    if (const auto path = options_.layout.pid_file(child)) {
      std::string error;
      legacy::remove_pid_file_if_holds(*path, pid, error);
    }
  }
  {
    journal::Entry entry;
    entry.initiative = options_.document.initiative_id;
    entry.child = child;
    entry.kind = journal::EntryKind::exit;
    entry.pid = pid;
    entry.exit_code = status.code;
    entry.signal = status.signal;
    entry.detail = status.describe();
    record(std::move(entry));
  }
  auto judge = [this, child, status] {
    deliver(core::Exited{child, status});
    finish_reload();
    maybe_stop();
  };
  if (std::find(stream_children_.begin(), stream_children_.end(), child) !=
      stream_children_.end()) {
    // An agent that completes its last task and exits at once is normal:
    // read the stream's progress before the core judges the exit, instead
    // of after the database watch's coalescing delay. The read is off the
    // loop and bounded; a locked database leaves the progress known so far.
    refresh_progress(std::move(judge));
    return;
  }
  judge();
}

void Runtime::on_signal(int signal) {
  switch (signal) {
    case SIGCHLD:
      schedule_orphan_reap();
      return;
    case SIGHUP:
      spdlog::info("Received SIGHUP: reloading the spec");
      if (options_.on_reloading) {
        options_.on_reloading();
      }
      reload();
      if (!pending_reload_ && options_.on_reloaded) {
        options_.on_reloaded();  // refused, or nothing to stop first: done already
      }
      return;
    default:
      break;
  }
  ++shutdown_signals_;
  if (shutdown_signals_ == 1) {
    spdlog::info("Received shutdown signal");
    command(core::Command{core::CommandKind::shutdown, ""});
  } else if (shutdown_signals_ == 2) {
    spdlog::warn("Received a second shutdown signal: killing every worker now");
    command(core::Command{core::CommandKind::force, ""});
  } else {
    spdlog::error("Received a third shutdown signal: exiting without waiting for workers");
    stopped_ = true;
    io_.stop();
  }
}

void Runtime::command(core::Command command) {
  if (command.kind == core::CommandKind::shutdown || command.kind == core::CommandKind::force) {
    if (!shutdown_requested_ && options_.on_stopping) {
      options_.on_stopping();
    }
    shutdown_requested_ = true;
  }
  deliver(std::move(command));
  maybe_stop();
}

void Runtime::maybe_stop() {
  if (stopped_ || !outcome_ || pending_reload_ || !processes_.empty() || !starting_.empty()) {
    return;
  }
  if (options_.stay && !shutdown_requested_) {
    return;
  }
  stopped_ = true;
  timers_.cancel_all();
  reap_timer_.cancel();
  stalls_.stop();
  // The watchers go once run() has returned: this may run inside one of
  // their own handlers.
  io_.stop();
}

std::vector<core::ChildStatus> Runtime::status() const {
  return core_->status(now());
}

std::optional<bool> Runtime::stream_complete(const std::string& child) const {
  const auto found = stream_complete_.find(child);
  if (found == stream_complete_.end()) {
    return std::nullopt;
  }
  return found->second;
}

std::optional<int> Runtime::process_count(const std::string& child) const {
  const auto found = processes_.find(child);
  if (found == processes_.end()) {
    return std::nullopt;
  }
  return found->second->process_count();
}

std::optional<int> Runtime::pid_of(const std::string& child) const {
  const auto found = processes_.find(child);
  if (found == processes_.end() || found->second->main_exited()) {
    return std::nullopt;
  }
  return found->second->pid();
}

void Runtime::reload() {
  if (!options_.reload) {
    spdlog::info("No spec source to reload from; nothing changes");
    return;
  }
  if (pending_reload_) {
    spdlog::info("A reload is already in progress");
    return;
  }
  if (shutdown_requested_) {
    spdlog::info("Shutting down: not reloading");
    return;
  }
  std::string error;
  auto document = options_.reload(error);
  if (!document) {
    spdlog::error("Cannot reload the spec, keeping the running tree: {}", error);
    return;
  }
  if (*document == options_.document) {
    spdlog::info("The spec has not changed");
    return;
  }
  std::map<std::string, const core::ChildSpec*> next;
  index_children(document->root.children, next);
  // The shim passes the agent and initiative to every shim worker.
  const bool shim_setting_changed = document->agent != options_.document.agent ||
                                    document->initiative_id != options_.document.initiative_id;
  reload_stopping_.clear();
  for (const auto& [id, process] : processes_) {
    const auto* old_spec = find_spec(id);
    const auto found = next.find(id);
    const bool changed = old_spec == nullptr || found == next.end() ||
                         !(*found->second == *old_spec) ||
                         (shim_setting_changed && old_spec->command.empty());
    if (changed) {
      reload_stopping_.push_back(id);
    }
  }
  pending_reload_ = std::move(document);
  spdlog::info("Reloading: stopping {} child(ren) whose spec changed", reload_stopping_.size());
  for (const auto& id : reload_stopping_) {
    deliver(core::Command{core::CommandKind::stop, id});
  }
  finish_reload();
}

void Runtime::finish_reload() {
  if (!pending_reload_) {
    return;
  }
  for (const auto& id : reload_stopping_) {
    if (processes_.contains(id) || starting_.contains(id)) {
      return;  // still stopping
    }
  }
  for (const auto& [id, process] : processes_) {
    if (process->main_exited()) {
      return;  // its exit belongs to the old tree
    }
  }
  const auto old_status = core_->status(now());
  for (const auto& status : old_status) {
    if (status.state == core::ChildState::stopping && processes_.contains(status.id)) {
      // Its stop (and the SIGKILL escalation timer) belongs to the old tree:
      // the new one takes over once it ended.
      return;
    }
  }
  // Kept alive until the comparisons below are done: specs_ points into it.
  const core::SpecDocument old_document = std::move(options_.document);
  std::map<std::string, const core::ChildSpec*> old_specs;
  index_children(old_document.root.children, old_specs);
  timers_.cancel_all();
  options_.document = std::move(*pending_reload_);
  pending_reload_.reset();
  reload_stopping_.clear();
  setting_.initiative_id = options_.document.initiative_id;
  setting_.agent = options_.document.agent;
  index_specs();
  core_ = std::make_unique<core::Supervisor>(options_.document.root, make_random());
  outcome_.reset();

  int kept = 0;
  std::map<std::string, core::ChildStatus> unchanged;
  for (const auto& status : old_status) {
    const auto* now_spec = find_spec(status.id);
    const auto old_spec = old_specs.find(status.id);
    if (now_spec == nullptr || old_spec == old_specs.end() || !(*now_spec == *old_spec->second)) {
      continue;  // a new life for a changed child
    }
    unchanged.emplace(status.id, status);
    if (status.restarts > 0 || status.state == core::ChildState::failed) {
      deliver(core::RestoreHistory{status.id, status.restarts,
                                   status.state == core::ChildState::failed});
    }
    // What operators and completion decided stays: a child stopped by
    // `stop` stays held, a done one does not run again. A child stopped
    // because a dependency ended is judged again (that dependency may have
    // a new life now).
    const bool final_state = status.state == core::ChildState::done ||
                             status.state == core::ChildState::failed ||
                             (status.state == core::ChildState::stopped &&
                              status.reason != core::Reason::dependency_ended);
    if (final_state && status.type == core::ChildType::worker) {
      deliver(core::RestoreState{status.id, status.state, status.held, 0, std::nullopt});
    }
  }
  // The new core starts from what is known of every stream now; a fresh
  // read follows the boot.
  std::map<std::string, bool> known;
  known.swap(stream_complete_);
  for (const auto& child : stream_children_) {
    const auto found = known.find(child);
    const bool complete = found != known.end() && found->second;
    stream_complete_[child] = complete;
    deliver(core::StreamProgress{child, complete});
  }
  for (const auto& [id, process] : processes_) {
    if (find_spec(id) == nullptr || process->main_exited()) {
      continue;
    }
    ++kept;
    const auto before = unchanged.find(id);
    if (before != unchanged.end() && before->second.state == core::ChildState::running) {
      // Our own process: still shown running, with its real exit status.
      deliver(core::RestoreState{id, core::ChildState::running, false, process->pid(),
                                 before->second.started_at});
    } else {
      deliver(core::Adopted{id, process->pid()});
    }
  }
  spdlog::info("Spec reloaded; {} child(ren) kept running", kept);
  deliver(core::Boot{});
  refresh_progress();
  if (options_.on_reloaded) {
    options_.on_reloaded();
  }
  maybe_stop();
}

}  // namespace supervise::runtime
