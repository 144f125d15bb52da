// The spawn queue shares the loop: a boot of many children starts them a
// bounded batch per turn, and a turn also ends when its time is up, so that
// what else the loop has to do (a control request, a signal, a crash) runs
// between spawns that have grown costly.

#include <gtest/gtest.h>

#include <boost/asio/post.hpp>
#include <chrono>
#include <optional>
#include <string>

#include "tests/runtime/runtime_on_fakes.hpp"

namespace supervise::runtime {
namespace {

using namespace std::chrono_literals;
using supervise::testing::RuntimeOnFakes;

std::string flat_tree(int children) {
  std::string spec = "version: 1\nsupervisor:\n  children:\n";
  for (int i = 0; i < children; ++i) {
    spec += "    - {id: c" + std::to_string(i) + ", command: [agent], work_dir: .}\n";
  }
  return spec;
}

/// Spends `cost` of the calling thread's time: what a fork of a large
/// supervisor costs the loop, made visible to the turn's time budget.
void spend(std::chrono::microseconds cost) {
  const auto until = std::chrono::steady_clock::now() + cost;
  while (std::chrono::steady_clock::now() < until) {
  }
}

TEST(SpawnPump, ATurnEndsWhenItsTimeIsUpSoWorkQueuedMeanwhileRunsBetweenSpawns) {
  constexpr int kChildren = 100;
  RuntimeOnFakes tree(flat_tree(kChildren));
  int spawns = 0;
  std::optional<int> spawns_before_probe;
  tree.launcher.on_spawn = [&](const LaunchSpec&) {
    if (++spawns == 1) {
      // Queued in the middle of the first turn, as a control request would be.
      boost::asio::post(tree.io(), [&] { spawns_before_probe = spawns; });
    }
    spend(2ms);
  };
  tree.boot();
  ASSERT_TRUE(tree.run_until([&] { return tree.launcher.running() == kChildren; }));
  ASSERT_TRUE(spawns_before_probe);
  // A turn has 10 ms: at 2 ms or more a spawn, it ends after 5 at most; a
  // batch bounded by count alone would have run 64 before the probe.
  EXPECT_GE(*spawns_before_probe, 1);
  EXPECT_LE(*spawns_before_probe, 5);
}

}  // namespace
}  // namespace supervise::runtime
