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

TEST(ProbeSupervisorLock, MissingFileIsNotHeldAndIsNotCreated) {
  TempDir dir;
  const SupervisorLockProbe probe = probe_supervisor_lock(dir / "supervise.pid");
  EXPECT_FALSE(probe.held);
  EXPECT_EQ(probe.error, "");
  EXPECT_FALSE(std::filesystem::exists(dir / "supervise.pid"));
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
  const int fd = ::open((dir / "supervise.pid").c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(::flock(fd, LOCK_EX | LOCK_NB), 0);
  ::close(fd);
}

TEST(ProbeSupervisorLock, HeldLockNamesItsHolder) {
  TempDir dir;
  std::ofstream(dir / "supervise.pid") << "4242\n";
  const int fd = ::open((dir / "supervise.pid").c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX | LOCK_NB), 0);
  const SupervisorLockProbe probe = probe_supervisor_lock(dir / "supervise.pid");
  EXPECT_TRUE(probe.held);
  EXPECT_EQ(probe.pid, 4242);
  ::close(fd);
}

TEST(ProbeSupervisorLock, HeldLockWhoseFileNamesNoPidYetIsStillHeld) {
  TempDir dir;
  const int fd = ::open((dir / "supervise.pid").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX | LOCK_NB), 0);
  const SupervisorLockProbe probe = probe_supervisor_lock(dir / "supervise.pid");
  EXPECT_TRUE(probe.held);
  EXPECT_FALSE(probe.pid);
  ::close(fd);
}

TEST(ProbeSupervisorLock, SymlinkIsAnErrorNotAnAnswer) {
  TempDir dir;
  std::ofstream(dir / "elsewhere") << "1\n";
  std::filesystem::create_symlink(dir / "elsewhere", dir / "supervise.pid");
  const SupervisorLockProbe probe = probe_supervisor_lock(dir / "supervise.pid");
  EXPECT_FALSE(probe.held);
  EXPECT_NE(probe.error, "");
}

}  // namespace
}  // namespace supervise::legacy
