#include "supervisor/legacy/restart_counts.hpp"

#include <gtest/gtest.h>

#include "supervisor/journal/journal.hpp"
#include "tests/support/temp_dir.hpp"

namespace supervise::legacy {
namespace {

using supervise::testing::TempDir;

TEST(InMemoryRestartCounts, CountsPerInitiativeAndStream) {
  InMemoryRestartCounts counts;
  EXPECT_EQ(counts.count("init-1", "Stream-A"), 0);
  EXPECT_EQ(counts.add_restart("init-1", "Stream-A"), 1);
  EXPECT_EQ(counts.add_restart("init-1", "Stream-A"), 2);
  EXPECT_EQ(counts.count("init-1", "Stream-A"), 2);
  EXPECT_EQ(counts.count("init-1", "Stream-B"), 0);
  EXPECT_EQ(counts.count("init-2", "Stream-A"), 0);
}

TEST(JournalRestartCounts, CountsSurviveReopeningTheJournal) {
  TempDir dir;
  {
    auto opened = journal::Journal::open(dir / "supervise.db");
    ASSERT_TRUE(opened.journal) << opened.error;
    JournalRestartCounts counts(*opened.journal);
    EXPECT_EQ(counts.count("init-1", "Stream-A"), 0);
    EXPECT_EQ(counts.add_restart("init-1", "Stream-A"), 1);
  }
  auto opened = journal::Journal::open(dir / "supervise.db");
  ASSERT_TRUE(opened.journal) << opened.error;
  JournalRestartCounts counts(*opened.journal);
  EXPECT_EQ(counts.count("init-1", "Stream-A"), 1);
  EXPECT_EQ(counts.add_restart("init-1", "Stream-A"), 2);
  EXPECT_EQ(counts.count("init-2", "Stream-A"), 0);
  EXPECT_EQ(opened.journal->histories("init-1").at("Stream-A").restarts, 2);
  const auto entries = opened.journal->recent("Stream-A", 10);
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].kind, journal::EntryKind::restart);
  EXPECT_EQ(entries[0].reason, "monitor");
}

TEST(JournalRestartCounts, KeepsTheFailedMarkOfTheSupervisor) {
  TempDir dir;
  auto opened = journal::Journal::open(dir / "supervise.db");
  ASSERT_TRUE(opened.journal) << opened.error;
  opened.journal->set_history("init-1", "Stream-A", {.restarts = 3, .failed = true});
  JournalRestartCounts counts(*opened.journal);
  EXPECT_EQ(counts.count("init-1", "Stream-A"), 3);
  EXPECT_EQ(counts.add_restart("init-1", "Stream-A"), 4);
  EXPECT_TRUE(opened.journal->histories("init-1").at("Stream-A").failed);
}

}  // namespace
}  // namespace supervise::legacy
