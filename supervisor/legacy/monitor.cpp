#include "supervisor/legacy/monitor.hpp"

#include <fmt/format.h>
#include <signal.h>
#include <time.h>

#include <map>
#include <memory>
#include <optional>
#include <system_error>

#include "supervisor/journal/journal.hpp"
#include "supervisor/legacy/dead_worker_rule.hpp"
#include "supervisor/legacy/monitor_log.hpp"
#include "supervisor/legacy/pid_file.hpp"
#include "supervisor/legacy/restart_counts.hpp"
#include "supervisor/legacy/shim_banner.hpp"
#include "supervisor/legacy/shim_launch.hpp"
#include "supervisor/legacy/supervisor_lock_probe.hpp"
#include "supervisor/legacy/survivors.hpp"
#include "supervisor/legacy/worker_identity.hpp"
#include "supervisor/legacy/worktree.hpp"
#include "supervisor/taskcopilot/prompt.hpp"
#include "supervisor/taskcopilot/stream_rules.hpp"
#include "supervisor/taskcopilot/task_store.hpp"

namespace supervise::legacy {

namespace {

namespace fs = std::filesystem;
using taskcopilot::Stream;

/// Used only when neither the project's nor the shipped template can be
/// read: the one-line prompt the old orchestrator fell back to.
constexpr const char* kLastResortTemplate =
    "You are a **Stream Foreman** for {stream_id}. Execute tasks:\n{task_table}\n";

/// What the PID file of a stream says about its worker.
struct WorkerProbe {
  bool known = true;  ///< false: the status could not be determined
  bool running = false;
  std::string problem;  ///< why not known
};

class Monitor {
 public:
  Monitor(const MonitorOptions& options, MonitorLog& log, RestartCounts& counts)
      : options_(options), layout_(options.layout), log_(log), counts_(counts) {}

  /// Logs `Monitoring initiative: <name>` for the active initiative, if any.
  /// Only memory.db is read: the contract logs the initiative first, also
  /// when tasks.db is missing.
  void announce_initiative() {
    const auto initiative = taskcopilot::read_active_initiative(layout_.memory_db);
    if (initiative && initiative->has_value()) {
      announce(**initiative);
    }
  }

  /// One check; returns how many dead workers it found.
  int check() {
    auto store = taskcopilot::TaskStore::open(layout_);
    if (!store) {
      log_.error("Failed to query streams: " + store.error().message);
      return 0;
    }
    const auto initiative = store->active_initiative();
    if (!initiative) {
      log_.error("Failed to query streams: " + initiative.error().message);
      return 0;
    }
    if (!initiative->has_value()) {
      log_.warning("No active initiative found");
      return 0;
    }
    announce(**initiative);
    const std::string initiative_id = (*initiative)->id;
    const auto streams = store->streams(initiative_id);
    if (!streams) {
      log_.error("Failed to query streams: " + streams.error().message);
      return 0;
    }

    std::map<std::string, bool> complete;
    for (const Stream& stream : streams->streams) {
      complete[stream.id] = taskcopilot::is_complete(stream.progress);
    }
    std::vector<const Stream*> dead;
    for (const Stream& stream : streams->streams) {
      // Every stream's PID file is checked (and a stale one deleted), whether
      // the stream could be reported or not.
      const WorkerProbe worker = probe_worker(stream.id);
      if (!worker.known) {
        log_.warning(fmt::format("Failed to get status for {}: {}", stream.id, worker.problem));
        continue;
      }
      bool dependencies_complete = true;
      for (const std::string& dependency : stream.dependencies) {
        dependencies_complete = dependencies_complete && complete[dependency];
      }
      const auto log_file = layout_.log_file(stream.id, initiative_id);
      const StreamObservation observation{
          .running = worker.running,
          .complete = complete[stream.id],
          .dependencies_complete = dependencies_complete,
          .log_bytes = log_file ? log_size(*log_file) : std::nullopt,
          .total_tasks = stream.progress.total,
      };
      if (is_dead_worker(observation)) {
        dead.push_back(&stream);
      }
    }

    if (dead.empty()) {
      log_.info("All workers healthy");
      return 0;
    }
    std::string ids;
    for (const Stream* stream : dead) {
      ids += (ids.empty() ? "" : ", ") + stream->id;
    }
    log_.warning(fmt::format("Found {} dead worker(s): {}", dead.size(), ids));
    if (!options_.auto_restart) {
      log_.info("Auto-restart disabled. Use --auto-restart to enable.");
      return static_cast<int>(dead.size());
    }
    if (!restarts_are_ours()) {
      return static_cast<int>(dead.size());
    }
    for (const Stream* stream : dead) {
      try {
        restart(initiative_id, *stream);
      } catch (const std::exception& error) {
        log_.error(fmt::format("Failed to restart worker {} - {}", stream->id, error.what()));
      }
    }
    return static_cast<int>(dead.size());
  }

 private:
  void announce(const taskcopilot::Initiative& initiative) {
    if (announced_ == initiative.id) {
      return;
    }
    announced_ = initiative.id;
    log_.info("Monitoring initiative: " + initiative.name.value_or("Unnamed Initiative"));
  }

  /// False when a running `supervise up` owns the project (or that cannot be
  /// told): its workers in backoff, stopped or failed have no PID file and
  /// look dead here, and a restart beside it would double an agent or undo a
  /// `supervise stop`. Asked right before restarting, not once per run: up
  /// may start or end while a daemon monitor runs.
  bool restarts_are_ours() {
    const SupervisorLockProbe supervisor = probe_supervisor_lock(layout_.supervisor_pid_file);
    if (!supervisor.error.empty()) {
      log_.warning("Not restarting: cannot tell whether supervise up runs: " + supervisor.error);
      return false;
    }
    if (!supervisor.held) {
      return true;
    }
    log_.warning(fmt::format(
        "supervise up ({}) supervises this project; restarts are left to it",
        supervisor.pid ? fmt::format("PID {}", *supervisor.pid) : std::string("PID unknown")));
    return false;
  }

  /// Running means a PID file naming our live, verified shim for the stream.
  /// Any other file content is stale and deleted (the old rule), except what
  /// we must not touch: symlinks, directories and unreadable files.
  WorkerProbe probe_worker(const std::string& stream_id) {
    WorkerProbe probe;
    const auto path = layout_.pid_file(stream_id);
    if (!path) {
      return {false, false, path.error().message};
    }
    const PidFileRead read = read_pid_file(*path);
    switch (read.state) {
      case PidFileState::missing:
        return probe;
      case PidFileState::symlink:
      case PidFileState::not_regular:
      case PidFileState::unreadable:
        return {false, false,
                fmt::format("PID file {} is {}{}{}", path->string(), to_string(read.state),
                            read.reason.empty() ? "" : ": ", read.reason)};
      case PidFileState::garbage:
        break;
      case PidFileState::valid:
        last_shim_[stream_id] = {read.pid, read.mtime};
        if (verify_worker(read.pid, stream_id, read.mtime, *path) ==
            process::WorkerVerdict::verified) {
          probe.running = true;
          return probe;
        }
        break;
    }
    std::string error;
    if (remove_pid_file_if_unchanged(*path, read, error) == RemoveOutcome::failed) {
      log_.warning(fmt::format("Failed to remove stale PID file {}: {}", path->string(), error));
    }
    return probe;
  }

  void restart(const std::string& initiative_id, const Stream& stream) {
    const std::string& id = stream.id;
    if (counts_.count(initiative_id, id) >= options_.max_restarts) {
      log_.error(
          fmt::format("Worker {} has reached max restart limit ({})", id, options_.max_restarts));
      return;
    }
    const auto pid_file = layout_.pid_file(id);
    const auto log_file = layout_.log_file(id, initiative_id);
    const auto work_dir = layout_.work_dir(id);
    if (!pid_file || !log_file || !work_dir) {
      log_.error(fmt::format("Failed to restart worker {} - {}", id,
                             (!pid_file   ? pid_file.error()
                              : !log_file ? log_file.error()
                                          : work_dir.error())
                                 .message));
      return;
    }
    if (!stop_what_the_old_worker_left(id, *log_file, *work_dir)) {
      return;
    }
    const int attempt = counts_.add_restart(initiative_id, id);

    std::error_code exists_error;
    if (!fs::is_directory(*work_dir, exists_error)) {
      const WorktreeResult worktree = ensure_worktree(layout_.root, *work_dir, id);
      if (!worktree.ok) {
        log_.error(fmt::format("Failed to create worktree {} for {}: {}", work_dir->string(), id,
                               worktree.error));
        return;
      }
    }

    log_.info(
        fmt::format("Restarting worker {} (attempt {}/{})", id, attempt, options_.max_restarts));
    const std::string prompt = build_prompt(stream, *work_dir);
    std::error_code shim_error;
    const fs::path shim =
        fs::is_regular_file(layout_.shim, shim_error) ? layout_.shim : options_.fallback_shim;
    const std::uintmax_t log_offset = log_size(*log_file).value_or(0);
    const auto launched_at = WallClock::now();
    const LaunchResult launched = launch_detached_shim(ShimLaunch{
        .shim = shim,
        .arguments = {id, pid_file->string(), layout_.logs_dir.string(), work_dir->string(),
                      initiative_id, prompt},
        .working_dir = layout_.root,
        // Marks everything the shim starts as this stream's, for finding
        // what it leaves behind if it is killed.
        .environment = {{"SUPERVISE_STREAM_ID", id}},
    });
    if (!launched.ok) {
      log_.error(fmt::format("Failed to restart worker {} - {}", id, launched.error));
      return;
    }
    const ShimStart started = wait_for_shim_start(launched.pid, *pid_file, *log_file, log_offset,
                                                  options_.start_deadline);
    switch (started) {
      case ShimStart::pid_file_written:
      case ShimStart::ran_and_ended:
        last_shim_[id] = {launched.pid, launched_at};
        log_.success(fmt::format("Worker {} restarted (PID: {})", id, launched.pid));
        return;
      case ShimStart::failed:
      case ShimStart::timed_out:
        log_.error(fmt::format("Failed to restart worker {} - no PID file created", id));
        return;
    }
  }

  /// Stops what the previous shim of the stream left running (found by its
  /// session id, which is the shim's PID, and narrowed to what started in
  /// its lifetime and carries the stream's mark: survivors.hpp). False:
  /// something is left that we cannot stop, so the restart is skipped rather
  /// than doubling the agent.
  bool stop_what_the_old_worker_left(const std::string& id, const fs::path& log_file,
                                     const fs::path& work_dir) {
    SurvivorScope scope{
        .shim_started = std::nullopt, .shim_ended = std::nullopt, .work_dir = work_dir};
    int old_pid = 0;
    if (const auto found = last_shim_.find(id); found != last_shim_.end()) {
      old_pid = found->second.pid;
      scope.shim_started = found->second.started;
      if (const auto run = find_shim_run(log_file, old_pid); run && run->exited) {
        scope.shim_ended = run->ended;
      }
    } else if (const auto run = find_shim_run(log_file)) {
      old_pid = run->pid;
      scope.shim_started = run->started;
      scope.shim_ended = run->ended;
      if (!run->started) {
        // Without its start time nothing tells a days-old banner's session
        // from a later one that reused the number.
        return true;
      }
    }
    if (old_pid == 0) {
      return true;
    }
    const SurvivorReport survivors = stop_survivors(old_pid, id, options_.survivor_grace, scope);
    if (!survivors.skipped.empty() || survivors.found.empty()) {
      return true;
    }
    if (!survivors.remaining.empty()) {
      log_.error(fmt::format(
          "Worker {}: {} process(es) of its previous shim (session {}) could not be stopped; "
          "not restarting",
          id, survivors.remaining.size(), old_pid));
      return false;
    }
    log_.warning(
        fmt::format("Worker {}: stopped {} process(es) left by its previous shim "
                    "(session {})",
                    id, survivors.found.size(), old_pid));
    return true;
  }

  std::string build_prompt(const Stream& stream, const fs::path& work_dir) {
    const auto context = taskcopilot::prompt_context(stream, work_dir.string());
    const auto prompt = taskcopilot::build_prompt(layout_.foreman_prompt,
                                                  options_.default_prompt_template, context);
    if (prompt) {
      return *prompt;
    }
    log_.warning(
        fmt::format("Using the one-line prompt for {}: {}", stream.id, prompt.error().message));
    return taskcopilot::build_prompt(kLastResortTemplate, context);
  }

  const MonitorOptions& options_;
  const taskcopilot::ProjectLayout& layout_;
  MonitorLog& log_;
  RestartCounts& counts_;
  std::optional<std::string> announced_;
  struct ShimSeen {
    int pid = 0;
    /// When it had started, at the latest (PID file mtime, or our launch).
    WallClock::time_point started;
  };
  /// The last shim seen in each stream's PID file (or started by us): its
  /// PID is the session id of what it may have left running.
  std::map<std::string, ShimSeen> last_shim_;
};

/// SIGINT/SIGTERM blocked for the life of the object and taken with
/// sigtimedwait, so a signal during a check is handled after it, never
/// inside it; the previous mask comes back at the end.
class ShutdownSignals {
 public:
  ShutdownSignals() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    ::pthread_sigmask(SIG_BLOCK, &set_, &previous_);
  }
  ~ShutdownSignals() { ::pthread_sigmask(SIG_SETMASK, &previous_, nullptr); }
  ShutdownSignals(const ShutdownSignals&) = delete;
  ShutdownSignals& operator=(const ShutdownSignals&) = delete;

  /// True when a shutdown signal arrived within `timeout`.
  bool wait(std::chrono::seconds timeout) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      const auto left = until - std::chrono::steady_clock::now();
      if (left <= std::chrono::steady_clock::duration::zero()) {
        return pending();
      }
      const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(left).count();
      const timespec wait_for{static_cast<time_t>(ns / 1'000'000'000),
                              static_cast<long>(ns % 1'000'000'000)};
      if (::sigtimedwait(&set_, nullptr, &wait_for) > 0) {
        return true;
      }
      // EAGAIN: the time is up (checked above); EINTR: another signal.
    }
  }

 private:
  bool pending() {
    const timespec zero{0, 0};
    return ::sigtimedwait(&set_, nullptr, &zero) > 0;
  }

  sigset_t set_;
  sigset_t previous_;
};

/// The journal's restart counts, opened on first use (only a restart needs
/// them, so a report-only run creates no supervise.db); memory when the
/// journal cannot be opened.
class LazyJournalCounts final : public RestartCounts {
 public:
  LazyJournalCounts(fs::path path, MonitorLog& log) : path_(std::move(path)), log_(log) {}

  int count(const std::string& initiative, const std::string& stream) override {
    return counts().count(initiative, stream);
  }
  int add_restart(const std::string& initiative, const std::string& stream) override {
    return counts().add_restart(initiative, stream);
  }

 private:
  RestartCounts& counts() {
    if (!counts_) {
      auto opened = journal::Journal::open(path_);
      for (const std::string& notice : opened.notices) {
        log_.warning(notice);
      }
      if (opened.journal) {
        journal_ = std::move(opened.journal);
        counts_ = std::make_unique<JournalRestartCounts>(*journal_);
      } else {
        log_.warning("Restart counts are kept in memory only: " + opened.error);
        counts_ = std::make_unique<InMemoryRestartCounts>();
      }
    }
    return *counts_;
  }

  fs::path path_;
  MonitorLog& log_;
  std::unique_ptr<journal::Journal> journal_;
  std::unique_ptr<RestartCounts> counts_;
};

int run(const MonitorOptions& options, MonitorLog& log) {
  LazyJournalCounts journal_counts(options.layout.journal_db, log);
  RestartCounts* counts =
      options.restart_counts != nullptr ? options.restart_counts : &journal_counts;
  Monitor monitor(options, log, *counts);

  // The contract's order: the initiative first, then a missing tasks.db.
  // Signals are blocked before anything is logged, so a daemon asked to stop
  // during start-up still says so.
  std::optional<ShutdownSignals> signals;
  if (options.daemon) {
    signals.emplace();
  }
  monitor.announce_initiative();
  std::error_code exists_error;
  if (!fs::exists(options.layout.tasks_db, exists_error)) {
    log.error("Task Copilot database not found: " + options.layout.tasks_db.string());
    return 0;
  }
  if (!options.daemon) {
    return monitor.check() > 0 ? 1 : 0;
  }

  if (!options.auto_restart) {
    log.warning("Daemon mode without --auto-restart will only report dead workers");
  }
  log.info(fmt::format("Starting monitor daemon (interval: {}s, max_restarts: {})",
                       options.interval.count(), options.max_restarts));
  for (;;) {
    try {
      monitor.check();
    } catch (const std::exception& error) {
      log.error(std::string("Error in monitor loop: ") + error.what());
    }
    if (signals->wait(options.interval)) {
      log.info("Received shutdown signal");
      return 0;
    }
  }
}

}  // namespace

int run_monitor(const MonitorOptions& options) {
  MonitorLog log(MonitorLogOptions{
      .file = options.layout.monitor_log, .console = !options.quiet, .color = options.color});
  try {
    return run(options, log);
  } catch (const std::exception& error) {
    log.error(std::string("Error in monitor loop: ") + error.what());
    return 0;
  }
}

}  // namespace supervise::legacy
