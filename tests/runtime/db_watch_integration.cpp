#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "supervisor/runtime/db_watch.hpp"
#include "tests/runtime/run_io_until.hpp"
#include "tests/support/temp_dir.hpp"

namespace supervise::runtime {
namespace {

using supervise::testing::run_io_until;
using supervise::testing::TempDir;
using namespace std::chrono_literals;

int sqlite(const std::filesystem::path& db, const std::string& sql) {
  const auto command = "sqlite3 '" + db.string() + "' \"" + sql + "\"";
  return std::system(command.c_str());
}

class DbWatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = dir_ / "tasks.db";
    ASSERT_EQ(sqlite(db_, "PRAGMA journal_mode=WAL; CREATE TABLE t(x);"), 0);
  }

  TempDir dir_;
  std::filesystem::path db_;
  boost::asio::io_context io_;
  int changes_ = 0;
};

TEST_F(DbWatchTest, AWriteToTheDatabaseIsReportedPromptly) {
  DbWatch watch(io_, db_, {.coalesce = 20ms, .poll = 1h}, [this] { ++changes_; });
  ASSERT_TRUE(watch.inotify_active()) << watch.inotify_error();
  ASSERT_EQ(sqlite(db_, "INSERT INTO t VALUES (1);"), 0);
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(run_io_until(io_, [this] { return changes_ > 0; }));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
}

TEST_F(DbWatchTest, ABurstOfWritesIsReportedOnce) {
  DbWatch watch(io_, db_, {.coalesce = 300ms, .poll = 1h}, [this] { ++changes_; });
  ASSERT_EQ(sqlite(db_, "INSERT INTO t VALUES (1); INSERT INTO t VALUES (2);"), 0);
  ASSERT_EQ(sqlite(db_, "INSERT INTO t VALUES (3);"), 0);
  ASSERT_TRUE(run_io_until(io_, [this] { return changes_ > 0; }));
  // Let anything else pending run: a second report would show up now.
  run_io_until(
      io_, [] { return false; }, 50ms);
  EXPECT_EQ(changes_, 1);
}

TEST_F(DbWatchTest, OtherFilesInTheDirectoryAreIgnored) {
  DbWatch watch(io_, db_, {.coalesce = 1ms, .poll = 1h}, [this] { ++changes_; });
  { std::ofstream(dir_ / "memory.db") << "x"; }
  { std::ofstream(dir_ / "tasks.db.bak") << "x"; }
  EXPECT_FALSE(run_io_until(
      io_, [this] { return changes_ > 0; }, 100ms));
}

TEST_F(DbWatchTest, WithoutTheDirectoryOnlyThePollReports) {
  DbWatch watch(io_, dir_ / "missing" / "tasks.db", {.coalesce = 1ms, .poll = 20ms},
                [this] { ++changes_; });
  EXPECT_FALSE(watch.inotify_active());
  EXPECT_FALSE(watch.inotify_error().empty());
  ASSERT_TRUE(run_io_until(io_, [this] { return changes_ >= 2; }));
}

}  // namespace
}  // namespace supervise::runtime
