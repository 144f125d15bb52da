// The off-loop Task Copilot reader against real fixture databases: results
// on the io_context's thread, a locked tasks.db answering busy while the
// loop keeps its timers, a database that appears later, coalescing.

#include <SQLiteCpp/Database.h>
#include <gtest/gtest.h>

#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <optional>
#include <thread>

#include "supervisor/runtime/store_reader.hpp"
#include "tests/runtime/run_io_until.hpp"
#include "tests/support/task_copilot_fixture.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/wait_for.hpp"

namespace supervise::runtime {
namespace {

using namespace std::chrono_literals;
using RealClock = std::chrono::steady_clock;
using taskcopilot::ErrorCode;

/// Ticks every 10 ms on `io` and remembers how late the latest tick was
/// compared with when it was due: a loop that something blocks shows it here.
class Heartbeat {
 public:
  explicit Heartbeat(boost::asio::io_context& io) : timer_(io) { arm(); }

  RealClock::duration worst_lateness() const { return worst_; }
  int ticks() const { return ticks_; }

 private:
  static constexpr auto kPeriod = 10ms;

  void arm() {
    due_ = RealClock::now() + kPeriod;
    timer_.expires_at(due_);
    timer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec) {
        return;
      }
      worst_ = std::max(worst_, RealClock::now() - due_);
      ++ticks_;
      arm();
    });
  }

  boost::asio::steady_timer timer_;
  RealClock::time_point due_{};
  RealClock::duration worst_{};
  int ticks_ = 0;
};

double ms(RealClock::duration duration) {
  return std::chrono::duration<double, std::milli>(duration).count();
}

TEST(StoreReader, ProgressArrivesOnTheIoContextThread) {
  testing::TempDir dir;
  auto db = testing::make_four_stream_project(dir.path());
  db.complete_stream("Stream-A");
  boost::asio::io_context io;
  StoreReader reader(io, db.tasks_db(), db.memory_db());

  std::optional<StoreReader::ProgressResult> result;
  std::thread::id delivered_on;
  reader.progress(testing::kFourStreamInitiative, [&](StoreReader::ProgressResult value) {
    delivered_on = std::this_thread::get_id();
    result.emplace(std::move(value));
  });
  ASSERT_TRUE(testing::run_io_until(io, [&] { return result.has_value(); }));
  EXPECT_EQ(delivered_on, std::this_thread::get_id());
  ASSERT_TRUE(*result) << result->error().message;
  ASSERT_EQ((*result)->size(), 4u);
  EXPECT_EQ((*result)->at(0).stream_id, "Stream-A");
  EXPECT_EQ((*result)->at(0).completed, 2);
  EXPECT_EQ((*result)->at(1).completed, 0);
}

TEST(StoreReader, StreamsGiveThePromptItsTasksAndDependencies) {
  testing::TempDir dir;
  auto db = testing::make_four_stream_project(dir.path());
  boost::asio::io_context io;
  StoreReader reader(io, db.tasks_db(), db.memory_db());

  std::optional<StoreReader::StreamsResult> result;
  reader.streams(testing::kFourStreamInitiative,
                 [&](StoreReader::StreamsResult value) { result.emplace(std::move(value)); });
  ASSERT_TRUE(testing::run_io_until(io, [&] { return result.has_value(); }));
  ASSERT_TRUE(*result) << result->error().message;
  const auto& streams = (*result)->streams;
  ASSERT_EQ(streams.size(), 4u);
  EXPECT_EQ(streams[3].id, "Stream-Z");
  EXPECT_EQ(streams[3].dependencies, (std::vector<std::string>{"Stream-B", "Stream-C"}));
  ASSERT_EQ(streams[0].tasks.size(), 2u);
  EXPECT_EQ(streams[0].tasks[0].id, "TASK-A1");
}

TEST(StoreReader, ALockedDatabaseAnswersBusyWhileTheLoopKeepsItsTimers) {
  testing::TempDir dir;
  // A rollback-journal database: there a writer's exclusive lock keeps
  // readers out (in WAL mode readers never wait).
  auto db = testing::make_four_stream_project(dir.path());
  db.tasks_connection().exec("PRAGMA journal_mode = DELETE");
  boost::asio::io_context io;
  StoreReader reader(io, db.tasks_db(), db.memory_db(), {.busy_timeout = 500ms});
  Heartbeat heartbeat(io);
  db.tasks_connection().exec("BEGIN EXCLUSIVE");

  std::optional<StoreReader::ProgressResult> result;
  const auto asked = RealClock::now();
  reader.progress(testing::kFourStreamInitiative,
                  [&](StoreReader::ProgressResult value) { result.emplace(std::move(value)); });
  ASSERT_TRUE(testing::run_io_until(
      io, [&] { return result.has_value(); }, 10s));
  const auto took = RealClock::now() - asked;
  ASSERT_FALSE(*result);
  EXPECT_EQ(result->error().code, ErrorCode::busy) << result->error().message;
  EXPECT_GE(took, 500ms);                    // it did wait out its busy timeout ...
  EXPECT_LT(took, 3s) << ms(took) << " ms";  // ... and no more
  // The loop ran its 10 ms timer all along: a read on the loop would have
  // held it back for the whole busy timeout.
  EXPECT_GE(heartbeat.ticks(), 10);
  EXPECT_LT(heartbeat.worst_lateness(), 250ms) << ms(heartbeat.worst_lateness()) << " ms";

  db.tasks_connection().exec("COMMIT");
  result.reset();
  reader.progress(testing::kFourStreamInitiative,
                  [&](StoreReader::ProgressResult value) { result.emplace(std::move(value)); });
  ASSERT_TRUE(testing::run_io_until(io, [&] { return result.has_value(); }));
  ASSERT_TRUE(*result) << result->error().message;
  EXPECT_EQ((*result)->size(), 4u);
}

TEST(StoreReader, AMissingDatabaseIsAClearErrorAndIsOpenedOnceItAppears) {
  testing::TempDir dir;
  const auto tasks_db = dir / "tasks" / "tasks.db";
  const auto memory_db = dir / "memory" / "memory.db";
  boost::asio::io_context io;
  StoreReader reader(io, tasks_db, memory_db);

  std::optional<StoreReader::ProgressResult> result;
  auto ask = [&] {
    result.reset();
    reader.progress(testing::kFourStreamInitiative,
                    [&](StoreReader::ProgressResult value) { result.emplace(std::move(value)); });
    return testing::run_io_until(io, [&] { return result.has_value(); });
  };
  ASSERT_TRUE(ask());
  ASSERT_FALSE(*result);
  EXPECT_EQ(result->error().code, ErrorCode::missing_database);
  EXPECT_NE(result->error().message.find(tasks_db.string()), std::string::npos)
      << result->error().message;

  auto db = testing::make_four_stream_project(tasks_db, memory_db);
  ASSERT_TRUE(ask());
  ASSERT_TRUE(*result) << result->error().message;
  EXPECT_EQ((*result)->size(), 4u);
  EXPECT_EQ(reader.stats().opens, 1u);
}

TEST(StoreReader, ADatabaseReplacedByANewFileIsReadFromTheNewFile) {
  testing::TempDir dir;
  const auto tasks_db = dir / "tasks.db";
  const auto memory_db = dir / "memory.db";
  boost::asio::io_context io;
  StoreReader reader(io, tasks_db, memory_db);
  std::optional<StoreReader::ProgressResult> result;
  auto ask = [&] {
    result.reset();
    reader.progress(testing::kFourStreamInitiative,
                    [&](StoreReader::ProgressResult value) { result.emplace(std::move(value)); });
    return testing::run_io_until(io, [&] { return result.has_value(); });
  };
  {
    auto db = testing::make_four_stream_project(tasks_db, memory_db);
    ASSERT_TRUE(ask());
    ASSERT_TRUE(*result) << result->error().message;
    EXPECT_EQ((*result)->at(0).completed, 0);
  }
  for (const auto& path : {tasks_db, memory_db}) {
    for (const char* suffix : {"", "-wal", "-shm"}) {
      std::filesystem::remove(path.string() + suffix);
    }
  }
  // Made again before the reader looks: its connection still holds the old
  // file, which an unchecked read would go on answering from.
  auto db = testing::make_four_stream_project(tasks_db, memory_db);
  db.complete_stream("Stream-A");
  ASSERT_TRUE(ask());
  ASSERT_TRUE(*result) << result->error().message;
  EXPECT_EQ((*result)->at(0).completed, 2);
  EXPECT_EQ(reader.stats().opens, 2u);
}

TEST(StoreReader, ProgressRequestsWaitingInTheQueueShareOneRead) {
  testing::TempDir dir;
  auto db = testing::make_four_stream_project(dir.path());
  db.tasks_connection().exec("PRAGMA journal_mode = DELETE");
  boost::asio::io_context io;
  // A long busy timeout holds the first read for as long as the test needs;
  // releasing the lock ends it at once.
  StoreReader reader(io, db.tasks_db(), db.memory_db(), {.busy_timeout = 10s});
  db.tasks_connection().exec("BEGIN EXCLUSIVE");

  int delivered = 0;
  std::vector<StoreReader::ProgressResult> later;
  reader.progress(testing::kFourStreamInitiative,
                  [&](StoreReader::ProgressResult) { ++delivered; });
  ASSERT_TRUE(testing::wait_for([&] { return reader.stats().reads_started == 1; }));
  for (int i = 0; i < 3; ++i) {
    reader.progress(testing::kFourStreamInitiative, [&](StoreReader::ProgressResult value) {
      ++delivered;
      later.push_back(std::move(value));
    });
  }
  bool streams_delivered = false;
  reader.streams(testing::kFourStreamInitiative,
                 [&](StoreReader::StreamsResult) { streams_delivered = true; });
  db.tasks_connection().exec("COMMIT");

  ASSERT_TRUE(testing::run_io_until(io, [&] { return delivered == 4 && streams_delivered; }));
  EXPECT_EQ(reader.stats().reads_started, 3u);  // the first, the shared one, streams
  EXPECT_EQ(reader.stats().progress_coalesced, 2u);
  ASSERT_EQ(later.size(), 3u);
  for (const auto& result : later) {
    ASSERT_TRUE(result) << result.error().message;
    EXPECT_EQ(result->size(), 4u);
  }
}

TEST(StoreReader, AnOutstandingRequestKeepsRunFromReturningEarly) {
  testing::TempDir dir;
  auto db = testing::make_four_stream_project(dir.path());
  boost::asio::io_context io;
  StoreReader reader(io, db.tasks_db(), db.memory_db());
  bool delivered = false;
  reader.progress(testing::kFourStreamInitiative,
                  [&](StoreReader::ProgressResult) { delivered = true; });
  io.run();  // returns only when no work is left: after the handler ran
  EXPECT_TRUE(delivered);
}

TEST(StoreReader, DestroyedDuringABlockedReadItStopsWithinTheBusyTimeoutAndCallsNoHandler) {
  testing::TempDir dir;
  auto db = testing::make_four_stream_project(dir.path());
  db.tasks_connection().exec("PRAGMA journal_mode = DELETE");
  boost::asio::io_context io;
  bool delivered = false;
  auto reader =
      std::make_unique<StoreReader>(io, db.tasks_db(), db.memory_db(), StoreReaderOptions{300ms});
  db.tasks_connection().exec("BEGIN EXCLUSIVE");
  reader->progress(testing::kFourStreamInitiative,
                   [&](StoreReader::ProgressResult) { delivered = true; });
  reader->progress("another-initiative", [&](StoreReader::ProgressResult) { delivered = true; });
  ASSERT_TRUE(testing::wait_for([&] { return reader->stats().reads_started == 1; }));

  const auto start = RealClock::now();
  reader.reset();
  const auto took = RealClock::now() - start;
  EXPECT_LT(took, 3s) << ms(took) << " ms";
  db.tasks_connection().exec("COMMIT");
  io.run();  // whatever was posted runs now, and must not call back
  EXPECT_FALSE(delivered);
}

}  // namespace
}  // namespace supervise::runtime
