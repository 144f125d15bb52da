#include "supervisor/journal/failure_log.hpp"

#include <gtest/gtest.h>

namespace supervise::journal {
namespace {

using namespace std::chrono_literals;
using Time = FailureLog::Clock::time_point;

TEST(FailureLog, ReportsTheFirstFailureAndCountsRepeatsSilently) {
  FailureLog log("journal: writing x.db", 60s);
  const auto first = log.failed("database is locked", Time(0s));
  ASSERT_TRUE(first);
  EXPECT_NE(first->find("journal: writing x.db"), std::string::npos);
  EXPECT_NE(first->find("database is locked"), std::string::npos);
  for (int i = 1; i < 100; ++i) {
    EXPECT_FALSE(log.failed("database is locked", Time(std::chrono::milliseconds(i * 100))));
  }
  EXPECT_EQ(log.failures(), 100u);
}

TEST(FailureLog, SummarisesALongRunOncePerPeriod) {
  FailureLog log("w", 60s);
  ASSERT_TRUE(log.failed("locked", Time(0s)));
  EXPECT_FALSE(log.failed("locked", Time(30s)));
  EXPECT_FALSE(log.failed("locked", Time(59s)));
  const auto summary = log.failed("locked", Time(60s));
  ASSERT_TRUE(summary);
  EXPECT_NE(summary->find("3 more failures"), std::string::npos) << *summary;
  EXPECT_FALSE(log.failed("locked", Time(61s)));
  const auto next = log.failed("locked", Time(121s));
  ASSERT_TRUE(next);
  EXPECT_NE(next->find("2 more failures"), std::string::npos) << *next;
}

TEST(FailureLog, SaysOnceWhenItWorksAgainAndStartsOver) {
  FailureLog log("w", 60s);
  EXPECT_FALSE(log.succeeded(Time(0s)));  // nothing failed: nothing to say
  log.failed("locked", Time(1s));
  log.failed("locked", Time(2s));
  const auto recovered = log.succeeded(Time(3s));
  ASSERT_TRUE(recovered);
  EXPECT_NE(recovered->find("2 failed attempts"), std::string::npos) << *recovered;
  EXPECT_FALSE(log.failing());
  EXPECT_FALSE(log.succeeded(Time(4s)));
  EXPECT_TRUE(log.failed("full", Time(5s)));  // a new run is reported again
}

}  // namespace
}  // namespace supervise::journal
