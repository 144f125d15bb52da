#include "supervisor/journal/journal.hpp"

#include <SQLiteCpp/Database.h>
#include <gtest/gtest.h>

#include <fstream>
#include <regex>

#include "tests/support/temp_dir.hpp"

namespace supervise::journal {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> set_aside_files(const fs::path& dir) {
  std::vector<fs::path> found;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().filename().string().find(".bad-") != std::string::npos &&
        entry.path().extension() != ".db-wal") {
      found.push_back(entry.path());
    }
  }
  return found;
}

TEST(Journal, RestartCountsAndFailedMarksSurviveReopening) {
  testing::TempDir dir;
  const fs::path path = dir / "supervise.db";
  {
    auto opened = Journal::open(path);
    ASSERT_TRUE(opened.journal) << opened.error;
    opened.journal->set_history("init-1", "Stream-A", {2, true});
    opened.journal->set_history("init-1", "Stream-B", {1, false});
    opened.journal->set_history("init-2", "Stream-A", {5, false});
  }
  auto reopened = Journal::open(path);
  ASSERT_TRUE(reopened.journal) << reopened.error;
  EXPECT_TRUE(reopened.notices.empty());
  const auto histories = reopened.journal->histories("init-1");
  ASSERT_EQ(histories.size(), 2u);
  EXPECT_EQ(histories.at("Stream-A"), (ChildHistory{2, true}));
  EXPECT_EQ(histories.at("Stream-B"), (ChildHistory{1, false}));
}

TEST(Journal, SetHistoryOverwritesAndForgetClears) {
  testing::TempDir dir;
  auto opened = Journal::open(dir / "supervise.db");
  ASSERT_TRUE(opened.journal);
  opened.journal->set_history("i", "A", {1, false});
  opened.journal->set_history("i", "A", {2, true});
  EXPECT_EQ(opened.journal->histories("i").at("A"), (ChildHistory{2, true}));
  opened.journal->forget("i", "A");
  EXPECT_TRUE(opened.journal->histories("i").empty());
}

TEST(Journal, RecordsEntriesNewestFirstWithEveryField) {
  testing::TempDir dir;
  auto opened = Journal::open(dir / "supervise.db");
  ASSERT_TRUE(opened.journal);
  Entry exit;
  exit.initiative = "i";
  exit.child = "A";
  exit.kind = EntryKind::exit;
  exit.pid = 1234;
  exit.signal = 9;
  exit.uptime_ms = 1500;
  exit.reason = "crashed";
  opened.journal->record(exit);
  Entry other;
  other.initiative = "i";
  other.child = "B";
  other.kind = EntryKind::start;
  opened.journal->record(other);
  Entry restart = exit;
  restart.kind = EntryKind::restart;
  restart.signal.reset();
  opened.journal->record(restart);

  const auto entries = opened.journal->recent("A", 10);
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].kind, EntryKind::restart);
  EXPECT_FALSE(entries[0].signal);
  EXPECT_EQ(entries[1].kind, EntryKind::exit);
  EXPECT_EQ(entries[1].pid, 1234);
  EXPECT_EQ(entries[1].signal, 9);
  EXPECT_EQ(entries[1].uptime_ms, 1500);
  EXPECT_EQ(entries[1].reason, "crashed");
  EXPECT_TRUE(
      std::regex_match(entries[1].at, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6})")));
  EXPECT_EQ(opened.journal->recent("", 10).size(), 3u);
}

TEST(Journal, AFileThatIsNotADatabaseIsSetAsideNotReused) {
  testing::TempDir dir;
  const fs::path path = dir / "supervise.db";
  std::ofstream(path) << "this is not sqlite, it is garbage that is long enough to matter\n";
  auto opened = Journal::open(path);
  ASSERT_TRUE(opened.journal) << opened.error;
  ASSERT_EQ(opened.notices.size(), 1u);
  EXPECT_NE(opened.notices[0].find("set aside"), std::string::npos);
  ASSERT_EQ(set_aside_files(dir.path()).size(), 1u);
  EXPECT_TRUE(opened.journal->histories("i").empty());
}

TEST(Journal, AJournalOfAnotherSchemaVersionIsSetAside) {
  testing::TempDir dir;
  const fs::path path = dir / "supervise.db";
  {
    SQLite::Database db(path.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec("CREATE TABLE entries (x); PRAGMA user_version = 99");
  }
  std::string why;
  EXPECT_FALSE(Journal::open_read_only(path, why));
  EXPECT_NE(why.find("99"), std::string::npos);

  auto opened = Journal::open(path);
  ASSERT_TRUE(opened.journal) << opened.error;
  EXPECT_EQ(opened.notices.size(), 1u);
  EXPECT_EQ(set_aside_files(dir.path()).size(), 1u);
}

TEST(Journal, ReadOnlyOpenOfAMissingJournalSaysSo) {
  testing::TempDir dir;
  std::string why;
  EXPECT_FALSE(Journal::open_read_only(dir / "supervise.db", why));
  EXPECT_NE(why.find("no journal"), std::string::npos);
}

TEST(Journal, ReadOnlyOpenSeesWhatTheWriterWrote) {
  testing::TempDir dir;
  auto opened = Journal::open(dir / "supervise.db");
  ASSERT_TRUE(opened.journal);
  opened.journal->set_history("i", "A", {1, true});
  std::string why;
  auto reader = Journal::open_read_only(dir / "supervise.db", why);
  ASSERT_TRUE(reader) << why;
  EXPECT_EQ(reader->histories("i").at("A"), (ChildHistory{1, true}));
}

TEST(Journal, ABusyJournalIsNotSetAsideButOpenedWithoutLosingIt) {
  testing::TempDir dir;
  const fs::path path = dir / "supervise.db";
  {
    auto first = Journal::open(path);
    ASSERT_TRUE(first.journal);
    first.journal->set_history("i", "A", {2, true});
  }
  // Another process holds the database exclusively (a writer stuck mid
  // transaction): our check cannot read it, which says nothing about damage.
  auto holder = std::make_unique<SQLite::Database>(path.string(), SQLite::OPEN_READWRITE);
  holder->exec("PRAGMA locking_mode = EXCLUSIVE");
  holder->exec("BEGIN EXCLUSIVE");
  holder->exec("UPDATE child_history SET restarts = restarts");

  auto busy = Journal::open(path, std::chrono::milliseconds(50));
  EXPECT_FALSE(busy.journal);
  EXPECT_NE(busy.error.find(path.string()), std::string::npos) << busy.error;
  EXPECT_TRUE(set_aside_files(dir.path()).empty());

  holder.reset();  // the writer goes away
  auto later = Journal::open(path);
  ASSERT_TRUE(later.journal) << later.error;
  EXPECT_EQ(later.journal->histories("i").at("A"), (ChildHistory{2, true}));
}

TEST(LocalIsoTime, HasMicrosecondsAndNoZone) {
  const auto time =
      std::chrono::system_clock::from_time_t(1'700'000'000) + std::chrono::microseconds(4'567);
  const std::string text = local_iso_time(time);
  EXPECT_TRUE(std::regex_match(text, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.004567)")))
      << text;
}

}  // namespace
}  // namespace supervise::journal
