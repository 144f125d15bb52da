#include "supervisor/taskcopilot/task_store.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "supervisor/taskcopilot/stream_rules.hpp"
#include "tests/support/task_copilot_fixture.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/wait_for.hpp"
#include "tests/taskcopilot/stream_ids.hpp"

namespace supervise::taskcopilot {
namespace {

using test_support::ids_of;
namespace fs = std::filesystem;
using supervise::testing::FixtureTask;
using supervise::testing::JournalMode;
using supervise::testing::stream_metadata;
using supervise::testing::TaskCopilotFixture;
using supervise::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr const char* kMainInitiative = "init0001-main";
constexpr const char* kOther = "init0002-old";

TaskStore open_store(const TaskCopilotFixture& fixture,
                     std::chrono::milliseconds busy = TaskStore::kDefaultBusyTimeout) {
  auto store = TaskStore::open(fixture.tasks_db(), fixture.memory_db(), busy);
  if (!store.ok()) {
    throw std::runtime_error(store.error().message);
  }
  return std::move(store).value();
}

const Stream& find_stream(const StreamSet& set, const std::string& id) {
  for (const Stream& stream : set.streams) {
    if (stream.id == id) {
      return stream;
    }
  }
  throw std::runtime_error("no stream " + id);
}

class TaskStoreTest : public ::testing::Test {
 protected:
  TaskStoreTest() {
    db_.add_initiative(kMainInitiative, "Main").add_prd("PRD-1", kMainInitiative);
    db_.add_initiative(kOther, "Old", "COMPLETE").add_prd("PRD-OLD", kOther);
  }

  StreamSet streams() {
    const auto set = open_store(db_).streams(kMainInitiative);
    if (!set.ok()) {
      throw std::runtime_error(set.error().message);
    }
    return *set;
  }

  TempDir dir_;
  TaskCopilotFixture db_{dir_.path()};
};

// ------------------------------------------------------------ initiatives ---

TEST(ActiveInitiative, PrefersInProgressThenBlockedThenNotStartedNewestFirst) {
  TempDir dir;
  TaskCopilotFixture db(dir.path());
  db.add_initiative("done", "Done", "COMPLETE", "2026-03-01")
      .add_initiative("new-1", "Not started", "NOT STARTED", "2026-02-01")
      .add_initiative("blocked-old", "Blocked old", "BLOCKED", "2026-01-01")
      .add_initiative("blocked-new", "Blocked new", "BLOCKED", "2026-01-15")
      .add_initiative("review", "Review", "READY FOR REVIEW", "2026-03-02");
  const TaskStore store = open_store(db);

  auto active = store.active_initiative();
  ASSERT_TRUE(active.ok()) << active.error().message;
  ASSERT_TRUE(active->has_value());
  EXPECT_EQ((*active)->id, "blocked-new");
  EXPECT_EQ((*active)->name, "Blocked new");
  EXPECT_EQ((*active)->status, "BLOCKED");
  EXPECT_EQ((*active)->created_at, "2026-01-15");

  db.add_initiative("running-old", "Running", "IN PROGRESS", "2025-01-01")
      .add_initiative("running-new", "Running", "IN PROGRESS", "2025-06-01");
  active = store.active_initiative();
  ASSERT_TRUE(active.ok());
  ASSERT_TRUE(active->has_value());
  EXPECT_EQ((*active)->id, "running-new");
}

TEST(ActiveInitiative, NoneWhenNoInitiativeIsOpen) {
  TempDir dir;
  TaskCopilotFixture db(dir.path());
  db.add_initiative("done", "Done", "COMPLETE").add_initiative("r", "R", "READY FOR REVIEW");
  const auto active = open_store(db).active_initiative();
  ASSERT_TRUE(active.ok());
  EXPECT_FALSE(active->has_value());
}

TEST(ActiveInitiative, NoneWhenThereIsNoMemoryDatabase) {
  TempDir dir;
  TaskCopilotFixture db(dir.path());
  db.add_initiative("a", "A");
  db.remove_memory_db();
  const TaskStore store = open_store(db);
  const auto active = store.active_initiative();
  ASSERT_TRUE(active.ok()) << active.error().message;
  EXPECT_FALSE(active->has_value());
  const auto by_id = store.initiative("a");
  ASSERT_TRUE(by_id.ok());
  EXPECT_FALSE(by_id->has_value());
}

TEST(ActiveInitiative, AMemoryDatabaseWithoutInitiativesIsAnErrorNamingIt) {
  TempDir dir;
  TaskCopilotFixture db(dir.path());
  db.memory_connection().exec("DROP TABLE initiatives");
  const auto active = open_store(db).active_initiative();
  ASSERT_FALSE(active.ok());
  EXPECT_EQ(active.error().code, ErrorCode::missing_table);
  EXPECT_THAT(active.error().message, HasSubstr(db.memory_db().string()));
  EXPECT_THAT(active.error().message, HasSubstr("initiatives"));
}

TEST_F(TaskStoreTest, InitiativeByIdFindsAnyStatus) {
  const TaskStore store = open_store(db_);
  const auto old = store.initiative(kOther);
  ASSERT_TRUE(old.ok());
  ASSERT_TRUE(old->has_value());
  EXPECT_EQ((*old)->name, "Old");
  EXPECT_EQ((*old)->status, "COMPLETE");
  const auto missing = store.initiative("nope");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
}

// ---------------------------------------------------------------- streams ---

TEST_F(TaskStoreTest, OnlyNonArchivedTasksWithAPrdOfTheInitiativeCount) {
  db_.add_task({.id = "T1", .prd_id = "PRD-1", .metadata = stream_metadata("Stream-A")})
      .add_task({.id = "T2", .prd_id = "PRD-1", .metadata = stream_metadata("Stream-A")})
      .add_task({.id = "T3",
                 .prd_id = "PRD-1",
                 .metadata = stream_metadata("Stream-A"),
                 .archived = true})
      .add_task({.id = "T4", .metadata = stream_metadata("Stream-A")})
      .add_task({.id = "T5", .prd_id = "PRD-OLD", .metadata = stream_metadata("Stream-A")})
      .add_task({.id = "T6", .prd_id = "PRD-1", .metadata = stream_metadata("Stream-Orphan")})
      .add_task({.id = "T7", .prd_id = "PRD-1"});
  db_.set_task_archived("T6");

  const StreamSet set = streams();
  EXPECT_THAT(ids_of(set.streams), ElementsAre("Stream-A"));
  const Stream& a = set.streams[0];
  EXPECT_EQ(a.progress.total, 2);
  ASSERT_EQ(a.tasks.size(), 2u);
  EXPECT_EQ(a.tasks[0].id, "T1");
  EXPECT_EQ(a.tasks[1].id, "T2");
}

TEST_F(TaskStoreTest, ALeftoverTaskOfAnotherInitiativeDoesNotKeepAStreamIncomplete) {
  // The old monitor counted T-OLD (same stream id, abandoned initiative).
  db_.add_task({.id = "T1",
                .prd_id = "PRD-1",
                .status = "completed",
                .metadata = stream_metadata("Stream-A")})
      .add_task({.id = "T-OLD", .prd_id = "PRD-OLD", .metadata = stream_metadata("Stream-A")});
  const auto progress = open_store(db_).progress(kMainInitiative);
  ASSERT_TRUE(progress.ok()) << progress.error().message;
  ASSERT_EQ(progress->size(), 1u);
  EXPECT_EQ((*progress)[0].total, 1);
  EXPECT_TRUE(is_complete((*progress)[0]));
}

TEST_F(TaskStoreTest, StreamsAreInPlainByteOrder) {
  for (const char* id : {"Stream-2", "Stream-10", "Stream-1", "Stream-B"}) {
    db_.add_task(
        {.id = std::string("T-") + id, .prd_id = "PRD-1", .metadata = stream_metadata(id)});
  }
  EXPECT_THAT(ids_of(streams().streams),
              ElementsAre("Stream-1", "Stream-10", "Stream-2", "Stream-B"));
}

TEST_F(TaskStoreTest, NameIsTheSmallestStreamNameElseTheId) {
  db_.add_task({.id = "T1", .prd_id = "PRD-1", .metadata = stream_metadata("Stream-A", "Zulu")})
      .add_task({.id = "T2", .prd_id = "PRD-1", .metadata = stream_metadata("Stream-A", "Alpha")})
      .add_task({.id = "T3", .prd_id = "PRD-1", .metadata = stream_metadata("Stream-B")});
  const StreamSet set = streams();
  EXPECT_EQ(find_stream(set, "Stream-A").name, "Alpha");
  EXPECT_EQ(find_stream(set, "Stream-B").name, "Stream-B");
}

TEST_F(TaskStoreTest, DependenciesInEveryFormAreResolvedAndUnioned) {
  db_.add_task({.id = "A1", .prd_id = "PRD-1", .metadata = stream_metadata("Stream-A")})
      .add_task({.id = "B1", .prd_id = "PRD-1", .metadata = stream_metadata("Stream-B")})
      .add_task({.id = "C1", .prd_id = "PRD-1", .metadata = stream_metadata("Stream-C")})
      .add_task({.id = "Z1",
                 .prd_id = "PRD-1",
                 .metadata = stream_metadata("Stream-Z", "", {"Stream-A: schema ready"})})
      .add_task({.id = "Z2",
                 .prd_id = "PRD-1",
                 .metadata = stream_metadata("Stream-Z", "", {"[Stream-B] API", "Stream-C"})})
      .add_task({.id = "Z3",
                 .prd_id = "PRD-1",
                 .metadata = stream_metadata("Stream-Z", "", {"the login page"})});
  const StreamSet set = streams();
  EXPECT_THAT(find_stream(set, "Stream-Z").dependencies,
              ElementsAre("Stream-A", "Stream-B", "Stream-C"));
  ASSERT_EQ(set.warnings.size(), 1u);
  EXPECT_EQ(set.warnings[0].task_id, "Z3");
  EXPECT_THAT(set.warnings[0].message, HasSubstr("the login page"));
}

TEST_F(TaskStoreTest, BadMetadataIsAWarningNamingTheTaskAndTheRestStillCounts) {
  db_.add_task({.id = "T1", .prd_id = "PRD-1", .metadata = R"({"streamId": "Stream-A",)"})
      .add_task({.id = "T2",
                 .prd_id = "PRD-1",
                 .metadata = R"({"streamId": "Stream-A", "dependencies": "Stream-B"})"})
      .add_task({.id = "T3", .prd_id = "PRD-1", .metadata = stream_metadata("Stream-B")});
  const StreamSet set = streams();
  const Stream& a = find_stream(set, "Stream-A");
  EXPECT_EQ(a.progress.total, 1) << "T2 counts despite its dependencies";
  EXPECT_THAT(a.dependencies, IsEmpty());
  ASSERT_EQ(set.warnings.size(), 2u);
  EXPECT_EQ(set.warnings[0].task_id, "T1");
  EXPECT_THAT(set.warnings[0].message, HasSubstr("T1"));
  EXPECT_EQ(set.warnings[1].task_id, "T2");
  EXPECT_THAT(set.warnings[1].message, HasSubstr("T2"));
}

TEST_F(TaskStoreTest, AStreamWhoseLastTaskIsCancelledIsComplete) {
  db_.add_task({.id = "T1",
                .prd_id = "PRD-1",
                .status = "completed",
                .metadata = stream_metadata("Stream-A")})
      .add_task({.id = "T2",
                 .prd_id = "PRD-1",
                 .status = "pending",
                 .metadata = stream_metadata("Stream-A")});
  const TaskStore store = open_store(db_);
  auto progress = store.progress(kMainInitiative);
  ASSERT_TRUE(progress.ok());
  EXPECT_FALSE(is_complete((*progress)[0]));

  db_.set_task_status("T2", "cancelled");
  progress = store.progress(kMainInitiative);
  ASSERT_TRUE(progress.ok());
  EXPECT_EQ((*progress)[0].completed, 1);
  EXPECT_EQ((*progress)[0].cancelled, 1);
  EXPECT_TRUE(is_complete((*progress)[0]));
}

TEST_F(TaskStoreTest, ProgressSeesWritesMadeAfterTheStoreWasOpened) {
  auto four = supervise::testing::make_four_stream_project(dir_ / "four");
  const TaskStore store = open_store(four);
  auto progress = store.progress(supervise::testing::kFourStreamInitiative);
  ASSERT_TRUE(progress.ok());
  ASSERT_EQ(progress->size(), 4u);
  EXPECT_FALSE(is_complete((*progress)[0]));

  four.complete_stream("Stream-A");
  four.set_task_status("TASK-B1", "in_progress");
  progress = store.progress(supervise::testing::kFourStreamInitiative);
  ASSERT_TRUE(progress.ok());
  EXPECT_EQ((*progress)[0].stream_id, "Stream-A");
  EXPECT_TRUE(is_complete((*progress)[0]));
  EXPECT_EQ((*progress)[1].in_progress, 1);
  EXPECT_EQ((*progress)[1].pending, 1);
  EXPECT_FALSE(is_complete((*progress)[1]));
}

TEST_F(TaskStoreTest, StreamTasksCarryAgentAndPhaseInCreationOrder) {
  db_.add_task({.id = "T2",
                .prd_id = "PRD-1",
                .title = "Second",
                .metadata = R"({"streamId":"Stream-A","streamPhase":"docs"})",
                .created_at = "2026-01-02"})
      .add_task({.id = "T1",
                 .prd_id = "PRD-1",
                 .title = "First",
                 .metadata = R"({"streamId":"Stream-A","phase":"frontend"})",
                 .created_at = "2026-01-01",
                 .assigned_agent = "qa"})
      .add_task({.id = "T9", .prd_id = "PRD-1", .metadata = stream_metadata("Stream-B")});
  const auto tasks = open_store(db_).stream_tasks(kMainInitiative, "Stream-A");
  ASSERT_TRUE(tasks.ok()) << tasks.error().message;
  ASSERT_EQ(tasks->size(), 2u);
  EXPECT_EQ((*tasks)[0], (StreamTask{"T1", "First", "qa", "frontend", "pending", "2026-01-01"}));
  EXPECT_EQ((*tasks)[1],
            (StreamTask{"T2", "Second", std::nullopt, "docs", "pending", "2026-01-02"}));

  const auto none = open_store(db_).stream_tasks(kMainInitiative, "Stream-X");
  ASSERT_TRUE(none.ok());
  EXPECT_THAT(*none, IsEmpty());
}

TEST(FourStreamProject, HasTheDocumentedShapeAndDepths) {
  TempDir dir;
  auto db = supervise::testing::make_four_stream_project(dir.path());
  const TaskStore store = open_store(db);
  const auto active = store.active_initiative();
  ASSERT_TRUE(active.ok());
  ASSERT_TRUE(active->has_value());
  EXPECT_EQ((*active)->id, supervise::testing::kFourStreamInitiative);

  const auto set = store.streams((*active)->id);
  ASSERT_TRUE(set.ok());
  EXPECT_THAT(set->warnings, IsEmpty());
  EXPECT_THAT(ids_of(set->streams), ElementsAre("Stream-A", "Stream-B", "Stream-C", "Stream-Z"));
  EXPECT_THAT(set->streams[3].dependencies, ElementsAre("Stream-B", "Stream-C"));
  for (const Stream& stream : set->streams) {
    EXPECT_EQ(stream.progress.total, 2) << stream.id;
    EXPECT_EQ(stream.progress.pending, 2) << stream.id;
  }
  const auto depths = stream_depths(set->streams);
  ASSERT_TRUE(depths.ok());
  EXPECT_EQ(*depths, (std::map<std::string, int>{
                         {"Stream-A", 0}, {"Stream-B", 1}, {"Stream-C", 1}, {"Stream-Z", 2}}));
}

// ----------------------------------------------------------------- errors ---

TEST(TaskStoreOpen, AMissingTasksDatabaseIsAnErrorNamingThePath) {
  TempDir dir;
  const auto store = TaskStore::open(dir / "nowhere" / "tasks.db", dir / "memory.db");
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, ErrorCode::missing_database);
  EXPECT_THAT(store.error().message, HasSubstr((dir / "nowhere" / "tasks.db").string()));
}

TEST(TaskStoreOpen, OpensThePathsOfALayout) {
  TempDir dir;
  const auto layout = ProjectLayout::from_root(dir / "proj", {.home_dir = dir / "home"});
  auto db = supervise::testing::make_four_stream_project(layout.tasks_db, layout.memory_db);
  const auto store = TaskStore::open(layout);
  ASSERT_TRUE(store.ok()) << store.error().message;
  EXPECT_EQ(store->tasks_db(), dir / "home" / ".claude" / "tasks" / "proj" / "tasks.db");
  const auto active = store->active_initiative();
  ASSERT_TRUE(active.ok());
  EXPECT_TRUE(active->has_value());
}

TEST(TaskStoreOpen, ADatabaseWithoutTheTasksTableIsAnError) {
  TempDir dir;
  {
    SQLite::Database database((dir / "tasks.db").string(),
                              SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    database.exec("CREATE TABLE prds (id TEXT PRIMARY KEY, initiative_id TEXT)");
  }
  const auto store = TaskStore::open(dir / "tasks.db", dir / "memory.db");
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, ErrorCode::missing_table);
  EXPECT_THAT(store.error().message, HasSubstr((dir / "tasks.db").string()));
  EXPECT_THAT(store.error().message, HasSubstr("'tasks'"));
}

TEST(TaskStoreOpen, AFileThatIsNotADatabaseIsAnErrorNamingThePath) {
  TempDir dir;
  std::ofstream(dir / "tasks.db") << "this is not an SQLite database, just some text\n";
  const auto store = TaskStore::open(dir / "tasks.db", dir / "memory.db");
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, ErrorCode::sqlite);
  EXPECT_THAT(store.error().message, HasSubstr((dir / "tasks.db").string()));
}

TEST(TaskStoreOpen, AMissingColumnIsAnErrorNotACrash) {
  TempDir dir;
  {
    SQLite::Database database((dir / "tasks.db").string(),
                              SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    database.exec(
        "CREATE TABLE prds (id TEXT PRIMARY KEY, initiative_id TEXT);"
        "CREATE TABLE tasks (id TEXT PRIMARY KEY, prd_id TEXT)");
  }
  const auto store = TaskStore::open(dir / "tasks.db", dir / "memory.db");
  ASSERT_TRUE(store.ok());
  const auto set = store->streams("x");
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.error().code, ErrorCode::sqlite);
}

TEST(TaskStoreOpen, TheStoreNeverWritesTheDatabases) {
  TempDir dir;
  auto db = supervise::testing::make_four_stream_project(dir.path());
  const TaskStore store = open_store(db);
  const auto changes = [&] {
    return db.tasks_connection().execAndGet("PRAGMA data_version").getInt();
  };
  const int before = changes();
  ASSERT_TRUE(store.streams(supervise::testing::kFourStreamInitiative).ok());
  ASSERT_TRUE(store.active_initiative().ok());
  // data_version changes when another connection commits a write.
  EXPECT_EQ(changes(), before);
}

// ---------------------------------------------------------------- locking ---

TEST(TaskStoreLocking, AWriteLockOnAWalDatabaseDoesNotBlockReads) {
  TempDir dir;
  auto db = supervise::testing::make_four_stream_project(dir.path());
  const TaskStore store = open_store(db, std::chrono::milliseconds(50));
  db.tasks_connection().exec("BEGIN EXCLUSIVE");
  db.tasks_connection().exec("UPDATE tasks SET status = 'completed'");
  const auto progress = store.progress(supervise::testing::kFourStreamInitiative);
  db.tasks_connection().exec("ROLLBACK");
  ASSERT_TRUE(progress.ok()) << progress.error().message;
  EXPECT_EQ((*progress)[0].completed, 0) << "readers see the last commit";
}

TEST(TaskStoreLocking, ALockHeldPastTheBusyTimeoutIsABusyErrorNamingThePath) {
  TempDir dir;
  TaskCopilotFixture db(dir.path(), JournalMode::rollback);
  db.add_initiative("i", "I").add_prd("P", "i");
  db.add_task({.id = "T", .prd_id = "P", .metadata = stream_metadata("S")});
  const TaskStore store = open_store(db, std::chrono::milliseconds(50));
  db.tasks_connection().exec("BEGIN EXCLUSIVE");
  db.tasks_connection().exec("UPDATE tasks SET status = 'completed'");
  const auto progress = store.progress("i");
  db.tasks_connection().exec("ROLLBACK");
  ASSERT_FALSE(progress.ok());
  EXPECT_EQ(progress.error().code, ErrorCode::busy);
  EXPECT_THAT(progress.error().message, HasSubstr(db.tasks_db().string()));

  const auto after = store.progress("i");
  ASSERT_TRUE(after.ok()) << "the store recovers once the lock is gone";
  EXPECT_EQ((*after)[0].pending, 1);
}

/// Whether thread `tid` of this process is blocked in nanosleep or
/// clock_nanosleep (the first field of /proc/self/task/<tid>/syscall).
bool in_sleep_syscall(pid_t tid) {
  std::ifstream in("/proc/self/task/" + std::to_string(tid) + "/syscall");
  long number = -1;
  return static_cast<bool>(in >> number) &&
         (number == SYS_nanosleep || number == SYS_clock_nanosleep);
}

TEST(TaskStoreLocking, AReadWaitsForALockReleasedWithinTheBusyTimeout) {
  TempDir dir;
  TaskCopilotFixture db(dir.path(), JournalMode::rollback);
  db.add_initiative("i", "I").add_prd("P", "i");
  db.add_task({.id = "T", .prd_id = "P", .metadata = stream_metadata("S")});
  const TaskStore store = open_store(db, std::chrono::seconds(10));

  db.tasks_connection().exec("BEGIN EXCLUSIVE");
  db.tasks_connection().exec("UPDATE tasks SET status = 'completed'");
  std::atomic<pid_t> reader_tid{0};
  std::atomic<bool> returned{false};
  std::optional<Result<std::vector<StreamProgress>>> progress;
  std::thread reader([&] {
    reader_tid = static_cast<pid_t>(::syscall(SYS_gettid));
    progress.emplace(store.progress("i"));
    returned = true;
  });
  // The reader is provably waiting on the lock once it sleeps in SQLite's
  // busy handler (a nanosleep between retries) without having returned:
  // nothing else in a read sleeps. Only then does the writer commit.
  const bool waited = supervise::testing::wait_for(
      [&] { return reader_tid.load() != 0 && in_sleep_syscall(reader_tid.load()); },
      std::chrono::seconds(5));
  const bool returned_before_commit = returned.load();
  db.tasks_connection().exec("COMMIT");
  reader.join();
  EXPECT_TRUE(waited) << "the reader never slept on the lock";
  EXPECT_FALSE(returned_before_commit);
  ASSERT_TRUE(progress.has_value());
  ASSERT_TRUE(progress->ok()) << progress->error().message;
  EXPECT_EQ((**progress)[0].completed, 1);
}

TEST(TaskStoreWal, AReadOnlyOpenWorksWhenTheWalFilesAreGone) {
  TempDir dir;
  {
    auto db = supervise::testing::make_four_stream_project(dir.path());
  }  // the last writer closes: SQLite checkpoints and deletes -wal and -shm
  ASSERT_FALSE(fs::exists(dir / "tasks.db-wal"));
  const auto store = TaskStore::open(dir / "tasks.db", dir / "memory.db");
  ASSERT_TRUE(store.ok()) << store.error().message;
  const auto set = store->streams(supervise::testing::kFourStreamInitiative);
  ASSERT_TRUE(set.ok()) << set.error().message;
  EXPECT_EQ(set->streams.size(), 4u);
}

}  // namespace
}  // namespace supervise::taskcopilot
