#include "supervisor/core/supervisor.hpp"

#include <algorithm>
#include <deque>
#include <limits>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "supervisor/core/backoff.hpp"
#include "supervisor/core/dependency_graph.hpp"
#include "supervisor/core/exit_classification.hpp"
#include "supervisor/core/intensity.hpp"

namespace supervise::core {

std::string_view to_string(CommandKind value) {
  switch (value) {
    case CommandKind::stop:
      return "stop";
    case CommandKind::start:
      return "start";
    case CommandKind::restart:
      return "restart";
    case CommandKind::shutdown:
      return "shutdown";
    case CommandKind::force:
      return "force";
  }
  return "?";
}

std::string_view to_string(Reason value) {
  switch (value) {
    case Reason::boot:
      return "boot";
    case Reason::dependencies_met:
      return "dependencies_met";
    case Reason::spawned:
      return "spawned";
    case Reason::adopted:
      return "adopted";
    case Reason::spawn_failed:
      return "spawn_failed";
    case Reason::exited_normally:
      return "exited_normally";
    case Reason::stream_complete:
      return "stream_complete";
    case Reason::crashed:
      return "crashed";
    case Reason::stopped_externally:
      return "stopped_externally";
    case Reason::backoff_elapsed:
      return "backoff_elapsed";
    case Reason::max_restarts:
      return "max_restarts";
    case Reason::intensity:
      return "intensity";
    case Reason::sibling_restart:
      return "sibling_restart";
    case Reason::dependency_ended:
      return "dependency_ended";
    case Reason::operator_command:
      return "operator_command";
    case Reason::shutdown:
      return "shutdown";
    case Reason::restored:
      return "restored";
    case Reason::children_ended:
      return "children_ended";
  }
  return "?";
}

std::string_view to_string(TreeOutcome value) {
  switch (value) {
    case TreeOutcome::all_done:
      return "all_done";
    case TreeOutcome::some_not_done:
      return "some_not_done";
    case TreeOutcome::shut_down:
      return "shut_down";
    case TreeOutcome::root_failed:
      return "root_failed";
  }
  return "?";
}

namespace {

constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();
constexpr std::size_t kRoot = 0;
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
};

/// Higher wins when a stopping node is asked to stop again.
int priority(StopCause cause) {
  switch (cause) {
    case StopCause::none:
      return 0;
    case StopCause::operator_restart:
    case StopCause::sibling_restart:
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
  bool stream_complete = false;
  bool ever_started = false;
  bool ever_healthy = false;
  bool ever_spawned = false;  ///< a Spawn was asked for (or it was adopted)
  bool held = false;          ///< stopped by an operator: dependents wait
  bool restored_failed = false;
  std::optional<int> adopted_pid;
  std::optional<TimePoint> adopted_at;

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

}  // namespace

struct Supervisor::State {
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

  void emit(Action action) { out->push_back(std::move(action)); }
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
  void on(const TimerFired& event);
  void on(const Command& event);
  void shutdown();
  void force();
  void operator_start(std::size_t i);
  void operator_restart(std::size_t i);

  ChildStatus status_of(std::size_t i, TimePoint at) const;
};

// ================================================================ building ===

Supervisor::State::State(SupervisorSpec tree, RandomSource source)
    : spec(std::move(tree)), random(std::move(source)) {
  if (!random) {
    random = [] { return 0.5; };
  }
  Node top;
  top.policy = &spec.policy;
  top.state = ChildState::waiting;
  nodes.push_back(std::move(top));
  add_nodes(spec.children, kRoot);
  root().subtree_end = nodes.size();

  // Start order: the dependency graph's (dependencies first, spec order
  // otherwise); siblings keep it among themselves.
  const std::vector<std::string> order = start_order(dependency_nodes(spec));
  std::vector<bool> ranked(nodes.size(), false);
  for (const std::string& id : order) {
    const std::size_t i = find(id);
    if (i != kNone && !ranked[i]) {
      ranked[i] = true;
      nodes[i].start_rank = start_sequence.size();
      start_sequence.push_back(i);
    }
  }
  // A cycle (an unvalidated spec) leaves nodes out: append them in spec order.
  for (std::size_t i = 1; i < nodes.size(); ++i) {
    if (!ranked[i]) {
      nodes[i].start_rank = start_sequence.size();
      start_sequence.push_back(i);
    }
  }
  for (Node& node : nodes) {
    std::sort(node.children.begin(), node.children.end(), [this](std::size_t a, std::size_t b) {
      return nodes[a].start_rank < nodes[b].start_rank;
    });
    for (std::size_t k = 0; k < node.children.size(); ++k) {
      nodes[node.children[k]].sibling_position = k;
    }
  }

  for (std::size_t i = 1; i < nodes.size(); ++i) {
    for (const Dependency& dependency : nodes[i].spec->depends_on) {
      const std::size_t d = find(dependency.id);
      if (d == kNone || d == i) {
        continue;  // unknown ids and self-loops are load-time errors
      }
      const bool external = !in_subtree(i, d);
      nodes[i].dependencies.push_back({d, dependency.condition, external});
      nodes[d].dependents.push_back({i, dependency.condition, external});
      if (dependency.condition == DependencyCondition::healthy) {
        nodes[d].has_healthy_dependents = true;
      }
      if (external) {
        ++nodes[d].live_external_dependents;  // everything starts waiting
      }
    }
    ++nodes[nodes[i].parent].live_children;
  }
  nonfinal_count = nodes.size() - 1;
}

void Supervisor::State::add_nodes(const std::vector<ChildSpec>& children, std::size_t parent) {
  for (const ChildSpec& child : children) {
    if (index.count(child.id) != 0) {
      continue;  // duplicate ids are load-time errors; the first one wins
    }
    const std::size_t i = nodes.size();
    Node node;
    node.spec = &child;
    node.id = child.id;
    node.type = child.type;
    node.parent = parent;
    if (child.type == ChildType::supervisor) {
      node.policy = &child.policy;
    }
    nodes.push_back(std::move(node));
    index.emplace(child.id, i);
    nodes[parent].children.push_back(i);
    if (child.type == ChildType::supervisor) {
      add_nodes(child.children, i);
    }
    nodes[i].subtree_end = nodes.size();
  }
}

// ================================================================= helpers ===

TimerId Supervisor::State::schedule(Duration delay, TimerKind kind, std::uint64_t target) {
  const TimerId id = next_timer++;
  timers.emplace(id, TimerTarget{kind, target});
  emit(ScheduleTimer{id, std::max(delay, Duration{0})});
  return id;
}

void Supervisor::State::cancel(TimerId& timer) {
  if (timer == 0) {
    return;
  }
  timers.erase(timer);
  emit(CancelTimer{timer});
  timer = 0;
}

// =========================================================== state changes ===

void Supervisor::State::set_state(std::size_t i, ChildState to, Reason reason, std::string detail) {
  Node& node = nodes[i];
  const ChildState from = node.state;
  if (from == to) {
    return;
  }
  node.state = to;
  node.reason = reason;

  if ((from == ChildState::running || from == ChildState::adopted) && to != ChildState::running &&
      to != ChildState::adopted) {
    cancel(node.healthy_timer);
  }
  if (node.type == ChildType::worker) {
    if (from == ChildState::stopping) {
      --stopping_workers;
    }
    if (to == ChildState::stopping) {
      ++stopping_workers;
    }
  }
  if (from == ChildState::done) {
    --done_count;
  }
  if (to == ChildState::done) {
    ++done_count;
  }
  const bool was_final = is_final(from);
  const bool now_final = is_final(to);
  if (was_final != now_final) {
    const int step = now_final ? -1 : 1;
    if (now_final) {
      --nonfinal_count;
      --nodes[node.parent].live_children;
      work.push_back({WorkKind::node_end, node.parent});
    } else {
      if (nonfinal_count == 0) {
        finished_emitted = false;  // the tree runs again (operator command)
      }
      ++nonfinal_count;
      ++nodes[node.parent].live_children;
    }
    for (const Edge& edge : node.dependencies) {
      if (!edge.external) {
        continue;
      }
      Node& dependency = nodes[edge.node];
      dependency.live_external_dependents += step;
      if (dependency.live_external_dependents == 0 && shutting_down) {
        work.push_back({WorkKind::release, edge.node});
      }
    }
  }

  emit(StateChanged{node.id, from, to, reason, std::move(detail)});
  work.push_back({WorkKind::dependents, i});
  if (node.type == ChildType::supervisor && (to == ChildState::running || now_final)) {
    work.push_back({WorkKind::subtree_dependents, i});
  }
}

void Supervisor::State::drain() {
  while (!work.empty()) {
    const Work item = work.front();
    work.pop_front();
    switch (item.kind) {
      case WorkKind::dependents:
        notify_dependents(item.node);
        break;
      case WorkKind::subtree_dependents:
        for (std::size_t i = item.node + 1; i < nodes[item.node].subtree_end; ++i) {
          if (!nodes[i].dependents.empty() && is_final(nodes[i].state)) {
            notify_dependents(i);
          }
        }
        break;
      case WorkKind::node_end:
        node_end(item.node);
        break;
      case WorkKind::release:
        release(item.node);
        break;
    }
  }
  // Shutdown order can wait in a circle (a dependent inside a node that
  // depends on it): when nothing is on its way down any more, stop the rest.
  if (shutting_down && pending_signals > 0 && stopping_workers == pending_signals) {
    for (auto it = start_sequence.rbegin(); it != start_sequence.rend(); ++it) {
      if (nodes[*it].signal_pending) {
        send_stop_signal(*it);
      }
    }
  }
}

void Supervisor::State::maybe_finish() {
  if (!booted || finished_emitted || nonfinal_count != 0) {
    return;
  }
  TreeOutcome result = TreeOutcome::some_not_done;
  if (root_failed) {
    result = TreeOutcome::root_failed;
  } else if (shutting_down) {
    result = TreeOutcome::shut_down;
  } else if (done_count == nodes.size() - 1) {
    result = TreeOutcome::all_done;
  }
  finished_emitted = true;
  outcome = result;
  emit(Finished{result});
}

// ============================================================ dependencies ===

bool Supervisor::State::condition_met(std::size_t d, DependencyCondition condition) const {
  const Node& dependency = nodes[d];
  if (dependency.state == ChildState::done) {
    return true;  // a finished dependency has met every condition
  }
  switch (condition) {
    case DependencyCondition::completed:
      return is_stream(d) && dependency.stream_complete;
    case DependencyCondition::started:
      return dependency.ever_started;
    case DependencyCondition::healthy:
      return dependency.ever_healthy;
  }
  return false;
}

bool Supervisor::State::may_return(std::size_t i) const {
  if (nodes[i].held) {
    return true;
  }
  for (std::size_t a = nodes[i].parent; a != kRoot; a = nodes[a].parent) {
    const Node& ancestor = nodes[a];
    if (ancestor.held || ancestor.state == ChildState::waiting ||
        ancestor.state == ChildState::starting || ancestor.state == ChildState::backoff ||
        ancestor.state == ChildState::stopping) {
      return true;
    }
  }
  return false;
}

DependencyCheck Supervisor::State::check_dependencies(std::size_t i) const {
  DependencyCheck check;
  for (const Edge& edge : nodes[i].dependencies) {
    if (condition_met(edge.node, edge.condition)) {
      continue;
    }
    check.all_met = false;
    if (check.unmet == kNone) {
      check.unmet = edge.node;
    }
    if (check.ended == kNone && is_final(nodes[edge.node].state) && !may_return(edge.node)) {
      check.ended = edge.node;
    }
  }
  return check;
}

void Supervisor::State::reconsider(std::size_t i, Reason reason) {
  if (nodes[i].state != ChildState::waiting || !may_start() || !parent_running(i)) {
    return;
  }
  try_start(i, reason, "");
}

void Supervisor::State::notify_dependents(std::size_t i) {
  for (const Edge& edge : nodes[i].dependents) {
    reconsider(edge.node, Reason::dependencies_met);
  }
}

void Supervisor::State::on_up(std::size_t i) {
  Node& node = nodes[i];
  node.ever_started = true;
  node.started_at = now;
  node.up_since = now;
  if (node.ever_healthy || !node.has_healthy_dependents) {
    return;
  }
  const Duration healthy_after = node.spec->healthy_after;
  if (healthy_after <= Duration{0}) {
    node.ever_healthy = true;
    return;
  }
  cancel(node.healthy_timer);
  node.healthy_timer = schedule(healthy_after, TimerKind::healthy, i);
}

// ================================================================ starting ===

void Supervisor::State::try_start(std::size_t i, Reason reason, const std::string& detail) {
  Node& node = nodes[i];
  if (!may_start()) {
    end_without_start(i, root_failed ? Reason::intensity : Reason::shutdown, detail);
    return;
  }
  if (!parent_running(i)) {
    set_state(i, ChildState::waiting, reason, "waiting for " + nodes[node.parent].id);
    return;
  }
  if (is_stream(i) && node.stream_complete) {
    set_state(i, ChildState::done, Reason::stream_complete, "stream already complete");
    return;
  }
  const DependencyCheck check = check_dependencies(i);
  if (check.ended != kNone) {
    const Node& ended = nodes[check.ended];
    end_without_start(i, Reason::dependency_ended,
                      ended.id + " ended " + std::string(to_string(ended.state)));
    return;
  }
  if (!check.all_met) {
    set_state(i, ChildState::waiting, reason, "waiting for " + nodes[check.unmet].id);
    return;
  }
  if (node.type == ChildType::supervisor) {
    start_node(i, reason, detail);
    return;
  }
  node.ever_spawned = true;
  set_state(i, ChildState::starting, reason, detail);
  emit(Spawn{node.id});
}

void Supervisor::State::end_without_start(std::size_t i, Reason reason, const std::string& detail) {
  Node& node = nodes[i];
  if (is_final(node.state)) {
    return;
  }
  if (node.type == ChildType::supervisor && node.live_children > 0) {
    // A node that never started may hold adopted children: stop them first.
    stop_node(i, StopCause::parent_stopping, reason, detail);
    return;
  }
  node.stop_cause = StopCause::none;
  set_state(i, ChildState::stopped, reason, detail);
}

void Supervisor::State::start_node(std::size_t i, Reason reason, const std::string& detail) {
  Node& node = nodes[i];
  node.history.clear();
  set_state(i, ChildState::running, reason, detail);
  on_up(i);
  if (node.fresh != Fresh::none) {
    const Fresh mode = node.fresh;
    node.fresh = Fresh::none;
    reset_descendants(i, mode, reason, "restart of " + node.id);
  }
  const Reason child_reason = reason == Reason::boot ? Reason::boot : Reason::dependencies_met;
  for (const std::size_t child : node.children) {
    reconsider(child, child_reason);
  }
  work.push_back({WorkKind::node_end, i});
}

void Supervisor::State::reset_descendants(std::size_t i, Fresh mode, Reason reason,
                                          const std::string& detail) {
  std::size_t k = i + 1;
  while (k < nodes[i].subtree_end) {
    Node& node = nodes[k];
    if (!is_final(node.state)) {
      ++k;
      continue;
    }
    const bool keep = mode == Fresh::keep_done &&
                      (node.state == ChildState::done ||
                       (node.spec->restart == RestartType::temporary && node.ever_spawned));
    if (keep) {
      k = node.subtree_end;  // its children stay as they are too
      continue;
    }
    node.consecutive = 0;
    node.held = false;
    node.history.clear();
    if (mode == Fresh::all) {
      node.restarts = 0;
    }
    set_state(k, ChildState::waiting, reason, detail);
    ++k;
  }
}

// ================================================================ restarts ===

void Supervisor::State::on_exit(std::size_t i, const ExitStatus& status,
                                std::optional<std::string> spawn_error) {
  Node& node = nodes[i];
  cancel(node.healthy_timer);
  cancel(node.kill_timer);
  std::optional<Duration> uptime;
  if (node.up_since) {
    uptime = std::chrono::duration_cast<Duration>(now - *node.up_since);
  }
  node.up_since.reset();
  node.pid.reset();
  std::string detail;
  if (spawn_error) {
    detail = "spawn failed: " + *spawn_error;
  } else {
    node.last_exit = status;
    node.last_exit_at = now;
    detail = status.describe();
  }

  if (node.state == ChildState::stopping) {
    finish_stop(i, detail);
    return;
  }
  ExitKind kind = ExitKind::abnormal;
  if (!spawn_error) {
    kind = classify_exit({node.spec->complete_when, node.stream_complete, false, status});
  }
  const Reason reason = spawn_error                  ? Reason::spawn_failed
                        : kind == ExitKind::abnormal ? Reason::crashed
                        : kind == ExitKind::normal
                            ? (is_stream(i) ? Reason::stream_complete : Reason::exited_normally)
                            : Reason::stopped_externally;
  switch (decide_restart(node.spec->restart, kind)) {
    case RestartDecision::restart:
      restart_child(i, reason, detail, uptime);
      break;
    case RestartDecision::done:
      set_state(i, ChildState::done, reason, detail);
      break;
    case RestartDecision::stopped:
      set_state(i, ChildState::stopped, reason, detail);
      break;
    case RestartDecision::failed:
      set_state(i, ChildState::failed, reason, detail + " (temporary: not restarted)");
      break;
  }
}

void Supervisor::State::restart_child(std::size_t i, Reason reason, const std::string& detail,
                                      std::optional<Duration> uptime) {
  Node& node = nodes[i];
  const std::size_t p = node.parent;
  const SupervisorPolicy& policy = *nodes[p].policy;
  if (!may_start()) {
    set_state(i, ChildState::stopped, root_failed ? Reason::intensity : Reason::shutdown, detail);
    return;
  }
  const int max_restarts = node.spec->max_restarts;
  if (max_restarts >= 0 && node.restarts >= max_restarts) {
    set_state(i, ChildState::failed, Reason::max_restarts,
              detail + "; used its " + std::to_string(max_restarts) + " restarts");
    return;
  }
  if (!add_restart(nodes[p].history, {now, i}, policy.intensity, policy.period)) {
    const std::string node_name = p == kRoot ? std::string("the root") : nodes[p].id;
    const std::string why = node_name + " exceeded its restart intensity (" +
                            std::to_string(policy.intensity) + " in " +
                            format_delay(policy.period) + ")";
    set_state(i, ChildState::failed, Reason::intensity, detail + "; " + why);
    give_up(p, why);
    return;
  }
  if (uptime && *uptime >= policy.backoff.reset_after) {
    node.consecutive = 0;
  }
  ++node.restarts;
  ++node.consecutive;
  const Duration delay = backoff_delay(policy.backoff, node.consecutive, random());
  const GroupId id = join_group(i);
  RestartGroup& group = groups.at(id);
  set_state(i, ChildState::backoff, reason, detail + ", restart in " + format_delay(delay));
  TimerId old = group.timer;
  cancel(old);
  group.timer = schedule(delay, TimerKind::restart_group, id);
  group.due = now + delay;
  group.fired = false;
  group.cause = node.id;

  const std::vector<std::size_t>& siblings = nodes[p].children;
  switch (policy.strategy) {
    case Strategy::one_for_one:
      break;
    case Strategy::one_for_all:
      for (auto it = siblings.rbegin(); it != siblings.rend(); ++it) {
        if (*it != i) {
          stop_for_group(*it, id);
        }
      }
      break;
    case Strategy::rest_for_one:
      for (std::size_t k = siblings.size(); k > node.sibling_position + 1; --k) {
        stop_for_group(siblings[k - 1], id);
      }
      break;
  }
}

GroupId Supervisor::State::join_group(std::size_t i) {
  Node& parent = nodes[nodes[i].parent];
  GroupId id = parent.pending_group;
  if (parent.policy->strategy == Strategy::one_for_one || id == 0) {
    id = next_group++;
    RestartGroup group;
    group.node = nodes[i].parent;
    groups.emplace(id, std::move(group));
    parent.groups.insert(id);
    if (parent.policy->strategy != Strategy::one_for_one) {
      parent.pending_group = id;
    }
  }
  RestartGroup& group = groups.at(id);
  group.members.push_back(i);
  ++group.count;
  nodes[i].group = id;
  return id;
}

void Supervisor::State::leave_group(std::size_t i) {
  Node& node = nodes[i];
  if (node.group == 0) {
    return;
  }
  const GroupId id = node.group;
  RestartGroup& group = groups.at(id);
  node.group = 0;
  --group.count;
  if (node.group_stopping) {
    node.group_stopping = false;
    --group.stopping_members;
  }
  if (group.count == 0) {
    erase_group(id);
  } else {
    try_group_start(id);
  }
}

void Supervisor::State::erase_group(GroupId id) {
  const auto found = groups.find(id);
  if (found == groups.end()) {
    return;
  }
  cancel(found->second.timer);
  Node& parent = nodes[found->second.node];
  parent.groups.erase(id);
  if (parent.pending_group == id) {
    parent.pending_group = 0;
  }
  groups.erase(found);
}

void Supervisor::State::try_group_start(GroupId id) {
  const auto found = groups.find(id);
  if (found == groups.end() || !found->second.fired || found->second.stopping_members > 0) {
    return;
  }
  std::vector<std::size_t> members;
  for (const std::size_t m : found->second.members) {
    if (nodes[m].group == id) {
      members.push_back(m);
      nodes[m].group = 0;
    }
  }
  erase_group(id);
  std::sort(members.begin(), members.end(), [this](std::size_t a, std::size_t b) {
    return nodes[a].start_rank < nodes[b].start_rank;
  });
  for (const std::size_t m : members) {
    if (nodes[m].state != ChildState::backoff) {
      continue;
    }
    if (nodes[m].type == ChildType::supervisor && nodes[m].fresh == Fresh::none) {
      nodes[m].fresh = Fresh::keep_done;
    }
    try_start(m, Reason::backoff_elapsed, "");
  }
}

void Supervisor::State::stop_for_group(std::size_t sibling, GroupId id) {
  Node& node = nodes[sibling];
  if (node.state != ChildState::starting && node.state != ChildState::running &&
      node.state != ChildState::adopted) {
    return;
  }
  const std::string detail = "restart with " + groups.at(id).cause;
  if (node.spec->restart == RestartType::temporary) {
    stop_node(sibling, StopCause::parent_stopping, Reason::sibling_restart, detail);
    return;
  }
  RestartGroup& group = groups.at(id);
  group.members.push_back(sibling);
  ++group.count;
  ++group.stopping_members;
  node.group = id;
  node.group_stopping = true;
  stop_node(sibling, StopCause::sibling_restart, Reason::sibling_restart, detail);
}

void Supervisor::State::give_up(std::size_t p, const std::string& detail) {
  Node& node = nodes[p];
  const std::vector<GroupId> open(node.groups.begin(), node.groups.end());
  for (const GroupId id : open) {
    const std::vector<std::size_t> members = groups.at(id).members;
    for (const std::size_t m : members) {
      if (nodes[m].group != id) {
        continue;
      }
      nodes[m].group = 0;
      nodes[m].group_stopping = false;
      if (nodes[m].state == ChildState::backoff) {
        set_state(m, ChildState::stopped, Reason::intensity, detail);
      }
    }
    erase_group(id);
  }
  if (p == kRoot) {
    root_failed = true;
    node.state = ChildState::stopping;
    node.stop_cause = StopCause::gave_up;
    for (auto it = node.children.rbegin(); it != node.children.rend(); ++it) {
      stop_node(*it, StopCause::parent_stopping, Reason::intensity, detail);
    }
    return;
  }
  stop_node(p, StopCause::gave_up, Reason::intensity, detail);
}

// ================================================================ stopping ===

void Supervisor::State::stop_node(std::size_t i, StopCause cause, Reason reason,
                                  const std::string& detail) {
  Node& node = nodes[i];
  const StopCause child_cause =
      cause == StopCause::shutdown ? StopCause::shutdown : StopCause::parent_stopping;
  switch (node.state) {
    case ChildState::done:
    case ChildState::failed:
    case ChildState::stopped:
      return;
    case ChildState::stopping:
      if (priority(cause) >= priority(node.stop_cause)) {
        if (cause != StopCause::sibling_restart && node.group != 0) {
          leave_group(i);
        }
        node.stop_cause = cause;
        node.stop_reason = reason;
      }
      if (node.type == ChildType::supervisor) {
        for (auto it = node.children.rbegin(); it != node.children.rend(); ++it) {
          stop_node(*it, child_cause, node.stop_reason, "");
        }
      }
      return;
    case ChildState::waiting:
    case ChildState::backoff:
      leave_group(i);
      if (node.type == ChildType::supervisor) {
        for (auto it = node.children.rbegin(); it != node.children.rend(); ++it) {
          stop_node(*it, child_cause, reason, "");
        }
        if (node.live_children > 0) {  // adopted children of a waiting node
          node.stop_cause = cause;
          node.stop_reason = reason;
          set_state(i, ChildState::stopping, reason, detail);
          return;
        }
      }
      end_stop_at_once(i, cause, reason, detail);
      return;
    case ChildState::starting:
      node.stop_cause = cause;
      node.stop_reason = reason;
      set_state(i, ChildState::stopping, reason, detail);
      return;  // signalled once Spawned tells the pid
    case ChildState::running:
    case ChildState::adopted:
      node.stop_cause = cause;
      node.stop_reason = reason;
      set_state(i, ChildState::stopping, reason, detail);
      if (node.type == ChildType::supervisor) {
        for (auto it = node.children.rbegin(); it != node.children.rend(); ++it) {
          stop_node(*it, child_cause, reason, "");
        }
        work.push_back({WorkKind::node_end, i});
        return;
      }
      if (cause == StopCause::shutdown && blocked(i)) {
        node.signal_pending = true;
        ++pending_signals;
      } else {
        send_stop_signal(i);
      }
      return;
  }
}

void Supervisor::State::end_stop_at_once(std::size_t i, StopCause cause, Reason reason,
                                         const std::string& detail) {
  switch (cause) {
    case StopCause::operator_stop:
      nodes[i].held = true;
      set_state(i, ChildState::stopped, reason, detail);
      return;
    case StopCause::gave_up:
      set_state(i, ChildState::failed, reason, detail);
      return;
    case StopCause::none:
    case StopCause::shutdown:
    case StopCause::operator_restart:
    case StopCause::sibling_restart:
    case StopCause::parent_stopping:
      set_state(i, ChildState::stopped, reason, detail);
      return;
  }
}

void Supervisor::State::send_stop_signal(std::size_t i) {
  Node& node = nodes[i];
  if (node.signal_pending) {
    node.signal_pending = false;
    --pending_signals;
  }
  node.signalled = true;
  if (node.spec->shutdown.brutal_kill || forced) {
    node.killed = true;
    emit(SignalGroup{node.id, StopSignal::kill});
    return;
  }
  emit(SignalGroup{node.id, StopSignal::terminate});
  cancel(node.kill_timer);
  node.kill_timer = schedule(node.spec->shutdown.timeout, TimerKind::kill, i);
}

bool Supervisor::State::blocked(std::size_t i) const {
  if (forced) {
    return false;
  }
  for (std::size_t a = i; a != kRoot; a = nodes[a].parent) {
    if (nodes[a].live_external_dependents > 0) {
      return true;
    }
  }
  return false;
}

void Supervisor::State::release(std::size_t i) {
  for (std::size_t k = i; k < nodes[i].subtree_end; ++k) {
    if (nodes[k].signal_pending && !blocked(k)) {
      send_stop_signal(k);
    }
  }
}

void Supervisor::State::finish_stop(std::size_t i, const std::string& detail) {
  Node& node = nodes[i];
  const StopCause cause = node.stop_cause;
  const Reason reason = node.stop_reason;
  node.stop_cause = StopCause::none;
  node.signalled = false;
  node.killed = false;
  if (node.signal_pending) {
    node.signal_pending = false;
    --pending_signals;
  }
  if (is_stream(i) && node.stream_complete) {
    leave_group(i);
    set_state(i, ChildState::done, Reason::stream_complete, detail);
    return;
  }
  switch (cause) {
    case StopCause::operator_restart:
      node.consecutive = 0;
      if (node.type == ChildType::supervisor) {
        node.fresh = Fresh::all;
      }
      try_start(i, Reason::operator_command, "restart command");
      return;
    case StopCause::sibling_restart:
      if (node.group != 0) {
        const GroupId id = node.group;
        RestartGroup& group = groups.at(id);
        if (node.group_stopping) {
          node.group_stopping = false;
          --group.stopping_members;
        }
        set_state(i, ChildState::backoff, Reason::sibling_restart,
                  detail + (detail.empty() ? "" : ", ") + "restart with " + group.cause);
        try_group_start(id);
        return;
      }
      set_state(i, ChildState::stopped, reason, detail);
      return;
    case StopCause::gave_up: {
      const std::string why = detail.empty() ? "restart intensity exceeded" : detail;
      if (decide_restart(node.spec->restart, ExitKind::abnormal) == RestartDecision::restart) {
        std::optional<Duration> uptime;
        if (node.up_since) {
          uptime = std::chrono::duration_cast<Duration>(now - *node.up_since);
        }
        node.up_since.reset();
        node.fresh = Fresh::keep_done;
        restart_child(i, Reason::intensity, why, uptime);
      } else {
        set_state(i, ChildState::failed, Reason::intensity, why);
      }
      return;
    }
    case StopCause::none:
    case StopCause::shutdown:
    case StopCause::operator_stop:
    case StopCause::parent_stopping:
      end_stop_at_once(i, cause, reason, detail);
      return;
  }
}

void Supervisor::State::node_end(std::size_t i) {
  if (i == kRoot) {
    return;  // the root ends when the whole tree does: maybe_finish
  }
  Node& node = nodes[i];
  if (node.type != ChildType::supervisor || node.live_children != 0) {
    return;
  }
  if (node.state == ChildState::stopping) {
    finish_stop(i, "");
    return;
  }
  if (node.state != ChildState::running) {
    return;
  }
  // Its children all ended on their own: the node ends with them, never
  // restarted for it (each child had its own restart policy applied).
  int done = 0;
  int failed = 0;
  bool held = false;
  for (const std::size_t child : node.children) {
    done += nodes[child].state == ChildState::done ? 1 : 0;
    failed += nodes[child].state == ChildState::failed ? 1 : 0;
    held = held || nodes[child].held;
  }
  const int total = static_cast<int>(node.children.size());
  node.held = held;
  node.up_since.reset();
  const std::string detail = std::to_string(done) + " of " + std::to_string(total) + " done";
  if (done == total) {
    set_state(i, ChildState::done, Reason::children_ended, detail);
  } else if (failed > 0) {
    set_state(i, ChildState::failed, Reason::children_ended,
              detail + ", " + std::to_string(failed) + " failed");
  } else {
    set_state(i, ChildState::stopped, Reason::children_ended, detail);
  }
}

// ================================================================== events ===

void Supervisor::State::on(const Boot&) {
  if (booted) {
    return;
  }
  booted = true;
  root().state = ChildState::running;
  for (const std::size_t i : start_sequence) {
    Node& node = nodes[i];
    if (node.type != ChildType::worker) {
      continue;
    }
    if (node.adopted_pid) {
      node.pid = node.adopted_pid;
      node.ever_spawned = true;
      set_state(i, ChildState::adopted, Reason::adopted, "pid " + std::to_string(*node.pid));
      on_up(i);
      if (node.adopted_at) {
        node.started_at = node.adopted_at;
        node.up_since = node.adopted_at;
      }
    } else if (node.restored_failed && !(is_stream(i) && node.stream_complete)) {
      // (a stream completed since is done instead: reconsider() below)
      set_state(i, ChildState::failed, Reason::restored, "failed in an earlier run");
    }
  }
  for (const std::size_t child : root().children) {
    reconsider(child, Reason::boot);
  }
}

void Supervisor::State::on(const StreamProgress& event) {
  const std::size_t i = find(event.child);
  if (i == kNone) {
    return;
  }
  Node& node = nodes[i];
  const bool changed = node.stream_complete != event.complete;
  node.stream_complete = event.complete;
  if (!booted || !changed || !is_stream(i)) {
    return;
  }
  if (event.complete && (node.state == ChildState::waiting || node.state == ChildState::backoff)) {
    leave_group(i);
    set_state(i, ChildState::done, Reason::stream_complete, "");
    return;
  }
  work.push_back({WorkKind::dependents, i});
}

void Supervisor::State::on(const Spawned& event) {
  const std::size_t i = find(event.child);
  if (i == kNone || !is_worker(i) || nodes[i].pid) {
    return;
  }
  Node& node = nodes[i];
  if (node.state == ChildState::starting) {
    node.pid = event.pid;
    set_state(i, ChildState::running, Reason::spawned, "pid " + std::to_string(event.pid));
    on_up(i);
  } else if (node.state == ChildState::stopping) {
    // It never counted as running (dependents asking for `started` still
    // wait): it is only there to be stopped.
    node.pid = event.pid;
    node.started_at = now;
    node.up_since = now;
    if (node.stop_cause == StopCause::shutdown && blocked(i)) {
      node.signal_pending = true;
      ++pending_signals;
    } else {
      send_stop_signal(i);
    }
  }
}

void Supervisor::State::on(const SpawnFailed& event) {
  const std::size_t i = find(event.child);
  if (i == kNone || !is_worker(i) || nodes[i].pid) {
    return;
  }
  const ChildState state = nodes[i].state;
  if (state == ChildState::starting || state == ChildState::stopping) {
    on_exit(i, ExitStatus::unknown(), event.reason);
  }
}

void Supervisor::State::on(const Exited& event) {
  const std::size_t i = find(event.child);
  if (i == kNone || !is_worker(i)) {
    return;
  }
  const ChildState state = nodes[i].state;
  if (state == ChildState::running || state == ChildState::adopted ||
      state == ChildState::stopping || state == ChildState::starting) {
    on_exit(i, event.status, std::nullopt);
  }
}

void Supervisor::State::on(const Adopted& event) {
  const std::size_t i = find(event.child);
  if (booted || i == kNone || !is_worker(i)) {
    return;
  }
  nodes[i].adopted_pid = event.pid;
  nodes[i].adopted_at = now;
}

void Supervisor::State::on(const RestoreHistory& event) {
  const std::size_t i = find(event.child);
  if (booted || i == kNone) {
    return;
  }
  nodes[i].restarts = std::max(event.restarts, 0);
  nodes[i].restored_failed = event.failed && is_worker(i);
}

void Supervisor::State::on(const TimerFired& event) {
  const auto found = timers.find(event.timer);
  if (found == timers.end()) {
    return;  // cancelled, superseded or unknown
  }
  const TimerTarget target = found->second;
  timers.erase(found);
  switch (target.kind) {
    case TimerKind::restart_group: {
      const auto group = groups.find(target.target);
      if (group != groups.end() && group->second.timer == event.timer) {
        group->second.timer = 0;
        group->second.fired = true;
        try_group_start(target.target);
      }
      return;
    }
    case TimerKind::healthy: {
      Node& node = nodes[target.target];
      if (node.healthy_timer != event.timer) {
        return;
      }
      node.healthy_timer = 0;
      if (node.state == ChildState::running || node.state == ChildState::adopted) {
        node.ever_healthy = true;
        work.push_back({WorkKind::dependents, target.target});
      }
      return;
    }
    case TimerKind::kill: {
      Node& node = nodes[target.target];
      if (node.kill_timer != event.timer) {
        return;
      }
      node.kill_timer = 0;
      if (node.state == ChildState::stopping && node.signalled && !node.killed) {
        node.killed = true;
        emit(SignalGroup{node.id, StopSignal::kill});
      }
      return;
    }
  }
}

void Supervisor::State::on(const Command& event) {
  switch (event.kind) {
    case CommandKind::shutdown:
      shutdown();
      return;
    case CommandKind::force:
      force();
      return;
    case CommandKind::stop:
    case CommandKind::start:
    case CommandKind::restart:
      break;
  }
  const std::size_t i = find(event.child);
  if (i == kNone || !may_start()) {
    return;
  }
  switch (event.kind) {
    case CommandKind::stop:
      stop_node(i, StopCause::operator_stop, Reason::operator_command, "stop command");
      return;
    case CommandKind::start:
      operator_start(i);
      return;
    case CommandKind::restart:
      operator_restart(i);
      return;
    case CommandKind::shutdown:
    case CommandKind::force:
      return;
  }
}

void Supervisor::State::shutdown() {
  const bool was_booted = booted;
  booted = true;
  if (shutting_down) {
    return;
  }
  shutting_down = true;
  if (nonfinal_count == 0 && outcome != TreeOutcome::root_failed) {
    finished_emitted = false;  // a tree at rest reports the shutdown too
  }
  std::vector<GroupId> open;
  for (const auto& [id, group] : groups) {
    open.push_back(id);
  }
  std::sort(open.begin(), open.end());
  for (const GroupId id : open) {
    for (const std::size_t m : groups.at(id).members) {
      if (nodes[m].group == id) {
        nodes[m].group = 0;
        nodes[m].group_stopping = false;
      }
    }
    erase_group(id);
  }
  if (!root_failed) {
    root().state = ChildState::stopping;
    root().stop_cause = StopCause::shutdown;
  }
  const std::string detail = was_booted ? "" : "before boot";
  for (auto it = root().children.rbegin(); it != root().children.rend(); ++it) {
    stop_node(*it, StopCause::shutdown, Reason::shutdown, detail);
  }
  for (auto it = start_sequence.rbegin(); it != start_sequence.rend(); ++it) {
    if (nodes[*it].signal_pending && !blocked(*it)) {
      send_stop_signal(*it);
    }
  }
}

void Supervisor::State::force() {
  shutdown();
  forced = true;
  for (auto it = start_sequence.rbegin(); it != start_sequence.rend(); ++it) {
    Node& node = nodes[*it];
    if (node.type != ChildType::worker || node.state != ChildState::stopping || !node.pid ||
        node.killed) {
      continue;
    }
    cancel(node.kill_timer);
    if (node.signal_pending) {
      node.signal_pending = false;
      --pending_signals;
    }
    node.signalled = true;
    node.killed = true;
    emit(SignalGroup{node.id, StopSignal::kill});
  }
}

void Supervisor::State::operator_start(std::size_t i) {
  Node& node = nodes[i];
  if (!is_final(node.state)) {
    return;
  }
  // Its supervisor nodes must run for it to run: an ancestor that is on its
  // way somewhere (stopping, backoff) decides for it; one that ended is
  // brought back without touching its other children.
  std::vector<std::size_t> ended;
  for (std::size_t a = node.parent; a != kRoot; a = nodes[a].parent) {
    const ChildState state = nodes[a].state;
    if (state == ChildState::stopping || state == ChildState::backoff ||
        state == ChildState::starting) {
      return;
    }
    if (is_final(state)) {
      ended.push_back(a);
    }
  }
  for (auto it = ended.rbegin(); it != ended.rend(); ++it) {
    Node& ancestor = nodes[*it];
    ancestor.held = false;
    ancestor.consecutive = 0;
    ancestor.history.clear();
    set_state(*it, ChildState::running, Reason::operator_command, "to start " + node.id);
    on_up(*it);
  }
  node.held = false;
  node.restarts = 0;
  node.consecutive = 0;
  if (node.type == ChildType::supervisor) {
    node.fresh = Fresh::all;
  }
  set_state(i, ChildState::waiting, Reason::operator_command, "start command");
  try_start(i, Reason::operator_command, "start command");
}

void Supervisor::State::operator_restart(std::size_t i) {
  Node& node = nodes[i];
  switch (node.state) {
    case ChildState::waiting:
      return;  // not started yet: nothing to restart
    case ChildState::stopped:
    case ChildState::done:
    case ChildState::failed:
      operator_start(i);
      return;
    case ChildState::backoff:
      leave_group(i);
      node.consecutive = 0;
      if (node.type == ChildType::supervisor) {
        node.fresh = Fresh::all;
      }
      try_start(i, Reason::operator_command, "restart command");
      return;
    case ChildState::stopping:
    case ChildState::starting:
    case ChildState::running:
    case ChildState::adopted:
      stop_node(i, StopCause::operator_restart, Reason::operator_command, "restart command");
      return;
  }
}

// ================================================================== status ===

ChildStatus Supervisor::State::status_of(std::size_t i, TimePoint at) const {
  const Node& node = nodes[i];
  ChildStatus status;
  status.id = node.id;
  status.parent = node.parent == kRoot ? "" : nodes[node.parent].id;
  status.type = node.type;
  status.state = node.state;
  status.reason = node.reason;
  status.pid = node.pid;
  status.started_at = node.started_at;
  status.restarts = node.restarts;
  const Node& parent = nodes[node.parent];
  for (const RestartRecord& record : parent.history) {
    if (record.child == i && in_period(record.at, at, parent.policy->period)) {
      ++status.restarts_in_window;
    }
  }
  status.last_exit = node.last_exit;
  status.last_exit_at = node.last_exit_at;
  if (node.state == ChildState::backoff && node.group != 0) {
    const RestartGroup& group = groups.at(node.group);
    if (group.timer != 0) {
      status.next_restart_at = group.due;
    }
  }
  if (node.state == ChildState::waiting) {
    if (node.parent != kRoot && parent.state != ChildState::running) {
      status.waiting_for.push_back(parent.id);
    }
    for (const Edge& edge : node.dependencies) {
      if (!condition_met(edge.node, edge.condition)) {
        status.waiting_for.push_back(nodes[edge.node].id);
      }
    }
  }
  status.stream_complete = node.stream_complete;
  return status;
}

// ============================================================== supervisor ===

Supervisor::Supervisor(SupervisorSpec spec, RandomSource random)
    : state_(std::make_unique<State>(std::move(spec), std::move(random))) {}

Supervisor::~Supervisor() = default;
Supervisor::Supervisor(Supervisor&&) noexcept = default;
Supervisor& Supervisor::operator=(Supervisor&&) noexcept = default;

std::vector<Action> Supervisor::handle(const Event& event, TimePoint now) {
  std::vector<Action> actions;
  State& state = *state_;
  state.now = now;
  state.out = &actions;
  std::visit([&state](const auto& e) { state.on(e); }, event);
  state.drain();
  state.maybe_finish();
  state.out = nullptr;
  return actions;
}

std::vector<ChildStatus> Supervisor::status(TimePoint now) const {
  std::vector<ChildStatus> result;
  result.reserve(state_->start_sequence.size());
  for (const std::size_t i : state_->start_sequence) {
    result.push_back(state_->status_of(i, now));
  }
  return result;
}

std::optional<ChildStatus> Supervisor::status_of(const std::string& child, TimePoint now) const {
  const std::size_t i = state_->find(child);
  if (i == kNone) {
    return std::nullopt;
  }
  return state_->status_of(i, now);
}

std::optional<TreeOutcome> Supervisor::outcome() const {
  return state_->outcome;
}

}  // namespace supervise::core
