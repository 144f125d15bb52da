#pragma once

// A small language for supervision scripts: a fake clock, a deterministic
// random source, a fake runtime that remembers the timers the core asked
// for, and short summaries of the actions, so that a test reads as
// "boot; A crashes; 1s later A is spawned again".

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "supervisor/core/supervisor.hpp"

namespace supervise::core::testing {

using namespace std::chrono_literals;
using Actions = std::vector<Action>;

// ------------------------------------------------------------ spec builders ---

inline Dependency on(std::string id,
                     DependencyCondition condition = DependencyCondition::completed) {
  return {std::move(id), condition};
}

inline ChildSpec worker(std::string id, RestartType restart = RestartType::transient,
                        std::vector<Dependency> depends_on = {}) {
  ChildSpec spec;
  spec.type = ChildType::worker;
  spec.id = std::move(id);
  spec.restart = restart;
  spec.depends_on = std::move(depends_on);
  spec.max_restarts = 100;
  return spec;
}

inline ChildSpec stream_worker(std::string id, std::vector<Dependency> depends_on = {}) {
  ChildSpec spec = worker(std::move(id), RestartType::transient, std::move(depends_on));
  spec.complete_when = CompletionRule::stream;
  return spec;
}

/// A policy with round numbers: backoff 1s doubling to 8s, no jitter, reset
/// after 60s; intensity 100 per minute.
inline SupervisorPolicy plain_policy(Strategy strategy = Strategy::one_for_one) {
  SupervisorPolicy policy;
  policy.strategy = strategy;
  policy.intensity = 100;
  policy.period = 60s;
  policy.backoff.initial = 1s;
  policy.backoff.factor = 2.0;
  policy.backoff.max = 8s;
  policy.backoff.jitter = 0.0;
  policy.backoff.reset_after = 60s;
  return policy;
}

inline ChildSpec supervisor_node(std::string id, SupervisorPolicy policy,
                                 std::vector<ChildSpec> children,
                                 RestartType restart = RestartType::permanent) {
  ChildSpec spec;
  spec.type = ChildType::supervisor;
  spec.id = std::move(id);
  spec.restart = restart;
  spec.policy = std::move(policy);
  spec.children = std::move(children);
  spec.max_restarts = 100;
  return spec;
}

inline SupervisorSpec tree(std::vector<ChildSpec> children,
                           SupervisorPolicy policy = plain_policy()) {
  return {std::move(policy), std::move(children)};
}

// --------------------------------------------------------- action summaries ---

inline std::vector<std::string> spawns(const Actions& actions) {
  std::vector<std::string> ids;
  for (const Action& action : actions) {
    if (const auto* spawn = std::get_if<Spawn>(&action)) {
      ids.push_back(spawn->child);
    }
  }
  return ids;
}

/// "B term", "A kill", in order.
inline std::vector<std::string> signals(const Actions& actions) {
  std::vector<std::string> result;
  for (const Action& action : actions) {
    if (const auto* signal = std::get_if<SignalGroup>(&action)) {
      result.push_back(signal->child + (signal->signal == StopSignal::kill ? " kill" : " term"));
    }
  }
  return result;
}

/// "A running->backoff crashed", in order; only for `child` when given.
inline std::vector<std::string> changes(const Actions& actions, const std::string& child = "") {
  std::vector<std::string> result;
  for (const Action& action : actions) {
    if (const auto* change = std::get_if<StateChanged>(&action)) {
      if (child.empty() || change->child == child) {
        result.push_back(change->child + " " + std::string(to_string(change->from)) + "->" +
                         std::string(to_string(change->to)) + " " +
                         std::string(to_string(change->reason)));
      }
    }
  }
  return result;
}

inline std::optional<StateChanged> last_change(const Actions& actions, const std::string& child) {
  std::optional<StateChanged> found;
  for (const Action& action : actions) {
    if (const auto* change = std::get_if<StateChanged>(&action)) {
      if (change->child == child) {
        found = *change;
      }
    }
  }
  return found;
}

inline std::vector<Duration> scheduled(const Actions& actions) {
  std::vector<Duration> delays;
  for (const Action& action : actions) {
    if (const auto* timer = std::get_if<ScheduleTimer>(&action)) {
      delays.push_back(timer->delay);
    }
  }
  return delays;
}

inline std::vector<TreeOutcome> finished(const Actions& actions) {
  std::vector<TreeOutcome> outcomes;
  for (const Action& action : actions) {
    if (const auto* finish = std::get_if<Finished>(&action)) {
      outcomes.push_back(finish->outcome);
    }
  }
  return outcomes;
}

inline void append(Actions& to, const Actions& more) {
  to.insert(to.end(), more.begin(), more.end());
}

// ------------------------------------------------------------------- script ---

/// Drives one Supervisor like the runtime would: remembers the timers it
/// asked for (firing them when the clock passes them, in time order), and by
/// default answers every Spawn at once with Spawned. Every StateChanged is
/// checked against the transition table and the state it claims to leave.
class Script {
 public:
  explicit Script(SupervisorSpec spec, std::vector<double> randoms = {0.5})
      : randoms_(std::move(randoms)), supervisor_(std::move(spec), [this] {
          const double u = randoms_[next_random_ % randoms_.size()];
          ++next_random_;
          return u;
        }) {}

  Script(const Script&) = delete;
  Script& operator=(const Script&) = delete;

  /// Answer Spawn with Spawned at once (default) or leave it to the test.
  bool auto_spawned = true;

  Actions send(const Event& event) {
    Actions actions = supervisor_.handle(event, now_);
    absorb(actions);
    if (auto_spawned) {
      for (std::size_t k = 0; k < actions.size(); ++k) {
        if (const auto* spawn = std::get_if<Spawn>(&actions[k])) {
          const std::string id = spawn->child;
          Actions more = supervisor_.handle(Spawned{id, next_pid_++}, now_);
          absorb(more);
          append(actions, more);
        }
      }
    }
    return actions;
  }

  Actions boot() { return send(Boot{}); }
  Actions exit(const std::string& id, ExitStatus status) { return send(Exited{id, status}); }
  Actions crash(const std::string& id) { return exit(id, ExitStatus::exited(1)); }
  Actions spawned(const std::string& id) { return send(Spawned{id, next_pid_++}); }
  Actions spawn_failed(const std::string& id) { return send(SpawnFailed{id, "no such file"}); }
  Actions spawn_out_of_resources(const std::string& id) {
    return send(SpawnFailed{id, "Too many open files", /*out_of_resources=*/true});
  }
  Actions stream(const std::string& id, bool complete = true) {
    return send(StreamProgress{id, complete});
  }
  Actions adopt(const std::string& id, int pid) { return send(Adopted{id, pid}); }
  Actions restore(const std::string& id, int restarts, bool failed = false) {
    return send(RestoreHistory{id, restarts, failed});
  }
  Actions command(CommandKind kind, const std::string& id = "") { return send(Command{kind, id}); }
  Actions fire(TimerId timer) { return send(TimerFired{timer}); }

  /// Moves the clock forward by `by`, firing every timer that falls due on
  /// the way, in time order, each at its due time.
  Actions advance(Duration by) {
    const TimePoint until = now_ + by;
    Actions actions;
    while (true) {
      auto next =
          std::min_element(timers_.begin(), timers_.end(), [](const auto& a, const auto& b) {
            return a.second < b.second || (a.second == b.second && a.first < b.first);
          });
      if (next == timers_.end() || next->second > until) {
        break;
      }
      const TimerId id = next->first;
      now_ = std::max(now_, next->second);
      timers_.erase(next);
      append(actions, send(TimerFired{id}));
    }
    now_ = until;
    return actions;
  }

  /// Fires every pending timer (and those they schedule), in time order.
  Actions fire_timers() {
    Actions actions;
    while (!timers_.empty()) {
      const auto next =
          std::min_element(timers_.begin(), timers_.end(),
                           [](const auto& a, const auto& b) { return a.second < b.second; });
      append(actions, advance(std::max(Duration{0},
                                       std::chrono::duration_cast<Duration>(next->second - now_))));
    }
    return actions;
  }

  ChildState state(const std::string& id) const {
    const auto found = states_.find(id);
    return found == states_.end() ? ChildState::waiting : found->second;
  }
  ChildStatus status(const std::string& id) const {
    auto status = supervisor_.status_of(id, now_);
    EXPECT_TRUE(status.has_value()) << id;
    return status.value_or(ChildStatus{});
  }
  TimePoint now() const { return now_; }
  std::size_t pending_timers() const { return timers_.size(); }
  const Actions& log() const { return log_; }
  Supervisor& supervisor() { return supervisor_; }

 private:
  void absorb(const Actions& actions) {
    for (const Action& action : actions) {
      log_.push_back(action);
      if (const auto* timer = std::get_if<ScheduleTimer>(&action)) {
        EXPECT_EQ(timers_.count(timer->timer), 0u) << "timer id reused: " << timer->timer;
        timers_[timer->timer] = now_ + timer->delay;
      } else if (const auto* cancel = std::get_if<CancelTimer>(&action)) {
        timers_.erase(cancel->timer);
      } else if (const auto* change = std::get_if<StateChanged>(&action)) {
        EXPECT_EQ(change->from, state(change->child))
            << change->child << " claims to leave " << to_string(change->from);
        EXPECT_TRUE(is_allowed_transition(change->from, change->to))
            << change->child << ": " << to_string(change->from) << " -> " << to_string(change->to);
        states_[change->child] = change->to;
      }
    }
  }

  std::vector<double> randoms_;
  std::size_t next_random_ = 0;
  Supervisor supervisor_;
  TimePoint now_{std::chrono::hours(1000)};
  int next_pid_ = 1000;
  std::map<TimerId, TimePoint> timers_;
  std::map<std::string, ChildState> states_;
  Actions log_;
};

}  // namespace supervise::core::testing
