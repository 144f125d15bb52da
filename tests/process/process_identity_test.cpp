#include "supervisor/process/process_identity.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include "supervisor/process/proc_reader.hpp"
#include "tests/support/spawned_process.hpp"

namespace supervise::process {
namespace {

using supervise::testing::SpawnedProcess;

TEST(VerifyProcess, KnownStartTimeIsVerifiedAndAnyOtherIsRecycled) {
  SpawnedProcess sleeper({"/bin/sleep", "600"});
  const auto info = read_process(sleeper.pid());
  ASSERT_TRUE(info);
  EXPECT_EQ(verify_process(sleeper.pid(), info->stat.start_ticks), WorkerVerdict::verified);
  EXPECT_EQ(verify_process(sleeper.pid(), info->stat.start_ticks + 1), WorkerVerdict::recycled);
  EXPECT_EQ(verify_process(0, info->stat.start_ticks), WorkerVerdict::invalid_pid);
}

TEST(VerifyProcess, EndedProcessIsNoSuchProcessOnceReaped) {
  SpawnedProcess quick({"/bin/true"});
  const auto info = read_process(quick.pid());
  ASSERT_TRUE(quick.wait());
  if (info) {
    EXPECT_EQ(verify_process(quick.pid(), info->stat.start_ticks), WorkerVerdict::no_such_process);
  }
}

}  // namespace
}  // namespace supervise::process
