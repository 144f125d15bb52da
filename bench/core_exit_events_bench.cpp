// How many events per second the supervision core handles in a tree of
// 10,000 children: crash -> backoff -> timer -> spawn -> spawned cycles, and a
// chain of dependents each started by the exit of the one before.

#include <benchmark/benchmark.h>

#include <climits>
#include <string>
#include <variant>

#include "supervisor/core/supervisor.hpp"

namespace supervise::core {
namespace {

constexpr int kChildren = 10'000;

SupervisorPolicy fast_policy() {
  SupervisorPolicy policy;
  policy.intensity = INT_MAX;
  policy.period = Duration{1000};
  policy.backoff.initial = Duration{0};
  policy.backoff.max = Duration{1};
  policy.backoff.jitter = 0.1;
  return policy;
}

ChildSpec child(int k) {
  ChildSpec spec;
  spec.id = "stream-" + std::to_string(k);
  spec.restart = RestartType::permanent;
  spec.max_restarts = INT_MAX;
  return spec;
}

TimerId timer_in(const std::vector<Action>& actions) {
  for (const Action& action : actions) {
    if (const auto* timer = std::get_if<ScheduleTimer>(&action)) {
      return timer->timer;
    }
  }
  return 0;
}

/// One item = one event handled; each cycle is Exited, TimerFired, Spawned.
void BM_CrashRestartCycle(benchmark::State& state) {
  SupervisorSpec spec{fast_policy(), {}};
  std::vector<std::string> ids;
  for (int k = 0; k < kChildren; ++k) {
    spec.children.push_back(child(k));
    ids.push_back(spec.children.back().id);
  }
  Supervisor supervisor(std::move(spec), [] { return 0.5; });
  TimePoint now{std::chrono::hours(1)};
  supervisor.handle(Boot{}, now);
  int pid = 1;
  for (const std::string& id : ids) {
    supervisor.handle(Spawned{id, pid++}, now);
  }
  std::size_t next = 0;
  std::int64_t events = 0;
  for (auto _ : state) {
    const std::string& id = ids[next];
    next = (next + 1) % ids.size();
    now += std::chrono::microseconds(100);
    const auto crash = supervisor.handle(Exited{id, ExitStatus::exited(1)}, now);
    const auto restart = supervisor.handle(TimerFired{timer_in(crash)}, now);
    const auto up = supervisor.handle(Spawned{id, pid++}, now);
    benchmark::DoNotOptimize(restart.data());
    benchmark::DoNotOptimize(up.data());
    events += 3;
  }
  state.SetItemsProcessed(events);
  state.counters["children"] = kChildren;
}
BENCHMARK(BM_CrashRestartCycle);

/// 10,000 children each waiting for the one before to complete: every exit
/// starts the next one (the dependents index, not a scan of the tree).
void BM_DependencyChainCompletion(benchmark::State& state) {
  std::int64_t events = 0;
  for (auto _ : state) {
    state.PauseTiming();
    SupervisorSpec spec{fast_policy(), {}};
    for (int k = 0; k < kChildren; ++k) {
      ChildSpec spec_k = child(k);
      spec_k.restart = RestartType::transient;
      if (k > 0) {
        spec_k.depends_on.push_back({"stream-" + std::to_string(k - 1)});
      }
      spec.children.push_back(std::move(spec_k));
    }
    std::vector<std::string> ids;
    for (const ChildSpec& c : spec.children) {
      ids.push_back(c.id);
    }
    Supervisor supervisor(std::move(spec), [] { return 0.5; });
    TimePoint now{std::chrono::hours(1)};
    state.ResumeTiming();
    supervisor.handle(Boot{}, now);
    for (const std::string& id : ids) {
      supervisor.handle(Spawned{id, 1}, now);
      const auto actions = supervisor.handle(Exited{id, ExitStatus::exited(0)}, now);
      benchmark::DoNotOptimize(actions.data());
    }
    events += 1 + 2 * kChildren;
  }
  state.SetItemsProcessed(events);
}
BENCHMARK(BM_DependencyChainCompletion)->Unit(benchmark::kMillisecond);

/// Boot and full shutdown of 10,000 running children.
void BM_BootAndShutdown(benchmark::State& state) {
  std::int64_t events = 0;
  for (auto _ : state) {
    state.PauseTiming();
    SupervisorSpec spec{fast_policy(), {}};
    std::vector<std::string> ids;
    for (int k = 0; k < kChildren; ++k) {
      spec.children.push_back(child(k));
      ids.push_back(spec.children.back().id);
    }
    Supervisor supervisor(std::move(spec), [] { return 0.5; });
    TimePoint now{std::chrono::hours(1)};
    state.ResumeTiming();
    supervisor.handle(Boot{}, now);
    for (const std::string& id : ids) {
      supervisor.handle(Spawned{id, 1}, now);
    }
    supervisor.handle(Command{CommandKind::shutdown, ""}, now);
    for (const std::string& id : ids) {
      const auto actions = supervisor.handle(Exited{id, ExitStatus::killed(15)}, now);
      benchmark::DoNotOptimize(actions.data());
    }
    events += 2 + 2 * kChildren;
  }
  state.SetItemsProcessed(events);
}
BENCHMARK(BM_BootAndShutdown)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace supervise::core

BENCHMARK_MAIN();
