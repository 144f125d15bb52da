// An emptied cgroup the kernel will not remove yet is tried again on timers
// until it goes, and whoever waits for the removals to end (up, before it
// exits) hears once they have. A plain directory stands in for the cgroup:
// rmdir refuses it while it holds a file, as the kernel refuses a cgroup
// for a moment after its last process died.

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <fstream>

#include "supervisor/runtime/cgroup_removals.hpp"
#include "tests/runtime/run_io_until.hpp"
#include "tests/support/temp_dir.hpp"

namespace supervise::runtime {
namespace {

using supervise::testing::run_io_until;
using supervise::testing::TempDir;

TEST(CgroupRemovals, ARemovableDirectoryGoesAtOnceAndNothingIsPending) {
  TempDir dir;
  const auto group = dir.path() / "group";
  std::filesystem::create_directory(group);
  boost::asio::io_context io;
  const auto removals = CgroupRemovals::create(io);

  removals->remove(group);

  EXPECT_FALSE(std::filesystem::exists(group));
  EXPECT_TRUE(removals->idle());
  bool told = false;
  removals->when_idle([&] { told = true; });
  EXPECT_TRUE(run_io_until(io, [&] { return told; }));
}

TEST(CgroupRemovals, ARefusedRemovalIsTriedAgainUntilItGoesAndThenTheWaiterHears) {
  TempDir dir;
  const auto group = dir.path() / "group";
  std::filesystem::create_directory(group);
  const auto blocker = group / "still-busy";
  std::ofstream(blocker) << "x";
  boost::asio::io_context io;
  const auto removals = CgroupRemovals::create(io);
  bool told = false;

  removals->remove(group);
  removals->when_idle([&] { told = true; });

  EXPECT_FALSE(removals->idle());
  // Several retries are refused while the directory is busy.
  int turns = 0;
  ASSERT_TRUE(run_io_until(io, [&] { return ++turns > 5; }));
  EXPECT_TRUE(std::filesystem::exists(group));
  EXPECT_FALSE(told);

  std::filesystem::remove(blocker);
  ASSERT_TRUE(run_io_until(io, [&] { return told; }));
  EXPECT_FALSE(std::filesystem::exists(group));
  EXPECT_TRUE(removals->idle());
}

TEST(CgroupRemovals, AGoneDirectoryCountsAsRemoved) {
  TempDir dir;
  boost::asio::io_context io;
  const auto removals = CgroupRemovals::create(io);

  removals->remove(dir.path() / "never-made");

  EXPECT_TRUE(removals->idle());
}

}  // namespace
}  // namespace supervise::runtime
