#pragma once

// The runtime: one io_context that drives the pure core (core::Supervisor).
// It turns the world into events (processes ending, timers, signals, Task
// Copilot changes) and performs the actions the core returns (spawn, signal,
// arm timers). It makes no policy decision of its own. Its member functions
// are defined in runtime*.cpp, a file per concept: the event pump, the spawn
// queue and start attempts, leftovers of earlier starts, adoption, reload,
// the journal, Task Copilot progress, stalls.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "supervisor/core/supervisor.hpp"
#include "supervisor/journal/journal.hpp"
#include "supervisor/journal/journal_writer.hpp"
#include "supervisor/legacy/pid_file.hpp"
#include "supervisor/runtime/cgroup_removals.hpp"
#include "supervisor/runtime/child_process.hpp"
#include "supervisor/runtime/clock.hpp"
#include "supervisor/runtime/db_watch.hpp"
#include "supervisor/runtime/log_relays.hpp"
#include "supervisor/runtime/orphan_reaper.hpp"
#include "supervisor/runtime/process_launcher.hpp"
#include "supervisor/runtime/signal_watch.hpp"
#include "supervisor/runtime/stall_monitor.hpp"
#include "supervisor/runtime/store_reader.hpp"
#include "supervisor/runtime/survivor_stop.hpp"
#include "supervisor/runtime/timer_set.hpp"
#include "supervisor/runtime/worker_command.hpp"
#include "supervisor/runtime/worker_containment.hpp"
#include "supervisor/runtime/worker_record.hpp"
#include "supervisor/runtime/worktree.hpp"
#include "supervisor/status/restart_latency.hpp"
#include "supervisor/taskcopilot/task_store.hpp"

namespace supervise::runtime {

class Runtime;

struct RuntimeOptions {
  taskcopilot::ProjectLayout layout;
  core::SpecDocument document;
  /// The shim and default prompt that ship beside the binary.
  std::filesystem::path shim;
  std::filesystem::path default_prompt;
  /// supervise-log-relay; empty: workers append to their logs themselves,
  /// unrotated.
  std::filesystem::path log_relay;
  /// Keep running after every child has ended for good, until shut down.
  bool stay = false;
  /// Record starts, exits and restart counts in the journal (supervise.db)
  /// and restore restart counts from it at boot.
  bool journal = true;
  /// Adopt live, verified workers named by PID files (shim workers) or by
  /// worker records (the others) at boot.
  bool adopt = true;
  /// Contain each worker in a cgroup v2 of its own when one can be created;
  /// false (or none can be made): by the subreaper and start markers.
  bool cgroups = true;
  /// Handle SIGINT/SIGTERM/SIGHUP/SIGCHLD (off in tests that drive commands
  /// themselves).
  bool handle_signals = true;
  DbWatch::Options db_watch;
  /// How long creating a stream's git worktree may take before its git is
  /// killed and the start fails (a stale lock, a credential prompt).
  std::chrono::milliseconds git_deadline{120'000};
  /// The tree to run after SIGHUP; null: SIGHUP is only logged. Returns
  /// nullopt with `error` set when the new spec cannot be used (the running
  /// tree is then left as it is). Called beside the loop, on the runtime's
  /// background thread: it may read files and databases.
  std::function<std::optional<core::SpecDocument>(std::string& error)> reload;
  /// Called for every state change the core reports, after it is logged
  /// (for measurements and tests; on the io_context's thread).
  std::function<void(const core::StateChanged&)> on_state_changed;
  /// Called once the tree has booted, on the io_context's thread (e.g. to
  /// open the control socket).
  std::function<void(Runtime&)> on_booted;
  /// SIGHUP: called before the spec is read again, and once the reload has
  /// ended (new tree running, or reload refused). For the service manager.
  std::function<void()> on_reloading;
  std::function<void()> on_reloaded;
  /// Called once, when a shutdown is first requested (signal or command).
  std::function<void()> on_stopping;
  /// The runtime's seams; null: the real ones (SteadyClock,
  /// ChildProcessLauncher). Tests pass a manual clock and a fake launcher.
  /// Both outlive the Runtime.
  Clock* clock = nullptr;
  ProcessLauncher* launcher = nullptr;
  /// Called for everything that happens to a child that the journal keeps
  /// (with or without a journal), its time filled in; on the io_context's
  /// thread (the HTTP event stream).
  std::function<void(const journal::Entry&)> on_event;
};

struct RunResult {
  core::TreeOutcome outcome = core::TreeOutcome::all_done;
  /// Every node at the end, in start order.
  std::vector<core::ChildStatus> children;
};

class Runtime {
 public:
  explicit Runtime(RuntimeOptions options);
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  /// Boots the tree and runs until it has finished for good (with `stay`:
  /// until shut down). Call once.
  RunResult run();
  /// run() in two halves, for a caller that runs io() itself (tests on a
  /// manual clock): start() posts the boot; finish() ends what watches the
  /// world and returns the result, once finished() or when the caller gives
  /// up. Call each once, instead of run().
  void start();
  RunResult finish();
  /// The tree has finished for good (io() is stopped).
  bool finished() const { return stopped_; }

  // Everything below runs on the io_context's thread only (post to io()).

  boost::asio::io_context& io() { return io_; }
  /// Hands an operator command to the core (a control socket request, or a
  /// test standing in for one).
  void command(core::Command command);
  /// What the core would do with `command` now (accepted, or why not).
  core::CommandVerdict judge(const core::Command& command) const;
  std::vector<core::ChildStatus> status() const;
  /// What `status` shows of one child; nullopt when there is no such child.
  std::optional<core::ChildStatus> status_of(const std::string& child) const;
  const core::SpecDocument& document() const { return options_.document; }
  const taskcopilot::ProjectLayout& layout() const { return options_.layout; }
  /// Whether the Task Copilot stream of `child` was complete at the last read.
  std::optional<bool> stream_complete(const std::string& child) const;
  /// The PID of the running process of `child`, spawned or adopted.
  std::optional<int> pid_of(const std::string& child) const;
  /// How many live processes `child` has (its main process and everything
  /// it started); nullopt when not known (not running, or not counted yet).
  std::optional<int> process_count(const std::string& child) const;
  /// Where per-worker cgroups are made; empty when workers are contained by
  /// start markers.
  const std::filesystem::path& cgroup_base() const { return cgroup_base_; }
  /// Whether the running worker `child` is stalled (no sign of work for its
  /// stall_after).
  bool stalled(const std::string& child) const;
  /// The task counts of the stream of `child` at the last progress read.
  std::optional<taskcopilot::StreamProgress> stream_progress(const std::string& child) const;
  const status::RestartLatency& restart_latency() const { return restart_latency_; }
  /// Reaps orphans of the tree; a caller that starts children of its own
  /// (hooks) tracks their main processes here to keep their exit statuses.
  OrphanReaper& orphan_reaper() { return reaper_; }
  /// Re-reads Task Copilot progress (what a DB change does), beside the
  /// loop; `then` runs once the result (or the error) has been applied.
  void refresh_progress(std::function<void()> then = {});
  /// Reloads the spec as SIGHUP does. The spec is read beside the loop;
  /// `then` runs on the loop once the result has been applied (the reload
  /// refused, or the changed children told to stop: see on_reloaded for its
  /// end).
  void reload(std::function<void()> then = {});
  /// The runtime's clock: the time the core and `status` work with.
  core::TimePoint now() const;

 private:
  void boot();
  /// The rest of the boot, once the first progress read has answered.
  void finish_boot();
  void open_journal();
  void apply_progress(const StoreReader::ProgressResult& progress);
  void adopt_running_workers();
  /// Watches the worker `read` names if it is the live shim of `child`
  /// (then in processes_).
  ProcessLauncher::AdoptResult adopt_worker(const std::string& child,
                                            const legacy::PidFileRead& read);
  /// A custom-command worker an earlier `up` started, named by its record:
  /// adopted when it still runs, else what it left is stopped before the
  /// child's first start.
  void adopt_recorded_worker(const std::string& child);
  /// The containment of a new start of a worker (a cgroup when possible),
  /// recorded (write_starting_record) before the cgroup is made.
  std::shared_ptr<WorkerContainment> new_containment(const std::string& child);
  /// The worker record of `child`: written before its launch (no PID yet),
  /// then with its PID once it runs; removed when it ends or never started.
  void write_starting_record(const std::string& child, const ContainmentScope& scope);
  void write_record(const std::string& child, int pid, const ContainmentScope& scope,
                    std::optional<LogRelayRef> relay);
  void remove_record(const std::string& child, int pid);
  void remove_record_of_start(const std::string& child, const std::string& start_id);

  /// One start of one child in progress: the steps before its process runs
  /// (stopping an earlier shim's leftovers, creating its worktree) happen
  /// beside the loop, each ending in a completion that checks the attempt is
  /// still the child's current one. The core learns the outcome (Spawned or
  /// SpawnFailed) when the last step is done.
  struct StartAttempt {
    bool cancelled = false;  ///< the core stopped the child meanwhile
    std::shared_ptr<WorktreeCreation> worktree;
    std::shared_ptr<SurvivorStop> survivors;
    /// What an earlier start left (its record), being stopped.
    std::shared_ptr<WorkerContainment> leftovers;
    std::unique_ptr<boost::asio::steady_timer> leftover_timer;
  };
  using AttemptPtr = std::shared_ptr<StartAttempt>;

  /// Spawn actions wait here and are started a bounded batch per turn of
  /// the loop, so that a boot of thousands of children leaves room for
  /// signals, `status` and exits in between.
  void queue_spawn(const std::string& child);
  void pump_spawns();
  void begin_start(const std::string& child);
  /// The steps of a start after what an earlier one left is gone.
  void continue_start(const std::string& child, const AttemptPtr& attempt);
  /// Kills what the stale record of `child` names (its cgroup or start
  /// marker) until nothing is left, then goes on with the start.
  void stop_leftovers(const std::string& child, const AttemptPtr& attempt,
                      std::chrono::steady_clock::time_point since);
  /// Before a shim worker starts: a live shim of its stream that someone
  /// else started is adopted instead (Spawned), and whatever earlier shims
  /// left running (their sessions, from the PID file and the log's last
  /// start banner) is found beside the loop and stopped (SurvivorStop)
  /// before the start goes on.
  void clear_the_way(const std::string& child, const AttemptPtr& attempt);
  void survivors_found(const std::string& child, const AttemptPtr& attempt,
                       std::vector<std::pair<int, legacy::SurvivorSearch>> searches);
  /// Creates the worker's git worktree if it needs one, then launches it.
  void prepare_and_launch(const std::string& child, const AttemptPtr& attempt);
  void launch(const std::string& child, const AttemptPtr& attempt);
  void launch_with(const std::string& child, const AttemptPtr& attempt,
                   const std::vector<taskcopilot::Stream>* streams);
  /// Whether `attempt` is still the current start of `child`; a cancelled
  /// one is ended here (SpawnFailed) and false.
  bool attempt_current(const std::string& child, const AttemptPtr& attempt);
  void end_attempt(const std::string& child, const AttemptPtr& attempt, core::Event outcome);
  void cancel_attempt(const std::string& child);
  /// SIGCHLD: orphans are reaped shortly (reap_orphans), once for a burst.
  void child_signalled();
  /// Reaps orphans. Zombies that wait behind one that is not ours to reap
  /// are looked at again after kOrphanReapInterval, and if the same one
  /// still stands in front (`blocked_before`), reaped through the list of
  /// all our children.
  void reap_orphans(int blocked_before = 0);
  void schedule_orphan_reap(std::chrono::milliseconds delay, int blocked_before);

  void deliver(core::Event event);
  void perform(const core::Action& action);
  void signal_group(const core::SignalGroup& action);
  void state_changed(const core::StateChanged& change);
  /// Starts or stops watching `change.child` for stalls.
  void watch_for_stalls(const core::StateChanged& change);
  void stall_changed(const core::StallChange& change);
  /// Hands `entry` to the journal (when kept) and to on_event.
  void record(journal::Entry entry);
  /// The journal's row for `change` (when it is one) and the child's restart
  /// history.
  void journal_state_change(const core::StateChanged& change);
  void finished(core::TreeOutcome outcome);
  /// Records that `change` made its supervisor node exceed its intensity.
  void record_intensity_exceeded(const core::StateChanged& change);
  journal::JournalWriterOptions journal_writer_options() const;
  void on_exit(const std::string& child, int pid, core::ExitStatus status);
  /// `status` of an adopted shim, or when unknown, the one its exit banner
  /// in the stream log tells.
  core::ExitStatus adopted_exit_status(const std::string& child, int pid,
                                       core::ExitStatus status) const;
  void on_signal(int signal);
  void maybe_stop();
  /// The spec read for a reload (nullopt: `error` says why not), on the loop.
  void apply_reload(std::optional<core::SpecDocument> document, const std::string& error);
  void finish_reload();
  const core::ChildSpec* find_spec(const std::string& id) const;
  void index_specs();

  RuntimeOptions options_;
  boost::asio::io_context io_;
  WorkerSetting setting_;
  std::unique_ptr<core::Supervisor> core_;
  std::map<std::string, const core::ChildSpec*> specs_;
  std::vector<std::string> stream_children_;

  OrphanReaper reaper_;
  /// The real clock and launcher, unless the options name others.
  std::unique_ptr<Clock> own_clock_;
  std::unique_ptr<ProcessLauncher> own_launcher_;
  Clock& clock_;
  ProcessLauncher& launcher_;
  boost::asio::steady_timer reap_timer_;
  bool reap_scheduled_ = false;
  TimerSet timers_;
  std::unique_ptr<SignalWatch> signals_;
  std::unique_ptr<DbWatch> db_watch_;
  std::unique_ptr<StoreReader> reader_;
  std::string store_error_;
  std::unique_ptr<Clock::Timer> busy_retry_;
  std::unique_ptr<journal::JournalWriter> journal_;
  /// Read from the journal at boot, handed to the core before Boot.
  std::map<std::string, journal::ChildHistory> restored_histories_;

  std::map<std::string, std::unique_ptr<ProcessHandle>> processes_;
  /// Where per-worker cgroups are created (empty: start markers only).
  std::filesystem::path cgroup_base_;
  /// Emptied worker cgroups still being removed: `up` ends after them.
  std::shared_ptr<CgroupRemovals> cgroup_removals_ = CgroupRemovals::create(io_);
  /// The workers' log relays, kept from one run to the next; `up` ends
  /// after the released ones.
  std::shared_ptr<LogRelays> log_relays_ = LogRelays::create(io_);
  /// Records of an earlier `up` whose worker no longer runs: what it left
  /// is stopped before the child starts again.
  std::map<std::string, WorkerRecord> leftovers_;
  std::map<std::string, AttemptPtr> starting_;
  std::deque<std::string> spawn_queue_;
  bool spawn_pump_posted_ = false;
  std::map<std::string, bool> stream_complete_;
  std::map<std::string, taskcopilot::StreamProgress> progress_;
  StallMonitor stalls_;
  status::RestartLatency restart_latency_;
  /// Per shim child: PIDs of earlier shims from stale PID files (with the
  /// file's mtime, when the shim had started by), whose sessions are checked
  /// for survivors before the next start.
  std::map<std::string, std::map<int, std::optional<legacy::WallClock::time_point>>>
      previous_shims_;
  /// Per shim child: the PID of our last process of it, whose group we
  /// emptied when it ended (no survivor scan needed for it).
  std::map<std::string, int> last_drained_;
  /// Per child: the PID of its last run, ended, whose worker record is
  /// removed once the child comes to rest (a restart rewrites it instead).
  std::map<std::string, int> ended_records_;
  std::deque<core::Event> queue_;
  bool pumping_ = false;
  int shutdown_signals_ = 0;
  bool shutdown_requested_ = false;
  std::optional<core::TreeOutcome> outcome_;
  bool stopped_ = false;

  /// SIGHUP: children being stopped because their spec changed; the new
  /// tree takes over once none of them runs any more, and no child still
  /// runs that the old tree is stopping (its SIGKILL escalation is the old
  /// tree's).
  std::optional<core::SpecDocument> pending_reload_;
  /// The spec of a reload is being read beside the loop.
  bool reload_reading_ = false;
  std::vector<std::string> reload_stopping_;

  /// Blocking look-ups (the process table, logs, the spec of a reload) run
  /// here, never on the loop; declared last so that it is joined before anything it reports to
  /// is destroyed.
  boost::asio::thread_pool background_{1};
};

}  // namespace supervise::runtime
