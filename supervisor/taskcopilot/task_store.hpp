#pragma once

// Read-only access to a project's Task Copilot databases (tasks.db) and
// Memory Copilot database (memory.db), with the rules of LEGACY_CONTRACT.md §3
// applied by stream_rules.hpp.
//
// Concurrency. Agents write tasks.db through the Task Copilot server while we
// read it. Every connection is opened read-only with a busy timeout
// (5 s by default): when a writer holds a lock that blocks readers (a
// rollback-journal database during a commit), SQLite retries for up to the
// timeout; a lock still held then is an ErrorCode::busy error, and the caller
// simply reads again on its next cue. We add no retry loop of our own: the
// timeout is the retry, and a caller that polls must not stall longer.
//
// WAL. A WAL database is read while writers commit, without waiting. A
// read-only connection needs the -wal and -shm files: when they are missing
// (the last writer closed cleanly) SQLite creates them, which needs write
// access to the database's directory; when it cannot, the first read fails
// (SQLITE_CANTOPEN, reported as ErrorCode::sqlite naming the path). We never
// write the databases themselves.

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "supervisor/taskcopilot/error.hpp"
#include "supervisor/taskcopilot/model.hpp"
#include "supervisor/taskcopilot/project_layout.hpp"

namespace SQLite {
class Database;
}

namespace supervise::taskcopilot {

/// The active initiative (the rule of TaskStore::active_initiative) read
/// from memory.db alone, for a caller that has no tasks.db to open.
Result<std::optional<Initiative>> read_active_initiative(
    const std::filesystem::path& memory_db,
    std::chrono::milliseconds busy_timeout = std::chrono::milliseconds(5000));

class TaskStore {
 public:
  static constexpr std::chrono::milliseconds kDefaultBusyTimeout{5000};

  /// Opens tasks.db (which must exist and hold `tasks` and `prds`). memory.db
  /// is opened on each initiative query instead, because it may appear later
  /// and its absence only means "no active initiative".
  static Result<TaskStore> open(const std::filesystem::path& tasks_db,
                                const std::filesystem::path& memory_db,
                                std::chrono::milliseconds busy_timeout = kDefaultBusyTimeout);
  static Result<TaskStore> open(const ProjectLayout& layout,
                                std::chrono::milliseconds busy_timeout = kDefaultBusyTimeout);

  ~TaskStore();
  TaskStore(TaskStore&&) noexcept;
  TaskStore& operator=(TaskStore&&) noexcept;

  const std::filesystem::path& tasks_db() const { return tasks_db_; }
  const std::filesystem::path& memory_db() const { return memory_db_; }

  /// The first initiative with status `IN PROGRESS`, then `BLOCKED`, then
  /// `NOT STARTED`, newest created_at first. None when memory.db does not
  /// exist or no initiative has one of those statuses.
  Result<std::optional<Initiative>> active_initiative() const;

  /// The initiative with this id; none when memory.db does not exist or has
  /// no such row.
  Result<std::optional<Initiative>> initiative(const std::string& id) const;

  /// The streams of the initiative with their tasks, dependencies and
  /// progress, plus warnings about data the rules skipped.
  Result<StreamSet> streams(const std::string& initiative_id) const;

  /// Progress of every stream of the initiative, in stream order: one query,
  /// cheap enough to run on every change of the database. A stream missing
  /// from the result has no tasks left (all archived) and is not complete.
  Result<std::vector<StreamProgress>> progress(const std::string& initiative_id) const;

  /// The tasks of one stream for its prompt, ordered by created_at then id;
  /// empty when the stream has none.
  Result<std::vector<StreamTask>> stream_tasks(const std::string& initiative_id,
                                               const std::string& stream_id) const;

 private:
  TaskStore(std::filesystem::path tasks_db, std::filesystem::path memory_db,
            std::chrono::milliseconds busy_timeout, std::unique_ptr<SQLite::Database> tasks);

  Result<std::optional<Initiative>> query_initiative(const std::string& sql,
                                                     const std::optional<std::string>& id) const;

  std::filesystem::path tasks_db_;
  std::filesystem::path memory_db_;
  std::chrono::milliseconds busy_timeout_;
  std::unique_ptr<SQLite::Database> tasks_;
};

}  // namespace supervise::taskcopilot
