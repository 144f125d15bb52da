#include "supervisor/runtime/exit_banner.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <optional>
#include <string>

#include "tests/support/temp_dir.hpp"

namespace supervise::runtime {
namespace {

std::string start_banner(int pid) {
  return "========================================\n"
         "Worker started: 2026-01-13T10:30:30+00:00\n"
         "Stream: Stream-A\n"
         "Initiative: init-1\n"
         "PID: " +
         std::to_string(pid) +
         "\n"
         "Work dir: /w\n"
         "Log file: /l\n"
         "========================================\n";
}

std::string exit_banner(int code) {
  return "========================================\n"
         "Worker exited: 2026-01-13T10:31:30+00:00\n"
         "Stream: Stream-A\n"
         "Exit code: " +
         std::to_string(code) +
         "\n"
         "========================================\n";
}

class ExitBannerTest : public ::testing::Test {
 protected:
  /// The exit code exit_status_from_log finds in a log holding `content`.
  std::optional<int> code_in(const std::string& content, int pid) {
    const auto path = dir_.path() / "worker.log";
    std::ofstream(path, std::ios::trunc) << content;
    const auto status = exit_status_from_log(path, pid);
    return status.code;
  }

  supervise::testing::TempDir dir_;
};

TEST_F(ExitBannerTest, AStartBannerRotatedIntoTheOlderFileStillCounts) {
  std::ofstream(dir_.path() / "worker.log.1") << start_banner(300) << "agent output\n";
  EXPECT_EQ(code_in("more output\n" + exit_banner(143), 300), 143);
  EXPECT_EQ(code_in("more output\n" + exit_banner(143), 301), std::nullopt)
      << "the older file's last run is another shim's";
  EXPECT_EQ(code_in(start_banner(400) + exit_banner(2), 300), std::nullopt)
      << "another shim started after it in the current file";
  EXPECT_EQ(code_in("still running, no exit banner\n", 300), std::nullopt);
}

TEST_F(ExitBannerTest, TheExitCodeAfterTheShimsStartBannerIsRead) {
  const auto log = start_banner(100) + "agent output\n" + exit_banner(143);
  EXPECT_EQ(code_in(log, 100), 143);
}

TEST_F(ExitBannerTest, TheLastStartBannerWithThePidCountsNotAnEarlierRun) {
  const auto log = start_banner(100) + exit_banner(0) + start_banner(200) + exit_banner(1) +
                   start_banner(100) + exit_banner(143);
  EXPECT_EQ(code_in(log, 100), 143);
  EXPECT_EQ(code_in(log, 200), 1) << "each exit banner belongs to the start banner before it";
}

TEST_F(ExitBannerTest, NoExitBannerYetOrAnotherShimStartedInBetweenIsUnknown) {
  EXPECT_EQ(code_in(start_banner(100) + "output\n", 100), std::nullopt);
  EXPECT_EQ(code_in(start_banner(100) + start_banner(200) + exit_banner(0), 100), std::nullopt);
  EXPECT_EQ(code_in(start_banner(1000) + exit_banner(0), 100), std::nullopt);
}

TEST_F(ExitBannerTest, TheFirstOfTwoExitBannersCounts) {
  // The old shim wrote a second exit banner when its agent finally ended.
  const auto log = start_banner(100) + exit_banner(143) + exit_banner(0);
  EXPECT_EQ(code_in(log, 100), 143);
}

TEST_F(ExitBannerTest, AgentOutputThatLooksLikeAFieldFarFromABannerIsIgnored) {
  std::string log = start_banner(100) + exit_banner(143);
  log = "Worker exited: x\n" + std::string(20, '\n') + "Exit code: 7\n" + log;
  EXPECT_EQ(code_in(log, 100), 143);
  EXPECT_EQ(code_in(start_banner(100) + "Exit code: 9\n", 100), std::nullopt);
}

TEST_F(ExitBannerTest, AnUnreadableOrUnmatchedLogGivesAnUnknownStatus) {
  EXPECT_TRUE(exit_status_from_log(dir_.path() / "missing.log", 100).is_unknown());
  std::ofstream(dir_.path() / "w.log") << start_banner(100) << exit_banner(143);
  EXPECT_EQ(exit_status_from_log(dir_.path() / "w.log", 100), core::ExitStatus::exited(143));
  EXPECT_TRUE(exit_status_from_log(dir_.path() / "w.log", 101).is_unknown());
}

}  // namespace
}  // namespace supervise::runtime
