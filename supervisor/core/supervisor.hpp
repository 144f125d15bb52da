#pragma once

// The supervision policy as a pure state machine: `handle(event, now)` returns
// the actions the runtime must perform. No I/O, no clock reads, no sleeps: the
// runtime (supervisor/runtime) feeds real events, tests feed scripted ones.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "supervisor/core/child_spec.hpp"
#include "supervisor/core/child_state.hpp"
#include "supervisor/core/exit_status.hpp"

namespace supervise::core {

using TimePoint = std::chrono::steady_clock::time_point;
using TimerId = std::uint64_t;
/// Uniform random numbers in [0, 1), for backoff jitter.
using RandomSource = std::function<double()>;

// ---------------------------------------------------------------- events ---

/// Start the tree: spawn every child whose dependencies are met. Send
/// StreamProgress, Adopted, RestoreHistory and RestoreState events first.
struct Boot {};

/// The Task Copilot stream of `child` is (or is no longer) complete.
struct StreamProgress {
  std::string child;
  bool complete = false;
};

/// The spawn asked for by a Spawn action succeeded.
struct Spawned {
  std::string child;
  int pid = 0;
};

/// The spawn asked for by a Spawn action failed: counts as a crash, unless
/// it failed for lack of resources (file descriptors, processes, memory).
/// That is the machine's state, not the child's fault: the spawn is retried
/// after a backoff delay, with no restart counted (neither `max_restarts`
/// nor the node's intensity), so a full fd table never marks a child failed.
struct SpawnFailed {
  std::string child;
  std::string reason;
  bool out_of_resources = false;
};

/// The child's main process ended and nothing is left of its process group.
struct Exited {
  std::string child;
  ExitStatus status;
};

/// The child was found already running (a verified PID file): it is watched,
/// never started a second time.
struct Adopted {
  std::string child;
  int pid = 0;
};

/// Restart history from the journal of an earlier run (before Boot).
struct RestoreHistory {
  std::string child;
  int restarts = 0;
  bool failed = false;
};

/// The state of an unchanged worker carried over a spec reload (before Boot;
/// ignored for supervisor nodes). At Boot it is put straight into `state`
/// (Reason restored): `stopped` (with `held`: an operator stopped it, it stays
/// stopped and its dependents wait until `start`), `done` or `failed`; or
/// `running` with `pid`, running since `started_at`: our own process, still
/// running, watched as running (not adopted). Other states are ignored.
struct RestoreState {
  std::string child;
  ChildState state = ChildState::stopped;
  bool held = false;
  int pid = 0;
  std::optional<TimePoint> started_at;
};

/// A timer asked for by a ScheduleTimer action fired. Fired timers that were
/// cancelled or superseded are ignored.
struct TimerFired {
  TimerId timer = 0;
};

/// The runtime saw no sign of work from a running worker for its
/// `stall_after` (stall_rule.hpp). With `on_stall: restart` the core stops
/// it and, once it has ended, restarts it as after a crash (Reason stalled:
/// backoff, `max_restarts` and the node's intensity apply; a temporary child
/// ends failed). With `alert`, or when the child is not running or adopted,
/// nothing changes: reporting it is the runtime's business.
struct Stalled {
  std::string child;
  std::string detail;  ///< for people: how long it was quiet
};

enum class CommandKind {
  stop,      ///< stop one child; it stays stopped until `start`
  start,     ///< start a stopped, failed or done child again
  restart,   ///< stop and start one child, with its backoff reset
  shutdown,  ///< stop the whole tree in reverse dependency order
  force,     ///< a second shutdown request: SIGKILL every group now
};
std::string_view to_string(CommandKind value);

/// The command called `name` ("stop", "start", "restart", "shutdown",
/// "force"); nullopt for any other name.
std::optional<CommandKind> command_kind_from_string(std::string_view name);
/// Whether a command of `kind` names one child (stop, start, restart) or
/// concerns the whole tree (shutdown, force).
bool names_a_child(CommandKind kind);

/// An operator command (control socket, or SIGINT/SIGTERM for shutdown).
struct Command {
  CommandKind kind = CommandKind::shutdown;
  std::string child;  ///< empty for shutdown/force
};

/// What the core does with a Command in its present state
/// (Supervisor::judge).
enum class CommandVerdict {
  accepted,          ///< it acts on the command
  unknown_child,     ///< no node of the tree has that id
  nothing_to_do,     ///< the child is where the command would take it already
  tree_not_running,  ///< before Boot, during a shutdown, or after the root failed
  supervisor_busy,   ///< a supervisor node above the child is stopping, starting
                     ///< or in backoff: it decides for the child
};
std::string_view to_string(CommandVerdict value);

using Event = std::variant<Boot, StreamProgress, Spawned, SpawnFailed, Exited, Adopted,
                           RestoreHistory, RestoreState, TimerFired, Stalled, Command>;

// --------------------------------------------------------------- actions ---

/// Start the worker `child` (the runtime answers Spawned or SpawnFailed).
struct Spawn {
  std::string child;
};

enum class StopSignal {
  terminate,  ///< SIGTERM
  kill,       ///< SIGKILL
};

/// Signal the whole process group of `child` (the runtime answers Exited once
/// the group is gone).
struct SignalGroup {
  std::string child;
  StopSignal signal = StopSignal::terminate;
};

struct ScheduleTimer {
  TimerId timer = 0;
  Duration delay{0};
};

struct CancelTimer {
  TimerId timer = 0;
};

/// Why a child changed state: for the log, the journal and `status`.
enum class Reason {
  boot,                ///< the tree started
  dependencies_met,    ///< its dependencies met their conditions
  spawned,             ///< its process runs
  adopted,             ///< found running at start-up
  spawn_failed,        ///< could not be started
  out_of_resources,    ///< could not be started for lack of resources: retried, not counted
  exited_normally,     ///< a normal exit (see CompletionRule)
  stream_complete,     ///< its Task Copilot stream is complete
  crashed,             ///< an abnormal exit
  stopped_externally,  ///< SIGTERM/SIGINT/SIGHUP that we did not send
  backoff_elapsed,     ///< the restart delay passed
  max_restarts,        ///< it used its `max_restarts`
  intensity,           ///< its supervisor node exceeded its restart intensity
  sibling_restart,     ///< strategy one_for_all/rest_for_one restarts it
  dependency_ended,    ///< a dependency ended without meeting its condition
  operator_command,    ///< stop/start/restart from an operator
  shutdown,            ///< the tree is shutting down
  restored,            ///< state carried over from the journal
  children_ended,      ///< (supervisor node) every child of it has ended
  stalled,             ///< no sign of work for its `stall_after` (on_stall: restart)
};
std::string_view to_string(Reason value);

struct StateChanged {
  std::string child;
  ChildState from = ChildState::waiting;
  ChildState to = ChildState::waiting;
  Reason reason = Reason::boot;
  /// Facts for people: the exit status, the delay, the dependency...
  std::string detail;
  /// Set on the change that made a supervisor node exceed its restart
  /// intensity (the child that exited one time too many): that node's id,
  /// "" for the root. Hooks and the journal report it as its own event.
  std::optional<std::string> exceeded_intensity_of;
};

enum class TreeOutcome {
  all_done,       ///< every child is done
  some_not_done,  ///< every child ended; at least one is stopped or failed
  shut_down,      ///< ended by a shutdown command
  root_failed,    ///< the root exceeded its restart intensity
};
std::string_view to_string(TreeOutcome value);

/// Every child has ended for good; the runtime may exit (unless told to stay).
struct Finished {
  TreeOutcome outcome = TreeOutcome::all_done;
};

using Action = std::variant<Spawn, SignalGroup, ScheduleTimer, CancelTimer, StateChanged, Finished>;

// ---------------------------------------------------------------- status ---

/// What `status` shows about one child.
struct ChildStatus {
  std::string id;
  std::string parent;  ///< id of its supervisor node; "" for the root
  ChildType type = ChildType::worker;
  ChildState state = ChildState::waiting;
  std::optional<int> pid;
  std::optional<TimePoint> started_at;
  int restarts = 0;            ///< total restarts
  int restarts_in_window = 0;  ///< restarts within its node's `period`
  std::optional<ExitStatus> last_exit;
  std::optional<TimePoint> last_exit_at;
  std::optional<TimePoint> next_restart_at;  ///< set in backoff
  /// Unmet dependencies; first the enclosing supervisor node when that is
  /// not running (its children wait for it).
  std::vector<std::string> waiting_for;
  bool stream_complete = false;
  Reason reason = Reason::boot;  ///< why it is in its state
  bool held = false;             ///< stopped by an operator: stays stopped until `start`
};

// ------------------------------------------------------------ supervisor ---

/// The supervision policy of ARCHITECTURE.md, with these decisions:
///
/// Exits (classify_exit/decide_restart in exit_classification.hpp): an exit
/// we asked for ends the child `stopped`, or `done` when it is a stream child
/// whose stream is complete. A temporary child that crashed ends `failed`.
///
/// Backoff (backoff.hpp): the k-th consecutive restart waits
/// base = min(initial*factor^(k-1), max), spread uniformly over
/// [base*(1-jitter), min(base*(1+jitter), max)]: never past `max`.
/// A delay of 0 still goes backoff -> ScheduleTimer(0) -> starting. The count
/// starts over when the child had run (since Spawned/adoption) for at least
/// `reset_after`, and on operator start/restart and a fresh node restart.
/// `max_restarts` counts every restart of the child (restored ones too);
/// negative means no limit; one more -> `failed` (max_restarts).
///
/// Intensity (intensity.hpp, per node, OTP): one record per restart decision;
/// the decision that makes it more than `intensity` within `period` fails the
/// exiting child (Reason intensity), stops the node's other children at once
/// (signals in reverse start order) and, once they ended, the node either
/// backs off for a restart by its parent (its restart type, `max_restarts`,
/// the parent's intensity and backoff) or ends `failed`. The root failing ends
/// the tree with Finished{root_failed}. A node restart is fresh: new intensity
/// window; its children that ended start again (backoff counts reset, restart
/// totals kept), except `done` ones and temporary ones that ever ran.
///
/// A nested node whose children all ended on their own ends with them (done,
/// failed if one failed, else stopped; Reason children_ended); that is not a
/// crash and its parent does not restart it.
///
/// Strategies: one_for_all/rest_for_one stop the affected running siblings
/// (Reason sibling_restart, not counted as restarts); they wait in `backoff`
/// and all start together, in start order and each only when its dependencies
/// are met, once the exiting child's delay passed and the last of them ended.
/// Temporary siblings are stopped and not restarted. A crash while such a
/// restart is pending joins it.
///
/// Dependencies: a `done` dependency meets every condition; `started` and
/// `healthy` stay met once met. A waiting child whose dependency ended for good
/// (final, not stopped by an operator, not inside a node that is restarting)
/// ends `stopped` (dependency_ended); dependents of an operator-stopped child
/// wait for its start.
///
/// Shutdown: every child goes `stopping` at once; a child is signalled once
/// every child depending on it (or on one of its supervisor nodes) has ended.
/// Should that order ever wait in a circle (a child depending on the node of
/// one of its own dependents), the rest are signalled together. A starting
/// child is signalled once Spawned tells its pid.
///
/// Operator commands: `stop` holds the child stopped until `start`; `start`
/// (from stopped/failed/done) resets its restart count and backoff and brings
/// back the supervisor nodes above it that ended; `restart` stops then starts
/// it (a node: all its children) without counting a crash, and starts a child
/// in backoff at once. Commands are ignored before Boot, after a shutdown or
/// the root's failure, for unknown ids, and where there is nothing to do.
///
/// Finished is emitted whenever the tree comes to rest (every node final);
/// again after an operator command set it running, and once for a shutdown of
/// a tree already at rest. Timer ids are never reused; timers no longer
/// needed are cancelled with CancelTimer; stale firings are ignored.
class Supervisor {
 public:
  Supervisor(SupervisorSpec spec, RandomSource random);
  ~Supervisor();
  Supervisor(Supervisor&&) noexcept;
  Supervisor& operator=(Supervisor&&) noexcept;

  /// Apply one event at time `now` (monotonic); returns the actions to take,
  /// in order.
  std::vector<Action> handle(const Event& event, TimePoint now);

  /// Status of every node, workers and nested supervisors, in start order.
  std::vector<ChildStatus> status(TimePoint now) const;
  std::optional<ChildStatus> status_of(const std::string& child, TimePoint now) const;

  /// What handle(command) would do now, without doing it: the one place
  /// that decides which commands apply (handle acts only on `accepted`).
  CommandVerdict judge(const Command& command) const;

  /// Set once a Finished action has been returned.
  std::optional<TreeOutcome> outcome() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace supervise::core
