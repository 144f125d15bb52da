#include "supervisor/taskcopilot/task_store.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>
#include <sqlite3.h>

#include <system_error>

#include "supervisor/taskcopilot/stream_rules.hpp"

namespace supervise::taskcopilot {

namespace {

namespace fs = std::filesystem;

/// Turns a SQLite exception about `path` into an error value.
Error sqlite_error(const fs::path& path, const SQLite::Exception& exception,
                   std::chrono::milliseconds busy_timeout) {
  const int primary = exception.getErrorCode() & 0xff;
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
    return Error{ErrorCode::busy,
                 fmt::format("{} stayed locked by a writer for the whole busy timeout of {} ms: {}",
                             path.string(), busy_timeout.count(), exception.what())};
  }
  return Error{ErrorCode::sqlite, fmt::format("{}: {}", path.string(), exception.what())};
}

/// Opens `path` read-only and checks that it has `tables`.
Result<std::unique_ptr<SQLite::Database>> open_read_only(const fs::path& path,
                                                         std::initializer_list<const char*> tables,
                                                         std::chrono::milliseconds busy_timeout) {
  std::error_code error;
  if (!fs::is_regular_file(path, error)) {
    return Error{ErrorCode::missing_database, fmt::format("database not found: {}", path.string())};
  }
  try {
    auto database = std::make_unique<SQLite::Database>(path.string(), SQLite::OPEN_READONLY,
                                                       static_cast<int>(busy_timeout.count()));
    for (const char* table : tables) {
      if (!database->tableExists(table)) {
        return Error{ErrorCode::missing_table,
                     fmt::format("{} has no table '{}'", path.string(), table)};
      }
    }
    return database;
  } catch (const SQLite::Exception& exception) {
    return sqlite_error(path, exception, busy_timeout);
  }
}

std::optional<std::string> optional_text(const SQLite::Column& column) {
  if (column.isNull()) {
    return std::nullopt;
  }
  return column.getString();
}

/// The non-archived tasks whose PRD belongs to the initiative. A task
/// without a PRD has no initiative and so never counts.
constexpr const char* kInitiativeTasksSql = R"sql(
SELECT t.id, t.title, t.assigned_agent, t.status, t.metadata, t.created_at
FROM tasks AS t JOIN prds AS p ON p.id = t.prd_id
WHERE p.initiative_id = ? AND COALESCE(t.archived, 0) = 0
ORDER BY t.created_at, t.id
)sql";

constexpr const char* kActiveInitiativeSql = R"sql(
SELECT id, name, status, created_at FROM initiatives
WHERE status IN ('IN PROGRESS', 'BLOCKED', 'NOT STARTED')
ORDER BY CASE status WHEN 'IN PROGRESS' THEN 0 WHEN 'BLOCKED' THEN 1 ELSE 2 END,
         created_at DESC, id
LIMIT 1
)sql";

constexpr const char* kInitiativeByIdSql = R"sql(
SELECT id, name, status, created_at FROM initiatives WHERE id = ?
)sql";

Result<std::vector<TaskRow>> initiative_tasks(SQLite::Database& database, const fs::path& path,
                                              const std::string& initiative_id,
                                              std::chrono::milliseconds busy_timeout) {
  try {
    SQLite::Statement query(database, kInitiativeTasksSql);
    query.bind(1, initiative_id);
    std::vector<TaskRow> rows;
    while (query.executeStep()) {
      rows.push_back({query.getColumn(0).getString(), query.getColumn(1).getString(),
                      optional_text(query.getColumn(2)), query.getColumn(3).getString(),
                      optional_text(query.getColumn(4)), query.getColumn(5).getString()});
    }
    return rows;
  } catch (const SQLite::Exception& exception) {
    return sqlite_error(path, exception, busy_timeout);
  }
}

}  // namespace

TaskStore::TaskStore(fs::path tasks_db, fs::path memory_db, std::chrono::milliseconds busy_timeout,
                     std::unique_ptr<SQLite::Database> tasks)
    : tasks_db_(std::move(tasks_db)),
      memory_db_(std::move(memory_db)),
      busy_timeout_(busy_timeout),
      tasks_(std::move(tasks)) {}

TaskStore::~TaskStore() = default;
TaskStore::TaskStore(TaskStore&&) noexcept = default;
TaskStore& TaskStore::operator=(TaskStore&&) noexcept = default;

namespace {

Result<std::optional<Initiative>> query_initiative(const fs::path& memory_db,
                                                   std::chrono::milliseconds busy_timeout,
                                                   const std::string& sql,
                                                   const std::optional<std::string>& id) {
  auto database = open_read_only(memory_db, {"initiatives"}, busy_timeout);
  if (!database) {
    if (database.error().code == ErrorCode::missing_database) {
      return std::optional<Initiative>();
    }
    return database.error();
  }
  try {
    SQLite::Statement query(**database, sql);
    if (id) {
      query.bind(1, *id);
    }
    if (!query.executeStep()) {
      return std::optional<Initiative>();
    }
    return std::optional<Initiative>(
        Initiative{query.getColumn(0).getString(), optional_text(query.getColumn(1)),
                   query.getColumn(2).getString(), query.getColumn(3).getString()});
  } catch (const SQLite::Exception& exception) {
    return sqlite_error(memory_db, exception, busy_timeout);
  }
}

}  // namespace

Result<TaskStore> TaskStore::open(const fs::path& tasks_db, const fs::path& memory_db,
                                  std::chrono::milliseconds busy_timeout) {
  auto database = open_read_only(tasks_db, {"tasks", "prds"}, busy_timeout);
  if (!database) {
    return database.error();
  }
  return TaskStore(tasks_db, memory_db, busy_timeout, std::move(database).value());
}

Result<TaskStore> TaskStore::open(const ProjectLayout& layout,
                                  std::chrono::milliseconds busy_timeout) {
  return open(layout.tasks_db, layout.memory_db, busy_timeout);
}

Result<std::optional<Initiative>> TaskStore::query_initiative(
    const std::string& sql, const std::optional<std::string>& id) const {
  return taskcopilot::query_initiative(memory_db_, busy_timeout_, sql, id);
}

Result<std::optional<Initiative>> read_active_initiative(const fs::path& memory_db,
                                                         std::chrono::milliseconds busy_timeout) {
  return query_initiative(memory_db, busy_timeout, kActiveInitiativeSql, std::nullopt);
}

Result<std::optional<Initiative>> TaskStore::active_initiative() const {
  return query_initiative(kActiveInitiativeSql, std::nullopt);
}

Result<std::optional<Initiative>> TaskStore::initiative(const std::string& id) const {
  return query_initiative(kInitiativeByIdSql, id);
}

Result<StreamSet> TaskStore::streams(const std::string& initiative_id) const {
  auto rows = initiative_tasks(*tasks_, tasks_db_, initiative_id, busy_timeout_);
  if (!rows) {
    return rows.error();
  }
  return build_streams(*rows);
}

Result<std::vector<StreamProgress>> TaskStore::progress(const std::string& initiative_id) const {
  auto set = streams(initiative_id);
  if (!set) {
    return set.error();
  }
  std::vector<StreamProgress> progress;
  progress.reserve(set->streams.size());
  for (Stream& stream : set->streams) {
    progress.push_back(std::move(stream.progress));
  }
  return progress;
}

Result<std::vector<StreamTask>> TaskStore::stream_tasks(const std::string& initiative_id,
                                                        const std::string& stream_id) const {
  auto set = streams(initiative_id);
  if (!set) {
    return set.error();
  }
  for (Stream& stream : set->streams) {
    if (stream.id == stream_id) {
      return std::move(stream.tasks);
    }
  }
  return std::vector<StreamTask>();
}

}  // namespace supervise::taskcopilot
