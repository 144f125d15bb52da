// Random crash loops through a real Runtime on a manual clock and a fake
// launcher: whatever the backoff settings and however long each run lasts,
// every restart is spawned exactly when the backoff rule says (checked
// against a model written here from the rule, sharing no code with the
// core), and a child never has two processes at once.

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <chrono>
#include <string>

#include "tests/runtime/runtime_on_fakes.hpp"

namespace supervise::runtime {
namespace {

using namespace std::chrono_literals;
using ms = std::chrono::milliseconds;
using supervise::testing::RuntimeOnFakes;

/// Uniform in [low, high) whatever the test size; shrinks toward `low`.
int pick(int low, int high) {
  return *rc::gen::resize(100, rc::gen::inRange(low, high));
}

/// The rule (SPEC_FORMAT.md): the k-th consecutive restart waits
/// min(initial * factor^(k-1), max); a run of at least reset_after starts
/// the count over.
struct BackoffModel {
  long long initial = 0;
  long long factor = 1;
  long long max = 0;
  long long reset_after = 0;
  int consecutive = 0;

  long long delay_after_run(long long uptime) {
    if (uptime >= reset_after) {
      consecutive = 0;
    }
    ++consecutive;
    long long delay = initial;
    for (int k = 1; k < consecutive && delay < max; ++k) {
      delay *= factor;
    }
    return std::min(delay, max);
  }
};

RC_GTEST_PROP(RuntimeBackoffProperty, EveryRestartIsSpawnedExactlyWhenTheBackoffRuleSays, ()) {
  BackoffModel model;
  model.initial = pick(0, 3000);
  model.factor = *rc::gen::element(1, 2, 3);
  model.max = model.initial + pick(0, 10'000);
  model.reset_after = pick(1, 20) * 1000;
  const std::string spec =
      "version: 1\n"
      "supervisor:\n"
      "  intensity: 1000\n"
      "  period: 1s\n"
      "  backoff: {initial: " +
      std::to_string(model.initial) + "ms, factor: " + std::to_string(model.factor) +
      ", max: " + std::to_string(model.max) +
      "ms, jitter: 0, reset_after: " + std::to_string(model.reset_after) +
      "ms}\n"
      "  children:\n"
      "    - {id: worker, command: [agent], work_dir: ., restart: permanent, "
      "max_restarts: 1000}\n";
  RuntimeOnFakes tree(spec);
  tree.boot();
  RC_ASSERT(tree.launcher.spawned("worker").size() == 1u);

  const int runs = pick(1, 12);
  for (int run = 0; run < runs; ++run) {
    // Mostly short runs (a crash loop), sometimes one past reset_after.
    const long long uptime = pick(0, 4) == 0 ? model.reset_after + pick(0, 2000)
                                             : pick(0, static_cast<int>(model.reset_after));
    tree.advance(ms{uptime});
    const auto crashed_at = tree.clock.now();
    const auto spawns = tree.launcher.spawned("worker").size();
    tree.launcher.end(tree.pid("worker"), core::ExitStatus::exited(1));
    // A zero delay is a timer due at once: the restart happens right here.
    tree.settle();
    const auto expected = ms{model.delay_after_run(uptime)};
    if (expected > 0ms) {
      tree.advance(expected - 1ms);
      RC_ASSERT(tree.launcher.spawned("worker").size() == spawns);
      tree.advance(1ms);
    }
    const auto spawned = tree.launcher.spawned("worker");
    RC_ASSERT(spawned.size() == spawns + 1);
    RC_ASSERT(spawned.back()->started_at - crashed_at == expected);
    RC_ASSERT(tree.launcher.running() == 1);
  }
}

}  // namespace
}  // namespace supervise::runtime
