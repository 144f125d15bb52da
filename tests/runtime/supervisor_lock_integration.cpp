#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "supervisor/runtime/supervisor_lock.hpp"
#include "tests/support/temp_dir.hpp"

namespace supervise::runtime {
namespace {

using supervise::testing::TempDir;

int pid_named_in(const std::filesystem::path& pid_file) {
  std::ifstream file(pid_file);
  int pid = 0;
  file >> pid;
  return pid;
}

TEST(SupervisorLock, HoldsOurPidWhileHeld) {
  TempDir dir;
  auto acquired = SupervisorLock::acquire(dir / "supervise.pid");
  ASSERT_TRUE(acquired.lock) << acquired.error;
  EXPECT_EQ(pid_named_in(dir / "supervise.pid"), ::getpid());
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

/// The PID of a process that has ended and been reaped.
int ended_pid() {
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::_exit(0);
  }
  ::waitpid(pid, nullptr, 0);
  return pid;
}

/// The lock as a supervisor killed by SIGKILL leaves it for a moment: held
/// through a descriptor that a child of its, not yet exec'd, still shares,
/// with the PID file naming the supervisor that is gone.
class LockOfAKilledSupervisor {
 public:
  explicit LockOfAKilledSupervisor(const std::filesystem::path& dir)
      : fd_(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) {
    locked_ = fd_.valid() && ::flock(fd_.get(), LOCK_EX | LOCK_NB) == 0;
    std::ofstream(dir / "supervise.pid") << ended_pid() << "\n";
  }
  bool locked() const { return locked_; }
  void release() { fd_.reset(); }

 private:
  process::FileDescriptor fd_;
  bool locked_ = false;
};

TEST(SupervisorLock, ALockLeftForAMomentByAKilledSupervisorIsTakenOnceFree) {
  TempDir dir;
  LockOfAKilledSupervisor left(dir.path());
  ASSERT_TRUE(left.locked());
  // The straggler execs (and lets go) while the new supervisor waits.
  std::thread straggler([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    left.release();
  });
  auto acquired = SupervisorLock::acquire(dir / "supervise.pid");
  straggler.join();
  ASSERT_TRUE(acquired.lock) << (acquired.held_by_other ? "refused" : acquired.error);
  EXPECT_EQ(pid_named_in(dir / "supervise.pid"), ::getpid());
}

TEST(SupervisorLock, ALockStillHeldAfterTheGraceIsRefusedNamingTheEndedHolder) {
  TempDir dir;
  LockOfAKilledSupervisor left(dir.path());
  ASSERT_TRUE(left.locked());
  auto acquired = SupervisorLock::acquire(dir / "supervise.pid", std::chrono::milliseconds(50));
  EXPECT_FALSE(acquired.lock);
  EXPECT_TRUE(acquired.held_by_other);
  EXPECT_TRUE(acquired.holder.has_value());
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
