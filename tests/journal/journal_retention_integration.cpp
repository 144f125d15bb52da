// Journal retention against real SQLite files: prune() deletes exactly the
// rows older than the cutoff, in short transactions; the writer prunes at
// start and as rows come in, on its own thread, and the table stays bounded.

#include <SQLiteCpp/Database.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "supervisor/journal/journal_writer.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/wait_for.hpp"

namespace supervise::journal {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using SystemClock = std::chrono::system_clock;
using supervise::testing::TempDir;
using supervise::testing::wait_for;

Entry entry_at(SystemClock::time_point when, const std::string& detail) {
  Entry entry;
  entry.at = local_iso_time(when);
  entry.initiative = "init-1";
  entry.child = "Stream-A";
  entry.kind = EntryKind::exit;
  entry.detail = detail;
  return entry;
}

std::size_t count_rows(const fs::path& path) {
  SQLite::Database db(path.string(), SQLite::OPEN_READONLY);
  return static_cast<std::size_t>(db.execAndGet("SELECT count(*) FROM entries").getInt64());
}

TEST(JournalRetention, PruneDeletesExactlyTheOlderRowsAndKeepsHistories) {
  TempDir dir;
  auto opened = Journal::open(dir / "supervise.db");
  ASSERT_TRUE(opened.journal) << opened.error;
  Journal& journal = *opened.journal;
  const auto now = SystemClock::now();
  journal.write_transaction([&] {
    for (int i = 0; i < 23; ++i) {
      journal.record(entry_at(now - 3h + std::chrono::minutes(i), "old " + std::to_string(i)));
    }
    for (int i = 0; i < 5; ++i) {
      journal.record(entry_at(now - 30min + std::chrono::minutes(i), "new " + std::to_string(i)));
    }
  });
  journal.set_history("init-1", "Stream-A", {7, true});

  EXPECT_EQ(journal.prune(now - 1h, /*chunk=*/4), 23u);
  EXPECT_EQ(journal.entry_count(), 5u);
  const auto kept = journal.recent("", 10);
  ASSERT_EQ(kept.size(), 5u);
  EXPECT_EQ(kept.back().detail, "new 0");
  EXPECT_EQ(kept.front().detail, "new 4");
  EXPECT_EQ(journal.histories("init-1").at("Stream-A"), (ChildHistory{7, true}));

  EXPECT_EQ(journal.prune(now - 1h), 0u) << "nothing more to delete";
  EXPECT_EQ(journal.prune(now + 1h), 5u) << "a cutoff after every row deletes them all";
  EXPECT_EQ(journal.entry_count(), 0u);
}

TEST(JournalRetention, TheWriterPrunesWhenItStarts) {
  TempDir dir;
  const auto path = dir / "supervise.db";
  {
    auto opened = Journal::open(path);
    ASSERT_TRUE(opened.journal) << opened.error;
    for (int i = 0; i < 10; ++i) {
      opened.journal->record(entry_at(SystemClock::now() - 48h, "old"));
    }
    opened.journal->record(entry_at(SystemClock::now(), "new"));
  }
  JournalWriterOptions options;
  options.keep = 24h;
  JournalWriter writer(path, options);
  ASSERT_TRUE(wait_for([&] { return writer.stats().prunes >= 1; }, 10s));
  EXPECT_EQ(writer.stats().entries_pruned, 10u);
  EXPECT_EQ(count_rows(path), 1u);
}

TEST(JournalRetention, WithoutKeepNothingIsPruned) {
  TempDir dir;
  const auto path = dir / "supervise.db";
  JournalWriter writer(path);
  writer.record(entry_at(SystemClock::now() - 400 * 24h, "ancient"));
  ASSERT_TRUE(writer.flush(5s));
  EXPECT_EQ(writer.stats().prunes, 0u);
  EXPECT_EQ(count_rows(path), 1u);
}

TEST(JournalRetention, ASteadyStreamOfRowsStaysBounded) {
  TempDir dir;
  const auto path = dir / "supervise.db";
  JournalWriterOptions options;
  options.keep = 1h;
  options.prune_after_entries = 100;
  JournalWriter writer(path, options);
  // Rows that are already past `keep` as they are written: without pruning
  // all 3000 would stay.
  std::size_t most = 0;
  for (int i = 0; i < 3000; ++i) {
    writer.record(entry_at(SystemClock::now() - 2h, "row " + std::to_string(i)));
    if (i % 500 == 499) {
      ASSERT_TRUE(writer.flush(10s));
      most = std::max(most, count_rows(path));
    }
  }
  ASSERT_TRUE(writer.flush(10s));
  ASSERT_TRUE(wait_for([&] { return writer.stats().entries_pruned >= 2900; }, 10s))
      << writer.stats().entries_pruned;
  // A pass runs after every 100 rows written: a batch more at most.
  EXPECT_LE(most, 100u + JournalWriterOptions{}.max_batch) << most;
  EXPECT_LE(count_rows(path), 600u);
  EXPECT_EQ(writer.stats().entries_written, 3000u);
}

}  // namespace
}  // namespace supervise::journal
