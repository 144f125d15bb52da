#include "supervisor/core/exit_status.hpp"

#include <gtest/gtest.h>

namespace supervise::core {
namespace {

TEST(ExitStatus, DiedOfSignalReadsTheSignalAndTheShimsCode) {
  EXPECT_EQ(ExitStatus::killed(9).died_of_signal(), 9);
  EXPECT_EQ(ExitStatus::exited(137).died_of_signal(), 9);
  EXPECT_EQ(ExitStatus::exited(143).died_of_signal(), 15);
  EXPECT_EQ(ExitStatus::exited(129).died_of_signal(), 1);
  EXPECT_EQ(ExitStatus::exited(192).died_of_signal(), 64);
}

TEST(ExitStatus, OrdinaryCodesAreNotSignals) {
  EXPECT_EQ(ExitStatus::exited(0).died_of_signal(), std::nullopt);
  EXPECT_EQ(ExitStatus::exited(1).died_of_signal(), std::nullopt);
  EXPECT_EQ(ExitStatus::exited(128).died_of_signal(), std::nullopt);
  EXPECT_EQ(ExitStatus::exited(193).died_of_signal(), std::nullopt);
  EXPECT_EQ(ExitStatus::exited(255).died_of_signal(), std::nullopt);
  EXPECT_EQ(ExitStatus::unknown().died_of_signal(), std::nullopt);
}

TEST(ExitStatus, DescribeNamesTheSignal) {
  EXPECT_EQ(ExitStatus::exited(0).describe(), "exit 0");
  EXPECT_EQ(ExitStatus::killed(9).describe(), "signal 9 (SIGKILL)");
  EXPECT_EQ(ExitStatus::exited(137).describe(), "exit 137 (SIGKILL)");
  EXPECT_EQ(ExitStatus::exited(143).describe(), "exit 143 (SIGTERM)");
  EXPECT_EQ(ExitStatus::killed(40).describe(), "signal 40 (SIG40)");
  EXPECT_EQ(ExitStatus::unknown().describe(), "unknown");
  EXPECT_TRUE(ExitStatus::unknown().is_unknown());
}

}  // namespace
}  // namespace supervise::core
