#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstddef>
#include <cstring>

#include "supervisor/process/vfork_clone.hpp"

namespace supervise::process {
namespace {

/// What the child writes into our memory before it exits.
struct Shared {
  int child_pid = 0;
};

int write_and_exit(void* argument) {
  static_cast<Shared*>(argument)->child_pid = static_cast<int>(::getpid());
  ::_exit(7);
}

int exit_status_of(int pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Both ways in share our memory and hold us until the child has ended:
// what it wrote is there when the call returns.
TEST(VforkClone, TheCWrapperRunsTheChildInOurMemoryAndReturnsAfterIt) {
  alignas(16) std::array<std::byte, 64 * 1024> stack;
  Shared shared;
  const auto child = clone_vfork(write_and_exit, &shared, stack);
  ASSERT_GT(child.pid, 0) << std::strerror(child.error);
  EXPECT_EQ(shared.child_pid, child.pid);
  EXPECT_FALSE(child.pidfd.valid());
  EXPECT_EQ(exit_status_of(child.pid), 7);
}

TEST(VforkClone, Clone3RunsTheChildInOurMemoryAndHandsBackItsPidfd) {
  alignas(16) std::array<std::byte, 64 * 1024> stack;
  Shared shared;
  auto child = clone3_vfork(write_and_exit, &shared, stack, -1);
#if defined(__x86_64__)
  ASSERT_TRUE(child.has_value()) << "clone3 (Linux 5.3) refused";
  ASSERT_GT(child->pid, 0);
  EXPECT_EQ(shared.child_pid, child->pid);
  EXPECT_TRUE(child->pidfd.valid());
  EXPECT_EQ(exit_status_of(child->pid), 7);
#else
  EXPECT_FALSE(child.has_value()) << "only x86-64 has the clone3 path";
#endif
}

}  // namespace
}  // namespace supervise::process
