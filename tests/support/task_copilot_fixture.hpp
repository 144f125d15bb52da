#pragma once

// Builds Task Copilot databases for tests: a tasks.db and a memory.db with
// the real column set (task_copilot_schema.sql), filled through a small
// fluent API. Tests of every part use it; none touches a real $HOME.
//
//   TempDir dir;
//   TaskCopilotFixture db(dir.path());            // dir/tasks.db, dir/memory.db
//   db.add_initiative("init-1234", "Checkout")    // IN PROGRESS
//       .add_prd("PRD-1", "init-1234")
//       .add_task({.id = "TASK-1", .prd_id = "PRD-1",
//                  .metadata = stream_metadata("Stream-A", "Payments")})
//       .add_task({.id = "TASK-2", .prd_id = "PRD-1",
//                  .metadata = stream_metadata("Stream-B", "", {"Stream-A"})});
//   ...
//   db.complete_stream("Stream-A");               // while a supervisor runs
//
// The fixture keeps one read-write connection per database open, as the Task
// Copilot server does; in WAL mode (the default, as the server uses) writes
// land in the -wal file until SQLite checkpoints. Every method throws on
// failure: a broken fixture is a broken test.

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace SQLite {
class Database;
}

namespace supervise::testing {

/// One row of `tasks`. Every member has a default (designated initializers
/// may leave any out under -Wextra).
struct FixtureTask {
  std::string id{};
  /// NULL: a task without PRD (it belongs to no initiative).
  std::optional<std::string> prd_id{};
  std::string title = "A task";
  std::string status = "pending";
  /// Stored as given (it need not be valid JSON); NULL when unset.
  std::optional<std::string> metadata = std::string("{}");
  bool archived = false;
  /// "" takes the fixture's next timestamp, so rows added later are newer.
  std::string created_at{};
  std::optional<std::string> assigned_agent{};
};

/// Task metadata JSON for a stream task: `streamId`, `streamName` (when not
/// empty), `dependencies` (when not empty), `phase` (when not empty).
std::string stream_metadata(std::string_view stream_id, std::string_view stream_name = "",
                            const std::vector<std::string>& dependencies = {},
                            std::string_view phase = "");

enum class JournalMode {
  wal,       ///< what the Task Copilot server uses: readers never wait
  rollback,  ///< the SQLite default: a writer's commit blocks readers
};

class TaskCopilotFixture {
 public:
  /// Creates `dir/tasks.db` and `dir/memory.db`.
  explicit TaskCopilotFixture(const std::filesystem::path& dir,
                              JournalMode mode = JournalMode::wal);
  /// Creates the databases at these paths (parent directories too), e.g. at
  /// a ProjectLayout's tasks_db and memory_db under a fake $HOME.
  TaskCopilotFixture(const std::filesystem::path& tasks_db, const std::filesystem::path& memory_db,
                     JournalMode mode = JournalMode::wal);
  ~TaskCopilotFixture();
  TaskCopilotFixture(TaskCopilotFixture&&) noexcept;
  TaskCopilotFixture& operator=(TaskCopilotFixture&&) noexcept;

  const std::filesystem::path& tasks_db() const { return tasks_db_; }
  const std::filesystem::path& memory_db() const { return memory_db_; }

  /// A row of memory.db's `initiatives`; "" created_at takes the next
  /// timestamp.
  TaskCopilotFixture& add_initiative(const std::string& id, const std::string& name,
                                     const std::string& status = "IN PROGRESS",
                                     const std::string& created_at = "");
  /// A row of tasks.db's `prds`.
  TaskCopilotFixture& add_prd(const std::string& id, const std::string& initiative_id,
                              const std::string& status = "active");
  TaskCopilotFixture& add_task(const FixtureTask& task);

  TaskCopilotFixture& set_task_status(const std::string& task_id, const std::string& status);
  TaskCopilotFixture& set_task_archived(const std::string& task_id, bool archived = true);
  /// Marks every task whose metadata `streamId` is `stream_id` completed.
  TaskCopilotFixture& complete_stream(const std::string& stream_id);

  /// Closes and deletes memory.db (with its -wal/-shm): "no memory DB".
  void remove_memory_db();

  /// The read-write connections, for what the API above does not cover.
  SQLite::Database& tasks_connection();
  SQLite::Database& memory_connection();

 private:
  std::string next_timestamp();

  std::filesystem::path tasks_db_;
  std::filesystem::path memory_db_;
  std::unique_ptr<SQLite::Database> tasks_;
  std::unique_ptr<SQLite::Database> memory_;
  int clock_ = 0;
};

/// The four-stream project of the tests and examples, in `dir`: one active
/// initiative (kFourStreamInitiative), one PRD, streams Stream-A (no
/// dependencies), Stream-B and Stream-C (depend on Stream-A), Stream-Z
/// (depends on Stream-B and Stream-C), each with two pending tasks
/// (TASK-A1, TASK-A2, TASK-B1, ...).
TaskCopilotFixture make_four_stream_project(const std::filesystem::path& dir);
/// The same at explicit database paths.
TaskCopilotFixture make_four_stream_project(const std::filesystem::path& tasks_db,
                                            const std::filesystem::path& memory_db);

inline constexpr const char* kFourStreamInitiative = "a1b2c3d4-0000-4000-8000-000000000004";
inline constexpr const char* kFourStreamInitiativeName = "Four streams";
inline constexpr const char* kFourStreamPrd = "PRD-four-streams";

}  // namespace supervise::testing
