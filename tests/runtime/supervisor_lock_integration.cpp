#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "supervisor/runtime/supervisor_lock.hpp"
#include "tests/support/temp_dir.hpp"

namespace supervise::runtime {
namespace {

using supervise::testing::TempDir;

TEST(SupervisorLock, HoldsOurPidWhileHeld) {
  TempDir dir;
  auto acquired = SupervisorLock::acquire(dir / "supervise.pid");
  ASSERT_TRUE(acquired.lock) << acquired.error;
  std::ifstream file(dir / "supervise.pid");
  int pid = 0;
  file >> pid;
  EXPECT_EQ(pid, ::getpid());
}

// flock() locks belong to an open file description, so a second open in the
// same process contends like another process would.
TEST(SupervisorLock, ASecondAcquireIsRefusedAndNamesTheHolder) {
  TempDir dir;
  auto first = SupervisorLock::acquire(dir / "supervise.pid");
  ASSERT_TRUE(first.lock);
  auto second = SupervisorLock::acquire(dir / "supervise.pid");
  EXPECT_FALSE(second.lock);
  EXPECT_TRUE(second.held_by_other);
  EXPECT_EQ(second.holder, ::getpid());
}

TEST(SupervisorLock, ReleaseRemovesTheFileAndFreesTheLock) {
  TempDir dir;
  {
    auto first = SupervisorLock::acquire(dir / "supervise.pid");
    ASSERT_TRUE(first.lock);
  }
  EXPECT_FALSE(std::filesystem::exists(dir / "supervise.pid"));
  EXPECT_TRUE(SupervisorLock::acquire(dir / "supervise.pid").lock);
}

TEST(SupervisorLock, HoldsWhenSomeoneDeletesThePidFile) {
  TempDir dir;
  auto first = SupervisorLock::acquire(dir / "supervise.pid");
  ASSERT_TRUE(first.lock) << first.error;
  std::filesystem::remove(dir / "supervise.pid");
  auto second = SupervisorLock::acquire(dir / "supervise.pid");
  EXPECT_FALSE(second.lock);
  EXPECT_TRUE(second.held_by_other);
  EXPECT_FALSE(second.holder) << "no file names it any more";
  EXPECT_FALSE(std::filesystem::exists(dir / "supervise.pid")) << "the loser writes nothing";
}

TEST(SupervisorLock, ReleaseLeavesAPidFileThatNamesSomeoneElse) {
  TempDir dir;
  {
    auto first = SupervisorLock::acquire(dir / "supervise.pid");
    ASSERT_TRUE(first.lock);
    std::ofstream(dir / "supervise.pid") << "4242\n";
  }
  EXPECT_TRUE(std::filesystem::exists(dir / "supervise.pid"));
}

TEST(SupervisorLock, AFileLeftByACrashedSupervisorIsTakenOver) {
  TempDir dir;
  std::ofstream(dir / "supervise.pid") << "999999\n";
  auto acquired = SupervisorLock::acquire(dir / "supervise.pid");
  ASSERT_TRUE(acquired.lock) << acquired.error;
}

TEST(SupervisorLock, AMissingDirectoryIsAnErrorValue) {
  TempDir dir;
  auto acquired = SupervisorLock::acquire(dir / "missing" / "supervise.pid");
  EXPECT_FALSE(acquired.lock);
  EXPECT_FALSE(acquired.held_by_other);
  EXPECT_FALSE(acquired.error.empty());
}

}  // namespace
}  // namespace supervise::runtime
