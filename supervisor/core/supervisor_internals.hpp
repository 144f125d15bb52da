#pragma once

// The insides of Supervisor, shared by its implementation files
// (supervisor*.cpp) and by nothing else: not part of the interface.

#include <cstdint>
#include <deque>
#include <limits>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "supervisor/core/intensity.hpp"
#include "supervisor/core/supervisor.hpp"

namespace supervise::core {

namespace internal {

inline constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();
inline constexpr std::size_t kRoot = 0;
using GroupId = std::uint64_t;

/// Why a stopping node was asked to stop; decides what it becomes once its
/// processes are gone.
enum class StopCause {
  none,              ///< not asked to stop
  shutdown,          ///< the tree shuts down: stopped
  operator_stop,     ///< stop command: stopped and held until start
  operator_restart,  ///< restart command: starts again
  sibling_restart,   ///< one_for_all/rest_for_one: backs off with its group
  gave_up,           ///< (supervisor node) exceeded its own intensity
  parent_stopping,   ///< its supervisor node stops: stopped with stop_reason
  stalled,           ///< on_stall restart: restarted as after a crash
};

/// Higher wins when a stopping node is asked to stop again.
inline int priority(StopCause cause) {
  switch (cause) {
    case StopCause::none:
      return 0;
    case StopCause::operator_restart:
    case StopCause::sibling_restart:
    case StopCause::stalled:
      return 1;
    case StopCause::gave_up:
    case StopCause::parent_stopping:
      return 2;
    case StopCause::operator_stop:
      return 3;
    case StopCause::shutdown:
      return 4;
  }
  return 0;
}

/// Which final children a supervisor node starts again when it runs.
enum class Fresh {
  none,       ///< none: its children carry on (first start, reactivation)
  keep_done,  ///< restart by its parent: all but done and temporary ones that ran
  all,        ///< operator start/restart: every child, restart counts reset
};

enum class TimerKind {
  restart_group,  ///< a backoff delay elapsed
  healthy,        ///< a child has run for its healthy_after
  kill,           ///< a shutdown timeout elapsed: SIGKILL
};

struct TimerTarget {
  TimerKind kind = TimerKind::restart_group;
  std::uint64_t target = 0;  ///< group id or node index
};

struct Edge {
  std::size_t node = kNone;
  DependencyCondition condition = DependencyCondition::completed;
  /// False when the dependent lies inside the dependency's own subtree (a
  /// child depending on its supervisor node): such edges do not order the
  /// shutdown.
  bool external = true;
};

struct Node {
  const ChildSpec* spec = nullptr;           ///< null for the root
  const SupervisorPolicy* policy = nullptr;  ///< supervisor nodes and the root
  std::string id;
  ChildType type = ChildType::supervisor;
  std::size_t parent = kNone;
  std::vector<std::size_t> children;  ///< in start order
  std::size_t sibling_position = 0;   ///< index in the parent's children
  std::size_t start_rank = 0;
  std::size_t subtree_end = 0;  ///< nodes are in pre-order: [index, subtree_end)
  std::vector<Edge> dependencies;
  std::vector<Edge> dependents;
  bool has_healthy_dependents = false;

  ChildState state = ChildState::waiting;
  Reason reason = Reason::boot;
  std::optional<int> pid;
  std::optional<TimePoint> started_at;
  std::optional<TimePoint> up_since;  ///< running since (cleared on exit)
  std::optional<ExitStatus> last_exit;
  std::optional<TimePoint> last_exit_at;
  int restarts = 0;
  int consecutive = 0;  ///< consecutive restarts, for backoff
  /// Consecutive spawns that failed for lack of resources, for the retry
  /// delay; not restarts.
  int resource_retries = 0;
  bool stream_complete = false;
  bool ever_started = false;
  bool ever_healthy = false;
  bool ever_spawned = false;  ///< a Spawn was asked for (or it was adopted)
  bool held = false;          ///< stopped by an operator: dependents wait
  /// Before Boot: the final state it starts in (journal or reload).
  std::optional<ChildState> restored_state;
  bool restored_held = false;
  std::optional<int> adopted_pid;
  std::optional<TimePoint> adopted_at;
  bool kept = false;  ///< adopted_pid is our own process, kept over a reload

  StopCause stop_cause = StopCause::none;
  Reason stop_reason = Reason::shutdown;
  bool signalled = false;
  bool killed = false;
  bool signal_pending = false;  ///< shutdown waits for its dependents
  TimerId kill_timer = 0;
  TimerId healthy_timer = 0;
  GroupId group = 0;
  bool group_stopping = false;  ///< counted in its group's stopping_members
  Fresh fresh = Fresh::none;

  // --- supervisor nodes ---
  std::size_t live_children = 0;  ///< children not in a final state
  RestartHistory history;
  GroupId pending_group = 0;  ///< one_for_all/rest_for_one: the one open group
  std::unordered_set<GroupId> groups;
  int live_external_dependents = 0;  ///< dependents (external edges) not final
};

/// Children that restart together after one backoff delay: the child that
/// exited plus the siblings its strategy stopped.
struct RestartGroup {
  std::size_t node = kRoot;  ///< their supervisor node
  std::vector<std::size_t> members;
  std::size_t count = 0;             ///< members still in the group
  std::size_t stopping_members = 0;  ///< members still stopping
  TimerId timer = 0;
  TimePoint due{};
  bool fired = false;
  std::string cause;  ///< id of the child whose exit started it
};

enum class WorkKind {
  dependents,          ///< reconsider the waiting dependents of a node
  subtree_dependents,  ///< the same for every final node under a node
  node_end,            ///< has a supervisor node no live children left?
  release,             ///< shutdown: signal what waited for this node's dependents
};

struct Work {
  WorkKind kind = WorkKind::dependents;
  std::size_t node = kRoot;
};

struct DependencyCheck {
  bool all_met = true;
  std::size_t ended = kNone;  ///< a dependency that can no longer meet its condition
  std::size_t unmet = kNone;  ///< the first unmet dependency
};

}  // namespace internal

struct Supervisor::State {
  using Node = internal::Node;
  using Edge = internal::Edge;
  using GroupId = internal::GroupId;
  using RestartGroup = internal::RestartGroup;
  using StopCause = internal::StopCause;
  using Fresh = internal::Fresh;
  using TimerKind = internal::TimerKind;
  using TimerTarget = internal::TimerTarget;
  using Work = internal::Work;
  using WorkKind = internal::WorkKind;
  using DependencyCheck = internal::DependencyCheck;
  static constexpr std::size_t kNone = internal::kNone;
  static constexpr std::size_t kRoot = internal::kRoot;

  SupervisorSpec spec;
  RandomSource random;
  std::vector<Node> nodes;
  std::unordered_map<std::string, std::size_t> index;
  std::vector<std::size_t> start_sequence;  ///< non-root nodes in start order

  std::unordered_map<GroupId, RestartGroup> groups;
  GroupId next_group = 1;
  std::unordered_map<TimerId, TimerTarget> timers;
  TimerId next_timer = 1;
  std::deque<Work> work;

  std::size_t nonfinal_count = 0;
  std::size_t done_count = 0;
  std::size_t stopping_workers = 0;
  std::size_t pending_signals = 0;

  bool booted = false;
  bool shutting_down = false;
  bool forced = false;
  bool root_failed = false;
  bool finished_emitted = false;
  std::optional<TreeOutcome> outcome;

  TimePoint now{};
  std::vector<Action>* out = nullptr;

  State(SupervisorSpec tree, RandomSource source);

  // ------------------------------------------------------------ building ---
  void add_nodes(const std::vector<ChildSpec>& children, std::size_t parent);

  // ------------------------------------------------------------- helpers ---
  Node& root() { return nodes[kRoot]; }
  std::size_t find(const std::string& id) const {
    const auto found = index.find(id);
    return found == index.end() ? kNone : found->second;
  }
  bool is_worker(std::size_t i) const { return nodes[i].type == ChildType::worker; }
  bool is_stream(std::size_t i) const {
    return is_worker(i) && nodes[i].spec->complete_when == CompletionRule::stream;
  }
  bool may_start() const { return booted && !shutting_down && !root_failed; }
  bool parent_running(std::size_t i) const {
    const std::size_t p = nodes[i].parent;
    if (p == kRoot) {
      return may_start();
    }
    return nodes[p].state == ChildState::running;
  }
  const SupervisorPolicy& parent_policy(std::size_t i) const {
    return *nodes[nodes[i].parent].policy;
  }
  bool in_subtree(std::size_t node, std::size_t of) const {
    return node >= of && node < nodes[of].subtree_end;
  }

  /// Builds the action in place: moving a whole Action variant trips a
  /// false -Wmaybe-uninitialized in g++ 12 at -O2.
  template <typename T>
  void emit(T&& action) {
    out->emplace_back(std::forward<T>(action));
  }
  TimerId schedule(Duration delay, TimerKind kind, std::uint64_t target);
  void cancel(TimerId& timer);

  // ------------------------------------------------------- state changes ---
  void set_state(std::size_t i, ChildState to, Reason reason, std::string detail);
  void drain();
  void maybe_finish();

  // -------------------------------------------------------- dependencies ---
  bool condition_met(std::size_t dependency, DependencyCondition condition) const;
  bool may_return(std::size_t node) const;
  DependencyCheck check_dependencies(std::size_t i) const;
  void reconsider(std::size_t i, Reason reason);
  void notify_dependents(std::size_t i);
  void on_up(std::size_t i);

  // ------------------------------------------------------------ starting ---
  void try_start(std::size_t i, Reason reason, const std::string& detail);
  void start_node(std::size_t i, Reason reason, const std::string& detail);
  /// Ends a node that may not start (stopped with `reason`), stopping what
  /// still runs under it first.
  void end_without_start(std::size_t i, Reason reason, const std::string& detail);
  void reset_descendants(std::size_t i, Fresh mode, Reason reason, const std::string& detail);

  // ------------------------------------------------------------ restarts ---
  void on_exit(std::size_t i, const ExitStatus& status, std::optional<std::string> spawn_error);
  void restart_child(std::size_t i, Reason reason, const std::string& detail,
                     std::optional<Duration> uptime);
  /// A spawn that failed for lack of resources: back off and spawn again,
  /// alone (its siblings are not its strategy's business), counting nothing.
  void retry_spawn(std::size_t i, const std::string& error);
  GroupId join_group(std::size_t i);
  void leave_group(std::size_t i);
  void erase_group(GroupId id);
  void try_group_start(GroupId id);
  void stop_for_group(std::size_t sibling, GroupId id);
  void give_up(std::size_t node, const std::string& detail);

  // ------------------------------------------------------------ stopping ---
  void stop_node(std::size_t i, StopCause cause, Reason reason, const std::string& detail);
  void finish_stop(std::size_t i, const std::string& detail);
  void end_stop_at_once(std::size_t i, StopCause cause, Reason reason, const std::string& detail);
  void send_stop_signal(std::size_t i);
  bool blocked(std::size_t i) const;
  void release(std::size_t i);
  void node_end(std::size_t i);

  // -------------------------------------------------------------- events ---
  void on(const Boot&);
  void on(const StreamProgress& event);
  void on(const Spawned& event);
  void on(const SpawnFailed& event);
  void on(const Exited& event);
  void on(const Adopted& event);
  void on(const RestoreHistory& event);
  void on(const RestoreState& event);
  void on(const TimerFired& event);
  void on(const Stalled& event);
  void on(const Command& event);
  CommandVerdict judge(const Command& event) const;
  /// No supervisor node above `i` is on its way elsewhere (stopping,
  /// starting, backoff): an ended child may be started by an operator.
  bool ancestors_let_start(std::size_t i) const;
  void shutdown();
  void force();
  void operator_start(std::size_t i);
  void operator_restart(std::size_t i);

  ChildStatus status_of(std::size_t i, TimePoint at) const;
};

}  // namespace supervise::core
