// Random trees under random event sequences, checked against a small
// reference model written here from the rules (it shares no code with the
// core): intensity per node, dependency conditions at every Spawn, backoff
// bounds, temporary children, shutdown, transitions, and a fake runtime that
// catches double spawns and signals to nothing.

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "supervisor/core/backoff.hpp"
#include "supervisor/core/supervisor.hpp"

namespace supervise::core {
namespace {

using namespace std::chrono_literals;
using ms = std::chrono::milliseconds;

/// The same children in the same states, held or not.
bool same_states(const std::vector<ChildStatus>& a, const std::vector<ChildStatus>& b) {
  return std::equal(
      a.begin(), a.end(), b.begin(), b.end(), [](const ChildStatus& x, const ChildStatus& y) {
        return x.id == y.id && x.state == y.state && x.held == y.held && x.restarts == y.restarts;
      });
}

// ------------------------------------------------------------- random trees ---

/// Uniform in [low, high), whatever the test size (rapidcheck scales inRange
/// with the size, which makes early cases all pick `low`); still shrinks
/// toward `low`.
int pick(int low, int high) {
  return *rc::gen::resize(100, rc::gen::inRange(low, high));
}

SupervisorPolicy random_policy() {
  SupervisorPolicy policy;
  policy.strategy =
      *rc::gen::element(Strategy::one_for_one, Strategy::one_for_all, Strategy::rest_for_one);
  policy.intensity = *rc::gen::element(0, 1, 2, 3, 5, 8, 20);
  policy.period = ms{pick(1, 20) * 1000};
  policy.backoff.initial = ms{pick(0, 2000)};
  policy.backoff.factor = *rc::gen::element(1.0, 1.5, 2.0, 3.0);
  policy.backoff.max = ms{pick(0, 8000)};
  policy.backoff.jitter = *rc::gen::element(0.0, 0.1, 0.5);
  policy.backoff.reset_after = ms{pick(1, 10) * 1000};
  return policy;
}

ChildSpec random_child(int depth, int& count) {
  ChildSpec spec;
  spec.id = "n" + std::to_string(count++);
  spec.restart =
      *rc::gen::element(RestartType::permanent, RestartType::transient, RestartType::temporary);
  spec.max_restarts = *rc::gen::element(0, 1, 3, 100);
  spec.shutdown.brutal_kill = pick(0, 5) == 0;
  spec.shutdown.timeout = ms{pick(0, 3000)};
  spec.healthy_after = ms{*rc::gen::element(0, 1000, 3000)};
  if (depth < 2 && count < 10 && pick(0, 4) == 0) {
    spec.type = ChildType::supervisor;
    spec.policy = random_policy();
    const int children = pick(0, 4);
    for (int k = 0; k < children; ++k) {
      spec.children.push_back(random_child(depth + 1, count));
    }
  } else {
    spec.type = ChildType::worker;
    spec.complete_when = *rc::gen::element(CompletionRule::exit_code, CompletionRule::stream);
  }
  return spec;
}

void flatten(std::vector<ChildSpec>& children, std::vector<ChildSpec*>& out) {
  for (ChildSpec& child : children) {
    out.push_back(&child);
    flatten(child.children, out);
  }
}

/// A tree of up to ~12 nodes, nested up to three levels, with dependencies
/// only on nodes earlier in pre-order (so acyclic; a child may depend on its
/// own supervisor node).
SupervisorSpec random_tree() {
  SupervisorSpec spec;
  spec.policy = random_policy();
  int count = 0;
  const int top = pick(1, 6);
  for (int k = 0; k < top; ++k) {
    spec.children.push_back(random_child(0, count));
  }
  std::vector<ChildSpec*> nodes;
  flatten(spec.children, nodes);
  for (std::size_t i = 1; i < nodes.size(); ++i) {
    for (std::size_t j = 0; j < i && nodes[i]->depends_on.size() < 2; ++j) {
      if (pick(0, 6) == 0) {
        nodes[i]->depends_on.push_back(
            {nodes[j]->id,
             *rc::gen::element(DependencyCondition::completed, DependencyCondition::started,
                               DependencyCondition::healthy)});
      }
    }
  }
  return spec;
}

// ---------------------------------------------------------- reference model ---

/// What the rules say about one node, tracked from the emitted actions only.
struct ModelNode {
  const ChildSpec* spec = nullptr;
  std::string parent;  ///< "" for the root
  ChildState state = ChildState::waiting;
  std::optional<TimePoint> running_since;
  bool ever_started = false;
  bool ever_healthy = false;
  bool stream_complete = false;
  int consecutive = 0;
  int spawn_budget = 1;  ///< temporary children: runs left
};

bool is_up(ChildState state) {
  return state == ChildState::running || state == ChildState::adopted;
}

/// min(initial * factor^(k-1), max), computed the plain way.
double model_base_delay(const Backoff& backoff, int k) {
  double delay = static_cast<double>(backoff.initial.count());
  for (int step = 1; step < k && delay < static_cast<double>(backoff.max.count()); ++step) {
    delay *= std::max(backoff.factor, 1.0);
  }
  return std::min(delay, static_cast<double>(backoff.max.count()));
}

class Harness {
 public:
  Harness(SupervisorSpec spec, unsigned seed)
      : spec_(spec), rng_(seed), supervisor_(std::move(spec), [this] {
          return std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
        }) {
    add(spec_.children, "");
    policies_[""] = &spec_.policy;
    for (const auto& [id, node] : model_) {
      std::string line = "tree: " + id + " in '" + node.parent + "' " +
                         std::string(to_string(node.spec->type)) + " " +
                         std::string(to_string(node.spec->restart));
      if (node.spec->type == ChildType::supervisor) {
        line += " " + std::string(to_string(node.spec->policy.strategy)) + " intensity " +
                std::to_string(node.spec->policy.intensity);
      } else {
        line += " " + std::string(to_string(node.spec->complete_when));
      }
      for (const Dependency& dependency : node.spec->depends_on) {
        line += " needs " + dependency.id + " " + std::string(to_string(dependency.condition));
      }
      trace_.push_back(line);
    }
  }

  // ----------------------------------------------------------- the runtime ---

  void send(const Event& event, const std::string& what) {
    trace(what);
    expected_backoffs_.clear();
    // What the core said of a command before it was handled: one it does
    // not accept changes nothing at all.
    std::optional<CommandVerdict> verdict;
    std::vector<ChildStatus> before;
    if (const auto* command = std::get_if<Command>(&event)) {
      verdict = supervisor_.judge(*command);
      before = supervisor_.status(now_);
    }
    const std::vector<Action> actions = supervisor_.handle(event, now_);
    if (verdict && *verdict != CommandVerdict::accepted) {
      expect(actions.empty(),
             what + " was " + std::string(to_string(*verdict)) + " but the core acted on it");
      expect(same_states(before, supervisor_.status(now_)),
             what + " was " + std::string(to_string(*verdict)) + " but a state changed");
    }
    for (std::size_t k = 0; k < actions.size(); ++k) {
      check_action(actions, k);
    }
    for (const auto& [id, attempt] : expected_backoffs_) {
      check_backoff(id, attempt);
    }
  }

  void boot() {
    for (auto& [id, node] : model_) {
      if (node.spec->type != ChildType::worker) {
        continue;
      }
      if (pick(0, 7) == 0) {
        const int pid = next_pid_++;
        live_[id] = {pid, true, false};
        send(Adopted{id, pid}, "adopt " + id);
      }
      if (pick(0, 10) == 0) {
        send(RestoreHistory{id, pick(0, 4), pick(0, 4) == 0}, "restore " + id);
      }
      if (node.spec->complete_when == CompletionRule::stream && pick(0, 5) == 0) {
        stream(id, true);
      }
    }
    send(Boot{}, "boot");
  }

  void stream(const std::string& id, bool complete) {
    model_.at(id).stream_complete = complete;
    send(StreamProgress{id, complete}, "stream " + id + (complete ? " complete" : " incomplete"));
  }

  void answer_spawn(bool may_fail) {
    const std::string id =
        *rc::gen::elementOf(std::vector<std::string>(pending_.begin(), pending_.end()));
    pending_.erase(id);
    if (may_fail && pick(0, 8) == 0) {
      send(SpawnFailed{id, "exec failed"}, "spawn failed " + id);
      return;
    }
    if (may_fail && pick(0, 8) == 0) {
      const int restarts = supervisor_.status_of(id, now_)->restarts;
      send(SpawnFailed{id, "Too many open files", true}, "spawn out of resources " + id);
      expect(supervisor_.status_of(id, now_)->restarts <= restarts,
             "a spawn that failed for lack of resources counted as a restart: " + id);
      return;
    }
    const int pid = next_pid_++;
    live_[id] = {pid, false, false};
    send(Spawned{id, pid}, "spawned " + id);
  }

  void exit_one(bool only_signalled) {
    std::vector<std::string> ids;
    for (const auto& [id, process] : live_) {
      if (!only_signalled || process.signalled) {
        ids.push_back(id);
      }
    }
    if (ids.empty()) {
      return;
    }
    const std::string id = *rc::gen::elementOf(ids);
    const bool adopted = live_[id].adopted;
    live_.erase(id);
    ExitStatus status =
        *rc::gen::element(ExitStatus::exited(0), ExitStatus::exited(1), ExitStatus::exited(143),
                          ExitStatus::exited(137), ExitStatus::killed(9), ExitStatus::killed(15),
                          ExitStatus::killed(2), ExitStatus::killed(11));
    if (adopted && pick(0, 3) != 0) {
      status = ExitStatus::unknown();
    }
    send(Exited{id, status}, "exit " + id + " " + status.describe());
  }

  bool fire_next_timer() {
    if (timers_.empty()) {
      return false;
    }
    const auto next =
        std::min_element(timers_.begin(), timers_.end(), [](const auto& a, const auto& b) {
          return a.second < b.second || (a.second == b.second && a.first < b.first);
        });
    const TimerId id = next->first;
    now_ = std::max(now_, next->second);
    timers_.erase(next);
    fired_.push_back(id);
    send(TimerFired{id}, "timer " + std::to_string(id));
    return true;
  }

  void advance(ms by) {
    const TimePoint until = now_ + by;
    while (!timers_.empty()) {
      const auto next =
          std::min_element(timers_.begin(), timers_.end(),
                           [](const auto& a, const auto& b) { return a.second < b.second; });
      if (next->second > until) {
        break;
      }
      fire_next_timer();
    }
    now_ = until;
  }

  void command(CommandKind kind, const std::string& id) {
    if (kind == CommandKind::shutdown || kind == CommandKind::force) {
      shutdown_sent_ = true;
    }
    if (kind == CommandKind::start || kind == CommandKind::restart) {
      // The operator may run a temporary child again.
      for (auto& [other, node] : model_) {
        if (other == id || is_ancestor(id, other)) {
          node.spawn_budget = 1;
        }
      }
    }
    send(Command{kind, id}, std::string(to_string(kind)) + " " + id);
  }

  void random_step() {
    const int choice = pick(0, 1000);
    if (choice < 250 && !pending_.empty()) {
      answer_spawn(true);
    } else if (choice < 500 && !live_.empty()) {
      exit_one(false);
    } else if (choice < 650) {
      fire_next_timer();
    } else if (choice < 750) {
      advance(ms{pick(0, 3000)});
    } else if (choice < 850) {
      const std::string id = *rc::gen::elementOf(ids_);
      stream(id, pick(0, 10) < 7);
    } else if (choice < 950) {
      const CommandKind kind =
          *rc::gen::element(CommandKind::stop, CommandKind::start, CommandKind::restart);
      const std::string id = pick(0, 20) == 0 ? "unknown" : *rc::gen::elementOf(ids_);
      command(kind, id);
    } else if (choice < 960) {
      command(CommandKind::shutdown, "");
    } else if (choice < 965) {
      command(CommandKind::force, "");
    } else {
      const TimerId stale = fired_.empty() ? 999999 : *rc::gen::elementOf(fired_);
      send(TimerFired{stale}, "stale timer " + std::to_string(stale));
    }
  }

  /// Shut down, then play the runtime until nothing is left to happen.
  void drain() {
    if (!shutdown_sent_ || pick(0, 2) == 0) {
      command(CommandKind::shutdown, "");
    }
    for (int guard = 0; guard < 100000; ++guard) {
      if (!pending_.empty()) {
        answer_spawn(false);
      } else if (std::any_of(live_.begin(), live_.end(),
                             [](const auto& p) { return p.second.signalled; })) {
        exit_one(true);
      } else if (!fire_next_timer()) {
        break;
      }
    }
    expect(live_.empty(),
           "a process was never stopped: " + (live_.empty() ? "" : live_.begin()->first));
    for (const auto& [id, node] : model_) {
      expect(is_final(node.state), id + " did not end: " + std::string(to_string(node.state)));
      const auto status = supervisor_.status_of(id, now_);
      expect(status && status->state == node.state, id + ": status disagrees with the events");
    }
    expect(!outcomes_.empty(), "no Finished");
    expect(
        outcomes_.back() == TreeOutcome::shut_down || outcomes_.back() == TreeOutcome::root_failed,
        "last outcome " + std::string(to_string(outcomes_.back())));
    expect(finished_after_shutdown_ <= 1, "Finished more than once after the shutdown");
    expect(supervisor_.outcome() == outcomes_.back(), "outcome() disagrees");
  }

 private:
  struct Process {
    int pid = 0;
    bool adopted = false;
    bool signalled = false;
  };

  void add(const std::vector<ChildSpec>& children, const std::string& parent) {
    for (const ChildSpec& child : children) {
      ModelNode node;
      node.spec = &child;
      node.parent = parent;
      model_[child.id] = node;
      ids_.push_back(child.id);
      if (child.type == ChildType::supervisor) {
        policies_[child.id] = &child.policy;
        add(child.children, child.id);
      }
    }
  }

  bool is_ancestor(const std::string& ancestor, const std::string& id) const {
    for (std::string p = model_.at(id).parent; !p.empty(); p = model_.at(p).parent) {
      if (p == ancestor) {
        return true;
      }
    }
    return false;
  }

  void trace(const std::string& line) {
    std::ostringstream out;
    out << "t=" << std::chrono::duration_cast<ms>(now_.time_since_epoch()).count() << " " << line;
    trace_.push_back(out.str());
  }

  void expect(bool condition, const std::string& message) {
    if (condition) {
      return;
    }
    std::string text = message + "\n--- trace (last 80) ---\n";
    const std::size_t from = trace_.size() > 80 ? trace_.size() - 80 : 0;
    for (std::size_t k = from; k < trace_.size(); ++k) {
      text += trace_[k] + "\n";
    }
    RC_FAIL(text);
  }

  void mark_healthy(ModelNode& node) {
    if (is_up(node.state) && node.running_since &&
        now_ - *node.running_since >= node.spec->healthy_after) {
      node.ever_healthy = true;
    }
  }

  bool condition_met(const Dependency& dependency) {
    ModelNode& d = model_.at(dependency.id);
    mark_healthy(d);
    if (d.state == ChildState::done) {
      return true;
    }
    switch (dependency.condition) {
      case DependencyCondition::completed:
        return d.spec->type == ChildType::worker &&
               d.spec->complete_when == CompletionRule::stream && d.stream_complete;
      case DependencyCondition::started:
        return d.ever_started;
      case DependencyCondition::healthy:
        return d.ever_healthy;
    }
    return false;
  }

  bool parent_running(const ModelNode& node) const {
    if (node.parent.empty()) {
      return !shutdown_sent_ && !root_failed_;
    }
    return model_.at(node.parent).state == ChildState::running;
  }

  std::size_t decisions_in_window(const std::string& parent) {
    const SupervisorPolicy& policy = *policies_.at(parent);
    std::size_t count = 0;
    for (const TimePoint t : decisions_[parent]) {
      count += now_ - t <= policy.period ? 1 : 0;
    }
    return count;
  }

  void on_change(const StateChanged& change) {
    trace("  " + change.child + " " + std::string(to_string(change.from)) + "->" +
          std::string(to_string(change.to)) + " " + std::string(to_string(change.reason)) + " (" +
          change.detail + ")");
    expect(model_.count(change.child) == 1, "StateChanged for unknown " + change.child);
    ModelNode& node = model_.at(change.child);
    expect(change.from == node.state, change.child + " leaves " +
                                          std::string(to_string(change.from)) + " but was " +
                                          std::string(to_string(node.state)));
    expect(is_allowed_transition(change.from, change.to), "transition not in the table");
    mark_healthy(node);
    const SupervisorPolicy& policy = *policies_.at(node.parent);

    if (change.reason == Reason::out_of_resources) {
      // Not a restart decision: no intensity record, no backoff step; the
      // same spawn is tried again (a temporary child gets its run back).
      expect(change.from == ChildState::starting && change.to == ChildState::backoff,
             "out_of_resources other than starting -> backoff: " + change.child);
      expect(!shutdown_sent_ && !root_failed_, "spawn retry after the tree stopped starting");
      if (node.spec->restart == RestartType::temporary) {
        node.spawn_budget = std::min(node.spawn_budget + 1, 1);
      }
    } else if (change.to == ChildState::backoff && change.reason != Reason::sibling_restart) {
      // A restart decision of the parent node.
      std::optional<ms> uptime;
      const bool worker_up = is_up(change.from);
      const bool node_gave_up =
          node.spec->type == ChildType::supervisor && change.from == ChildState::stopping;
      if ((worker_up || node_gave_up) && node.running_since) {
        uptime = std::chrono::duration_cast<ms>(now_ - *node.running_since);
      }
      decisions_[node.parent].push_back(now_);
      expect(decisions_in_window(node.parent) <=
                 static_cast<std::size_t>(std::max(policy.intensity, 0)),
             "more than intensity restarts within the period under '" + node.parent + "'");
      node.consecutive = uptime && *uptime >= policy.backoff.reset_after ? 1 : node.consecutive + 1;
      expected_backoffs_.emplace_back(change.child, node.consecutive);
    }
    if (change.to == ChildState::failed && change.reason == Reason::intensity &&
        (is_up(change.from) || change.from == ChildState::starting)) {
      expect(decisions_in_window(node.parent) ==
                 static_cast<std::size_t>(std::max(policy.intensity, 0)),
             "gave up before exceeding the intensity");
      if (node.parent.empty()) {
        root_failed_ = true;
      }
    }
    if (change.reason == Reason::operator_command || is_final(change.from)) {
      if (change.to == ChildState::waiting || change.to == ChildState::starting ||
          change.to == ChildState::running) {
        node.consecutive = 0;
      }
    }
    if (is_up(change.to)) {
      node.running_since = now_;
      node.ever_started = true;
      mark_healthy(node);
      if (change.to == ChildState::adopted) {
        node.spawn_budget = 0;
      }
    }
    if (change.to == ChildState::running && node.spec->type == ChildType::supervisor) {
      decisions_[change.child].clear();  // a node (re)starts with a fresh window
    }
    node.state = change.to;
  }

  void on_spawn(const std::vector<Action>& actions, std::size_t k, const Spawn& spawn) {
    trace("  spawn " + spawn.child);
    expect(!shutdown_sent_, "Spawn after shutdown: " + spawn.child);
    expect(!root_failed_, "Spawn after the root failed: " + spawn.child);
    ModelNode& node = model_.at(spawn.child);
    expect(node.spec->type == ChildType::worker, "Spawn of a supervisor node");
    expect(node.state == ChildState::starting, "Spawn of a child not starting");
    const auto* before = k > 0 ? std::get_if<StateChanged>(&actions[k - 1]) : nullptr;
    expect(before && before->child == spawn.child && before->to == ChildState::starting,
           "Spawn does not follow the move to starting");
    expect(parent_running(node), "Spawn while its supervisor node is not running");
    for (const Dependency& dependency : node.spec->depends_on) {
      expect(condition_met(dependency), "Spawn of " + spawn.child + " before " + dependency.id +
                                            " is " + std::string(to_string(dependency.condition)));
    }
    if (node.spec->restart == RestartType::temporary) {
      expect(node.spawn_budget > 0, "temporary child restarted: " + spawn.child);
      --node.spawn_budget;
    }
    expect(live_.count(spawn.child) == 0 && pending_.count(spawn.child) == 0,
           "second process for " + spawn.child);
    pending_.insert(spawn.child);
  }

  void check_action(const std::vector<Action>& actions, std::size_t k) {
    const Action& action = actions[k];
    if (const auto* change = std::get_if<StateChanged>(&action)) {
      on_change(*change);
    } else if (const auto* spawn = std::get_if<Spawn>(&action)) {
      on_spawn(actions, k, *spawn);
    } else if (const auto* signal = std::get_if<SignalGroup>(&action)) {
      trace("  signal " + signal->child + (signal->signal == StopSignal::kill ? " kill" : " term"));
      expect(model_.at(signal->child).state == ChildState::stopping,
             "signal to a child not stopping");
      expect(live_.count(signal->child) == 1, "signal to no process: " + signal->child);
      live_[signal->child].signalled = true;
    } else if (const auto* timer = std::get_if<ScheduleTimer>(&action)) {
      trace("  schedule " + std::to_string(timer->timer) + " in " +
            std::to_string(timer->delay.count()));
      expect(seen_timers_.insert(timer->timer).second, "timer id reused");
      expect(timer->delay >= ms{0}, "negative delay");
      timers_[timer->timer] = now_ + timer->delay;
    } else if (const auto* cancel = std::get_if<CancelTimer>(&action)) {
      trace("  cancel " + std::to_string(cancel->timer));
      timers_.erase(cancel->timer);
    } else if (const auto* finish = std::get_if<Finished>(&action)) {
      trace("  finished " + std::string(to_string(finish->outcome)));
      for (const auto& [id, node] : model_) {
        expect(is_final(node.state),
               "Finished while " + id + " is " + std::string(to_string(node.state)));
      }
      outcomes_.push_back(finish->outcome);
      if (shutdown_sent_) {
        ++finished_after_shutdown_;
      }
    }
  }

  void check_backoff(const std::string& id, int attempt) {
    const auto status = supervisor_.status_of(id, now_);
    if (!status || status->state != ChildState::backoff) {
      return;
    }
    expect(status->next_restart_at.has_value(), "backoff without next_restart_at");
    const double delay = static_cast<double>(
        std::chrono::duration_cast<ms>(*status->next_restart_at - now_).count());
    const Backoff& backoff = policies_.at(model_.at(id).parent)->backoff;
    const double base = model_base_delay(backoff, attempt);
    const double jitter = std::clamp(backoff.jitter, 0.0, 1.0);
    const double low = std::floor(base * (1.0 - jitter)) - 1.0;
    const double high =
        std::min(std::ceil(base * (1.0 + jitter)) + 1.0, static_cast<double>(backoff.max.count()));
    expect(delay >= low && delay <= high,
           id + " backoff " + std::to_string(delay) + "ms for attempt " + std::to_string(attempt) +
               " outside [" + std::to_string(low) + ", " + std::to_string(high) + "]");
  }

  SupervisorSpec spec_;
  std::mt19937 rng_;
  Supervisor supervisor_;
  TimePoint now_{std::chrono::hours(100)};
  std::map<std::string, ModelNode> model_;
  std::map<std::string, const SupervisorPolicy*> policies_;
  std::vector<std::string> ids_;
  std::map<std::string, std::vector<TimePoint>> decisions_;
  std::vector<std::pair<std::string, int>> expected_backoffs_;
  std::map<std::string, Process> live_;
  std::set<std::string> pending_;
  std::map<TimerId, TimePoint> timers_;
  std::set<TimerId> seen_timers_;
  std::vector<TimerId> fired_;
  std::vector<TreeOutcome> outcomes_;
  std::vector<std::string> trace_;
  int next_pid_ = 100;
  int finished_after_shutdown_ = 0;
  bool shutdown_sent_ = false;
  bool root_failed_ = false;
};

RC_GTEST_PROP(SupervisorProperty, RandomScriptsObeyTheSupervisionRules, ()) {
  const SupervisorSpec spec = random_tree();
  Harness harness(spec, static_cast<unsigned>(pick(0, 1 << 30)));
  harness.boot();
  const int steps = pick(0, 150);
  for (int step = 0; step < steps; ++step) {
    harness.random_step();
  }
  harness.drain();
}

RC_GTEST_PROP(SupervisorProperty, BackoffStaysWithinItsBoundsAndGrowsUntilTheCap, ()) {
  Backoff backoff;
  backoff.initial = ms{pick(0, 5000)};
  backoff.factor = *rc::gen::element(1.0, 1.5, 2.0, 10.0);
  backoff.max = ms{pick(0, 120000)};
  backoff.jitter = *rc::gen::element(0.0, 0.1, 0.25, 1.0);
  const int attempts = pick(1, 80);
  Duration previous{0};
  for (int k = 1; k <= attempts; ++k) {
    const Duration base = backoff_base_delay(backoff, k);
    RC_ASSERT(base >= previous);
    RC_ASSERT(base <= backoff.max);
    previous = base;
    const double u = pick(0, 1000) / 1000.0;
    const Duration delay = backoff_delay(backoff, k, u);
    RC_ASSERT(delay >= Duration{0});
    RC_ASSERT(delay <= max_backoff_delay(backoff));
    RC_ASSERT(delay <= backoff.max);  // jitter never takes a delay past max
    RC_ASSERT(static_cast<double>(delay.count()) >=
              std::floor(base.count() * (1.0 - backoff.jitter)) - 1);
    RC_ASSERT(static_cast<double>(delay.count()) <=
              std::ceil(base.count() * (1.0 + backoff.jitter)) + 1);
  }
}

}  // namespace
}  // namespace supervise::core
