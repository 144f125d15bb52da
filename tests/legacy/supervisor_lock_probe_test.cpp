#include "supervisor/legacy/supervisor_lock_probe.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <unistd.h>

#include <fstream>

#include "tests/support/temp_dir.hpp"

namespace supervise::legacy {
namespace {

using supervise::testing::TempDir;

/// Holds the supervisor lock on `dir` the way `supervise up` does, for the
/// life of the object.
struct HeldLock {
  explicit HeldLock(const std::filesystem::path& dir)
      : fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) {
    EXPECT_GE(fd, 0);
    EXPECT_EQ(::flock(fd, LOCK_EX | LOCK_NB), 0);
  }
  ~HeldLock() { ::close(fd); }
  int fd;
};

TEST(ProbeSupervisorLock, MissingFileIsNotHeldAndIsNotCreated) {
  TempDir dir;
  const SupervisorLockProbe probe = probe_supervisor_lock(dir / "supervise.pid");
  EXPECT_FALSE(probe.held);
  EXPECT_EQ(probe.error, "");
  EXPECT_FALSE(std::filesystem::exists(dir / "supervise.pid"));
}

TEST(ProbeSupervisorLock, MissingDirectoryIsNotHeld) {
  TempDir dir;
  const SupervisorLockProbe probe = probe_supervisor_lock(dir / "missing" / "supervise.pid");
  EXPECT_FALSE(probe.held);
  EXPECT_EQ(probe.error, "");
}

TEST(ProbeSupervisorLock, FileLeftByACrashedSupervisorIsNotHeldAndIsKept) {
  TempDir dir;
  std::ofstream(dir / "supervise.pid") << "4242\n";
  const SupervisorLockProbe probe = probe_supervisor_lock(dir / "supervise.pid");
  EXPECT_FALSE(probe.held);
  EXPECT_FALSE(probe.pid);
  EXPECT_EQ(probe.error, "");
  EXPECT_TRUE(std::filesystem::exists(dir / "supervise.pid"));
  // The probe's own shared lock is gone: an exclusive lock can be taken.
  const int fd = ::open(dir.path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(::flock(fd, LOCK_EX | LOCK_NB), 0);
  ::close(fd);
}

TEST(ProbeSupervisorLock, HeldLockNamesItsHolder) {
  TempDir dir;
  std::ofstream(dir / "supervise.pid") << "4242\n";
  HeldLock lock(dir.path());
  const SupervisorLockProbe probe = probe_supervisor_lock(dir / "supervise.pid");
  EXPECT_TRUE(probe.held);
  EXPECT_EQ(probe.pid, 4242);
}

TEST(ProbeSupervisorLock, HeldLockWhosePidFileWasDeletedIsStillHeld) {
  TempDir dir;
  HeldLock lock(dir.path());
  const SupervisorLockProbe probe = probe_supervisor_lock(dir / "supervise.pid");
  EXPECT_TRUE(probe.held);
  EXPECT_FALSE(probe.pid);
}

TEST(ProbeSupervisorLock, ASymlinkedPidFileNamesNoHolder) {
  TempDir dir;
  std::ofstream(dir / "elsewhere") << "4242\n";
  std::filesystem::create_symlink(dir / "elsewhere", dir / "supervise.pid");
  HeldLock lock(dir.path());
  const SupervisorLockProbe probe = probe_supervisor_lock(dir / "supervise.pid");
  EXPECT_TRUE(probe.held);
  EXPECT_FALSE(probe.pid) << "never followed";
}

}  // namespace
}  // namespace supervise::legacy
