// The journal writer against real SQLite files: another connection holding
// the write lock, a directory that is not there yet, a file removed under
// the writer, a queue that overflows, shutdown while locked.

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "supervisor/journal/journal_writer.hpp"
#include "tests/support/captured_log.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/wait_for.hpp"

namespace supervise::journal {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

/// Options that retry quickly, so tests that wait for failed attempts are fast.
JournalWriterOptions quick_retries() {
  JournalWriterOptions options;
  options.busy_timeout = 20ms;
  options.initial_backoff = 10ms;
  options.max_backoff = 20ms;
  options.flush_retry = 10ms;
  return options;
}

Entry entry(const std::string& detail, const std::string& child = "Stream-A") {
  Entry result;
  result.initiative = "init-1";
  result.child = child;
  result.kind = EntryKind::exit;
  result.detail = detail;
  return result;
}

struct Row {
  std::string kind;
  std::string detail;
};

/// Every row of `entries`, in insertion order, read through a connection of
/// its own.
std::vector<Row> rows(const fs::path& path) {
  SQLite::Database db(path.string(), SQLite::OPEN_READONLY);
  SQLite::Statement query(db, "SELECT kind, detail FROM entries ORDER BY id");
  std::vector<Row> result;
  while (query.executeStep()) {
    result.push_back({query.getColumn(0).getString(), query.getColumn(1).getString()});
  }
  return result;
}

std::vector<std::string> details(const std::vector<Row>& rows) {
  std::vector<std::string> result;
  for (const auto& row : rows) {
    result.push_back(row.detail);
  }
  return result;
}

std::vector<std::string> numbered(int from, int to) {
  std::vector<std::string> result;
  for (int i = from; i < to; ++i) {
    result.push_back(std::to_string(i));
  }
  return result;
}

std::map<std::string, ChildHistory> histories(const fs::path& path) {
  std::string why;
  auto journal = Journal::open_read_only(path, why);
  EXPECT_TRUE(journal) << why;
  return journal ? journal->histories("init-1") : std::map<std::string, ChildHistory>{};
}

/// Another connection holding the journal's write lock, as the legacy
/// monitor does while it writes.
class WriteLock {
 public:
  explicit WriteLock(const fs::path& path) : db_(path.string(), SQLite::OPEN_READWRITE, 5000) {
    db_.exec("BEGIN EXCLUSIVE");
  }
  void release() {
    if (held_) {
      db_.exec("COMMIT");
      held_ = false;
    }
  }
  ~WriteLock() { release(); }

 private:
  SQLite::Database db_;
  bool held_ = true;
};

/// A journal file that exists, so that a lock can be taken on it.
fs::path created_journal(const testing::TempDir& dir) {
  const auto path = dir / "supervise.db";
  auto opened = Journal::open(path);
  EXPECT_TRUE(opened.journal) << opened.error;
  return path;
}

TEST(JournalWriter, WritesEntriesInTheOrderTheyWereRecorded) {
  testing::TempDir dir;
  const auto path = dir / "supervise.db";
  JournalWriter writer(path);
  for (int i = 0; i < 500; ++i) {
    writer.record(entry(std::to_string(i), i % 2 == 0 ? "Stream-A" : "Stream-B"));
  }
  ASSERT_TRUE(writer.flush(10s));
  EXPECT_EQ(details(rows(path)), numbered(0, 500));
  EXPECT_EQ(writer.stats().entries_written, 500u);
  EXPECT_EQ(writer.stats().failed_attempts, 0u);
}

TEST(JournalWriter, TakesOverAnOpenJournalAndWritesTheLatestHistoryOfEachChild) {
  testing::TempDir dir;
  auto opened = Journal::open(dir / "supervise.db");
  ASSERT_TRUE(opened.journal) << opened.error;
  opened.journal->set_history("init-1", "Stream-C", {4, false});
  const auto path = opened.journal->path();
  JournalWriter writer(std::move(opened.journal));
  writer.set_history("init-1", "Stream-A", {1, false});
  writer.set_history("init-1", "Stream-B", {1, false});
  writer.set_history("init-1", "Stream-A", {2, true});
  writer.forget("init-1", "Stream-B");
  writer.forget("init-1", "Stream-C");
  ASSERT_TRUE(writer.flush(10s));
  EXPECT_EQ(histories(path), (std::map<std::string, ChildHistory>{{"Stream-A", {2, true}}}));
}

TEST(JournalWriter, RecordReturnsAtOnceWhileAnotherConnectionHoldsTheLock) {
  testing::TempDir dir;
  const auto path = created_journal(dir);
  JournalWriterOptions options;
  options.busy_timeout = 2s;  // a synchronous write would wait this long
  JournalWriter writer(path, options);
  WriteLock lock(path);

  const auto start = Clock::now();
  for (int i = 0; i < 1000; ++i) {
    writer.record(entry(std::to_string(i)));
    writer.set_history("init-1", "Stream-A", {i, false});
  }
  const auto took = Clock::now() - start;
  EXPECT_LT(took, 500ms) << "1000 records and history updates took "
                         << std::chrono::duration<double, std::milli>(took).count() << " ms";
  EXPECT_TRUE(rows(path).empty());

  lock.release();
  ASSERT_TRUE(writer.flush(10s));
  EXPECT_EQ(details(rows(path)), numbered(0, 1000));
  EXPECT_EQ(histories(path).at("Stream-A"), (ChildHistory{999, false}));
}

TEST(JournalWriter, RowsQueuedWhileLockedAreWrittenInOneTransaction) {
  testing::TempDir dir;
  const auto path = created_journal(dir);
  JournalWriter writer(path, quick_retries());
  WriteLock lock(path);
  for (int i = 0; i < 1000; ++i) {
    writer.record(entry(std::to_string(i)));
  }
  // Two attempts that ended after the last record: the one running when the
  // lock goes away took all 1000.
  const auto failed = writer.stats().failed_attempts;
  ASSERT_TRUE(testing::wait_for([&] { return writer.stats().failed_attempts >= failed + 2; }));
  const auto transactions = writer.stats().transactions;

  lock.release();
  ASSERT_TRUE(writer.flush(10s));
  EXPECT_EQ(writer.stats().transactions - transactions, 1u);
  EXPECT_EQ(details(rows(path)), numbered(0, 1000));
}

TEST(JournalWriter, AFullQueueDropsTheOldestEntriesAndSaysSoOnce) {
  testing::CapturedLog log;
  testing::TempDir dir;
  const auto path = created_journal(dir);
  auto options = quick_retries();
  options.max_queued_entries = 10;
  JournalWriter writer(path, options);
  WriteLock lock(path);
  for (int i = 0; i < 25; ++i) {
    writer.record(entry(std::to_string(i)));
    writer.set_history("init-1", "Stream-A", {i, i == 24});
  }
  ASSERT_TRUE(testing::wait_for([&] { return writer.stats().failed_attempts >= 5; }));
  EXPECT_EQ(writer.stats().entries_dropped, 15u);
  EXPECT_EQ(writer.stats().entries_queued, 10u);

  lock.release();
  ASSERT_TRUE(writer.flush(10s));
  const auto written = rows(path);
  ASSERT_EQ(written.size(), 11u);
  EXPECT_EQ(written[0].kind, "dropped");
  EXPECT_NE(written[0].detail.find("dropped 15 entries"), std::string::npos) << written[0].detail;
  EXPECT_EQ(details({written.begin() + 1, written.end()}), numbered(15, 25));
  // The history is never dropped: its latest value arrives.
  EXPECT_EQ(histories(path).at("Stream-A"), (ChildHistory{24, true}));

  // Many failed attempts, few lines: the first failure, the drops, the recovery.
  EXPECT_EQ(log.lines_with("retrying with backoff").size(), 1u);
  EXPECT_EQ(log.lines_with("dropping the oldest").size(), 1u);
  EXPECT_EQ(log.lines_with("dropped 15 entries").size(), 1u);
  EXPECT_EQ(log.lines_with("works again").size(), 1u);
}

TEST(JournalWriter, WaitsForAMissingDirectoryAndCatchesUpWhenItAppears) {
  testing::CapturedLog log;
  testing::TempDir dir;
  const auto path = dir / "orchestrator" / "supervise.db";
  JournalWriter writer(path, quick_retries());
  writer.record(entry("0"));
  writer.record(entry("1"));
  writer.set_history("init-1", "Stream-A", {1, false});
  ASSERT_TRUE(testing::wait_for([&] { return writer.stats().failed_attempts >= 3; }));
  EXPECT_FALSE(writer.stats().open);
  EXPECT_EQ(log.lines_with("retrying with backoff").size(), 1u);

  fs::create_directories(path.parent_path());
  ASSERT_TRUE(writer.flush(10s));
  EXPECT_EQ(details(rows(path)), numbered(0, 2));
  EXPECT_EQ(histories(path).at("Stream-A"), (ChildHistory{1, false}));
}

TEST(JournalWriter, StartsANewFileWhenTheJournalIsRemovedAndKeepsTheHistories) {
  testing::TempDir dir;
  const auto path = dir / "supervise.db";
  JournalWriter writer(path, quick_retries());
  writer.set_history("init-1", "Stream-A", {3, false});
  writer.set_history("init-1", "Stream-B", {1, true});
  writer.record(entry("before"));
  ASSERT_TRUE(writer.flush(10s));
  for (const char* suffix : {"", "-wal", "-shm"}) {
    fs::remove(path.string() + suffix);
  }

  writer.record(entry("after"));
  writer.set_history("init-1", "Stream-B", {2, true});
  ASSERT_TRUE(writer.flush(10s));
  ASSERT_TRUE(fs::exists(path));
  EXPECT_EQ(details(rows(path)), (std::vector<std::string>{"after"}));
  EXPECT_EQ(histories(path), (std::map<std::string, ChildHistory>{{"Stream-A", {3, false}},
                                                                  {"Stream-B", {2, true}}}));
}

/// While it lives, this process may not grow any file beyond `bytes`: a
/// write past it fails as on a full disk (EFBIG rather than ENOSPC, with
/// SIGXFSZ ignored), which needs no privileges and no special mount.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    previous_handler_ = signal(SIGXFSZ, SIG_IGN);
    getrlimit(RLIMIT_FSIZE, &previous_);
    rlimit limit = previous_;
    limit.rlim_cur = bytes;
    EXPECT_EQ(setrlimit(RLIMIT_FSIZE, &limit), 0);
  }
  void lift() {
    if (!lifted_) {
      setrlimit(RLIMIT_FSIZE, &previous_);
      signal(SIGXFSZ, previous_handler_);
      lifted_ = true;
    }
  }
  ~FileSizeLimit() { lift(); }

 private:
  rlimit previous_{};
  sighandler_t previous_handler_ = SIG_DFL;
  bool lifted_ = false;
};

TEST(JournalWriter, ADiskThatRefusesWritesIsRetriedAndCaughtUp) {
  testing::CapturedLog log;
  testing::TempDir dir;
  const auto path = dir / "supervise.db";
  JournalWriter writer(path, quick_retries());
  writer.record(entry("first"));
  ASSERT_TRUE(writer.flush(10s));

  FileSizeLimit full(64 * 1024);
  const std::string filler(1024, 'x');
  for (int i = 0; i < 500; ++i) {
    writer.record(entry(std::to_string(i) + filler));
  }
  ASSERT_TRUE(testing::wait_for([&] { return writer.stats().failed_attempts >= 3; }));
  EXPECT_LT(rows(path).size(), 501u);

  full.lift();
  ASSERT_TRUE(writer.flush(10s));
  const auto written = details(rows(path));
  ASSERT_EQ(written.size(), 501u);
  EXPECT_EQ(written[0], "first");
  for (int i = 0; i < 500; ++i) {
    ASSERT_EQ(written[i + 1], std::to_string(i) + filler);
  }
  EXPECT_EQ(log.lines_with("retrying with backoff").size(), 1u);
  EXPECT_EQ(log.lines_with("works again").size(), 1u);
}

TEST(JournalWriter, DestructionWritesWhatIsQueued) {
  testing::TempDir dir;
  const auto path = dir / "supervise.db";
  {
    JournalWriter writer(path);
    for (int i = 0; i < 200; ++i) {
      writer.record(entry(std::to_string(i)));
    }
  }
  EXPECT_EQ(details(rows(path)), numbered(0, 200));
}

TEST(JournalWriter, DestructionWhileLockedEndsWithinItsDeadlineAndSaysWhatIsLost) {
  testing::CapturedLog log;
  testing::TempDir dir;
  const auto path = created_journal(dir);
  WriteLock lock(path);
  auto options = quick_retries();
  options.busy_timeout = 100ms;
  options.drain_deadline = 300ms;
  auto writer = std::make_unique<JournalWriter>(path, options);
  for (int i = 0; i < 5; ++i) {
    writer->record(entry(std::to_string(i)));
  }

  const auto start = Clock::now();
  writer.reset();
  const auto took = Clock::now() - start;
  // The deadline plus one attempt's busy timeout, with room for a slow machine.
  EXPECT_LT(took, 2s) << std::chrono::duration<double, std::milli>(took).count() << " ms";
  EXPECT_GE(took, 300ms);  // it did keep trying until the deadline
  EXPECT_EQ(log.lines_with("stopped with 5 entries").size(), 1u);
  lock.release();
  EXPECT_TRUE(rows(path).empty());
}

}  // namespace
}  // namespace supervise::journal
