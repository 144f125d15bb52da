#include "supervisor/core/supervisor.hpp"

#include <algorithm>
#include <utility>

#include "supervisor/core/dependency_graph.hpp"
#include "supervisor/core/supervisor_internals.hpp"

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
    case Reason::out_of_resources:
      return "out_of_resources";
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
    case Reason::stalled:
      return "stalled";
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

  emit(StateChanged{node.id, from, to, reason, std::move(detail), std::nullopt});
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
      if (node.kept) {
        set_state(i, ChildState::running, Reason::restored,
                  "pid " + std::to_string(*node.pid) + ", kept over a reload");
      } else {
        set_state(i, ChildState::adopted, Reason::adopted, "pid " + std::to_string(*node.pid));
      }
      on_up(i);
      if (node.adopted_at) {
        node.started_at = node.adopted_at;
        node.up_since = node.adopted_at;
      }
    } else if (node.restored_state == ChildState::failed) {
      if (!(is_stream(i) && node.stream_complete)) {
        // (a stream completed since is done instead: reconsider() below)
        set_state(i, ChildState::failed, Reason::restored, "failed in an earlier run");
      }
    } else if (node.restored_state) {
      node.held = node.restored_held;
      set_state(i, *node.restored_state, Reason::restored,
                node.held ? "stopped by an operator before the reload" : "before the reload");
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
  node.resource_retries = 0;
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
  if (state == ChildState::starting && event.out_of_resources && may_start()) {
    retry_spawn(i, event.reason);
  } else if (state == ChildState::starting || state == ChildState::stopping) {
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
  nodes[i].kept = false;
}

void Supervisor::State::on(const RestoreHistory& event) {
  const std::size_t i = find(event.child);
  if (booted || i == kNone) {
    return;
  }
  Node& node = nodes[i];
  node.restarts = std::max(event.restarts, 0);
  if (event.failed && is_worker(i)) {
    node.restored_state = ChildState::failed;
  } else if (node.restored_state == ChildState::failed) {
    node.restored_state.reset();
  }
}

void Supervisor::State::on(const RestoreState& event) {
  const std::size_t i = find(event.child);
  if (booted || i == kNone || !is_worker(i)) {
    return;
  }
  Node& node = nodes[i];
  switch (event.state) {
    case ChildState::stopped:
    case ChildState::done:
    case ChildState::failed:
      node.restored_state = event.state;
      node.restored_held = event.held && event.state == ChildState::stopped;
      node.adopted_pid.reset();
      node.kept = false;
      return;
    case ChildState::running:
      if (event.pid <= 0) {
        return;
      }
      node.restored_state.reset();
      node.restored_held = false;
      node.adopted_pid = event.pid;
      node.adopted_at = event.started_at.value_or(now);
      node.kept = true;
      return;
    case ChildState::waiting:
    case ChildState::starting:
    case ChildState::backoff:
    case ChildState::stopping:
    case ChildState::adopted:
      return;
  }
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

void Supervisor::State::on(const Stalled& event) {
  const std::size_t i = find(event.child);
  if (i == kNone || !is_worker(i) || !may_start()) {
    return;
  }
  Node& node = nodes[i];
  if (node.spec->on_stall != StallAction::restart ||
      (node.state != ChildState::running && node.state != ChildState::adopted)) {
    return;
  }
  stop_node(i, StopCause::stalled, Reason::stalled, event.detail);
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
  status.held = node.held;
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
  if (i == internal::kNone) {
    return std::nullopt;
  }
  return state_->status_of(i, now);
}

std::optional<TreeOutcome> Supervisor::outcome() const {
  return state_->outcome;
}

}  // namespace supervise::core
