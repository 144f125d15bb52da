#include "supervisor/legacy/shim_banner.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/support/temp_dir.hpp"

namespace supervise::legacy {
namespace {

using supervise::testing::TempDir;
using namespace std::chrono_literals;

TEST(ParseBannerTime, ReadsDateIsoSecondsWithAnyZone) {
  const auto utc = WallClock::from_time_t(1'768'300'200);  // 2026-01-13T10:30:00Z
  EXPECT_EQ(parse_banner_time("2026-01-13T10:30:00Z"), utc);
  EXPECT_EQ(parse_banner_time("2026-01-13T10:30:00+00:00"), utc);
  EXPECT_EQ(parse_banner_time("2026-01-13T11:30:00+01:00"), utc);
  EXPECT_EQ(parse_banner_time("2026-01-13T05:00:00-05:30"), utc);
  EXPECT_FALSE(parse_banner_time("Tue Jan 13 10:30:00 UTC 2026"));
  EXPECT_FALSE(parse_banner_time("2026-01-13T10:30:00"));
  EXPECT_FALSE(parse_banner_time("2026-13-13T10:30:00Z"));
  EXPECT_FALSE(parse_banner_time(""));
}

TEST(ParseBannerTime, RefusesSignsWhereDigitsBelong) {
  // from_chars alone reads `-1` as a number: an hour of -1 became 23:00 of
  // the day before.
  EXPECT_FALSE(parse_banner_time("2026-01-13T-1:30:00Z"));
  EXPECT_FALSE(parse_banner_time("2026-01-13T10:-5:00Z"));
  EXPECT_FALSE(parse_banner_time("2026-01-13T10:30:00+-1:00"));
  EXPECT_FALSE(parse_banner_time("+026-01-13T10:30:00Z"));
}

TEST(ParseBannerTime, RefusesYearsATimePointCannotHoldAndZonesBeyondADay) {
  // Found by fuzz_exit_banner: year 9999 overflowed the nanosecond count.
  EXPECT_FALSE(parse_banner_time("9999-12-31T23:59:59Z"));
  EXPECT_FALSE(parse_banner_time("0000-01-01T00:00:00Z"));
  EXPECT_FALSE(parse_banner_time("2026-01-13T10:30:00-99:99"));
  EXPECT_TRUE(parse_banner_time("2200-12-31T23:59:59+23:59"));
  EXPECT_TRUE(parse_banner_time("1970-01-01T00:00:00Z"));
}

TEST(FindShimRunInText, ReadsTheLastRunOfALogHeldInMemory) {
  const std::string log =
      "Worker started: 2026-01-13T10:00:00Z\nPID: 1234\n"
      "Worker exited: 2026-01-13T10:05:00Z\nExit code: 7\n"
      "Worker started: 2026-01-13T11:00:00Z\nPID: 5678\n";
  const auto last = find_shim_run_in_text(log);
  ASSERT_TRUE(last);
  EXPECT_EQ(last->pid, 5678);
  EXPECT_FALSE(last->exited);
  const auto first = find_shim_run_in_text(log, 1234);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->exit_code, 7);
}

TEST(FindShimRun, PairsEachExitBannerWithTheStartBannerBeforeIt) {
  TempDir dir;
  std::ofstream(dir / "log") << "========================================\n"
                                "Worker started: 2026-01-13T10:00:00Z\nStream: Stream-A\n"
                                "Initiative: x\nPID: 1234\nWork dir: /w\n"
                                "agent output\nWorker exited: not a banner line of 1234 yet\n"
                                "========================================\n"
                                "Worker exited: 2026-01-13T10:05:00Z\nStream: Stream-A\n"
                                "Exit code: 143\n========================================\n"
                                "Worker started: 2026-01-13T11:00:00Z\nStream: Stream-A\n"
                                "Initiative: x\nPID: 5678\nWork dir: /w\n"
                                "agent says PID: 999\n";
  const auto first = find_shim_run(dir / "log", 1234);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->started, parse_banner_time("2026-01-13T10:00:00Z"));
  EXPECT_TRUE(first->exited);
  // The first "Worker exited:" line inside the agent output did not parse,
  // and a run ends once: its time stays unknown.
  EXPECT_FALSE(first->ended);

  const auto last = find_shim_run(dir / "log");
  ASSERT_TRUE(last);
  EXPECT_EQ(last->pid, 5678);
  EXPECT_EQ(last->started, parse_banner_time("2026-01-13T11:00:00Z"));
  EXPECT_FALSE(last->exited);
  EXPECT_FALSE(find_shim_run(dir / "log", 999));
  EXPECT_FALSE(find_shim_run(dir / "missing"));
}

TEST(FindShimRun, ReadsTheExitCodeOfACleanExit) {
  TempDir dir;
  std::ofstream(dir / "log") << "Worker started: 2026-01-13T10:00:00+00:00\nPID: 42\n"
                                "Worker exited: 2026-01-13T10:00:07+00:00\nStream: S\n"
                                "Exit code: 0\n";
  const auto run = find_shim_run(dir / "log", 42);
  ASSERT_TRUE(run);
  EXPECT_EQ(run->ended, *run->started + 7s);
  EXPECT_EQ(run->exit_code, 0);
}

}  // namespace
}  // namespace supervise::legacy
