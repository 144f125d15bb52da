#include "tests/support/task_copilot_fixture.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

namespace supervise::testing {

namespace {

namespace fs = std::filesystem;

constexpr int kBusyTimeoutMs = 5000;
constexpr std::string_view kTasksSection = "-- @tasks.db";
constexpr std::string_view kMemorySection = "-- @memory.db";

/// The schema file split into its tasks.db and memory.db parts.
std::pair<std::string, std::string> read_schema() {
  const fs::path path =
      fs::path(SUPERVISE_SOURCE_DIR) / "tests" / "support" / "task_copilot_schema.sql";
  std::ifstream in(path);
  if (!in) {
    throw std::runtime_error("cannot read " + path.string());
  }
  std::ostringstream text;
  text << in.rdbuf();
  const std::string schema = text.str();
  const auto tasks = schema.find(kTasksSection);
  const auto memory = schema.find(kMemorySection);
  if (tasks == std::string::npos || memory == std::string::npos || memory < tasks) {
    throw std::runtime_error(path.string() + " lacks its @tasks.db/@memory.db sections");
  }
  return {schema.substr(tasks, memory - tasks), schema.substr(memory)};
}

std::unique_ptr<SQLite::Database> create(const fs::path& path, const std::string& schema,
                                         JournalMode mode) {
  if (path.has_parent_path()) {
    fs::create_directories(path.parent_path());
  }
  auto database = std::make_unique<SQLite::Database>(
      path.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE, kBusyTimeoutMs);
  switch (mode) {
    case JournalMode::wal:
      database->exec("PRAGMA journal_mode = WAL");
      break;
    case JournalMode::rollback:
      database->exec("PRAGMA journal_mode = DELETE");
      break;
  }
  database->exec(schema);
  return database;
}

void bind_optional(SQLite::Statement& statement, int index,
                   const std::optional<std::string>& value) {
  if (value) {
    statement.bind(index, *value);
  } else {
    statement.bind(index);
  }
}

}  // namespace

std::string stream_metadata(std::string_view stream_id, std::string_view stream_name,
                            const std::vector<std::string>& dependencies, std::string_view phase) {
  nlohmann::json metadata = nlohmann::json::object();
  metadata["streamId"] = stream_id;
  if (!stream_name.empty()) {
    metadata["streamName"] = stream_name;
  }
  if (!dependencies.empty()) {
    metadata["dependencies"] = dependencies;
  }
  if (!phase.empty()) {
    metadata["phase"] = phase;
  }
  return metadata.dump();
}

TaskCopilotFixture::TaskCopilotFixture(const fs::path& dir, JournalMode mode)
    : TaskCopilotFixture(dir / "tasks.db", dir / "memory.db", mode) {}

TaskCopilotFixture::TaskCopilotFixture(const fs::path& tasks_db, const fs::path& memory_db,
                                       JournalMode mode)
    : tasks_db_(tasks_db), memory_db_(memory_db) {
  const auto [tasks_schema, memory_schema] = read_schema();
  tasks_ = create(tasks_db_, tasks_schema, mode);
  memory_ = create(memory_db_, memory_schema, mode);
}

TaskCopilotFixture::~TaskCopilotFixture() = default;
TaskCopilotFixture::TaskCopilotFixture(TaskCopilotFixture&&) noexcept = default;
TaskCopilotFixture& TaskCopilotFixture::operator=(TaskCopilotFixture&&) noexcept = default;

std::string TaskCopilotFixture::next_timestamp() {
  ++clock_;
  return fmt::format("2026-01-01T{:02}:{:02}:{:02}.000Z", clock_ / 3600 % 24, clock_ / 60 % 60,
                     clock_ % 60);
}

TaskCopilotFixture& TaskCopilotFixture::add_initiative(const std::string& id,
                                                       const std::string& name,
                                                       const std::string& status,
                                                       const std::string& created_at) {
  SQLite::Statement insert(memory_connection(),
                           "INSERT INTO initiatives (id, project_id, name, status, created_at, "
                           "updated_at) VALUES (?, 'project', ?, ?, ?, ?)");
  const std::string when = created_at.empty() ? next_timestamp() : created_at;
  insert.bind(1, id);
  insert.bind(2, name);
  insert.bind(3, status);
  insert.bind(4, when);
  insert.bind(5, when);
  insert.exec();
  return *this;
}

TaskCopilotFixture& TaskCopilotFixture::add_prd(const std::string& id,
                                                const std::string& initiative_id,
                                                const std::string& status) {
  SQLite::Statement insert(tasks_connection(),
                           "INSERT INTO prds (id, initiative_id, title, metadata, status, "
                           "created_at, updated_at) VALUES (?, ?, ?, '{}', ?, ?, ?)");
  const std::string when = next_timestamp();
  insert.bind(1, id);
  insert.bind(2, initiative_id);
  insert.bind(3, "PRD " + id);
  insert.bind(4, status);
  insert.bind(5, when);
  insert.bind(6, when);
  insert.exec();
  return *this;
}

TaskCopilotFixture& TaskCopilotFixture::add_task(const FixtureTask& task) {
  SQLite::Statement insert(
      tasks_connection(),
      "INSERT INTO tasks (id, prd_id, title, assigned_agent, status, metadata, "
      "created_at, updated_at, archived) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  const std::string when = task.created_at.empty() ? next_timestamp() : task.created_at;
  insert.bind(1, task.id);
  bind_optional(insert, 2, task.prd_id);
  insert.bind(3, task.title);
  bind_optional(insert, 4, task.assigned_agent);
  insert.bind(5, task.status);
  bind_optional(insert, 6, task.metadata);
  insert.bind(7, when);
  insert.bind(8, when);
  insert.bind(9, task.archived ? 1 : 0);
  insert.exec();
  return *this;
}

TaskCopilotFixture& TaskCopilotFixture::set_task_status(const std::string& task_id,
                                                        const std::string& status) {
  SQLite::Statement update(tasks_connection(),
                           "UPDATE tasks SET status = ?, updated_at = ? WHERE id = ?");
  update.bind(1, status);
  update.bind(2, next_timestamp());
  update.bind(3, task_id);
  if (update.exec() != 1) {
    throw std::runtime_error("no task " + task_id);
  }
  return *this;
}

TaskCopilotFixture& TaskCopilotFixture::set_task_archived(const std::string& task_id,
                                                          bool archived) {
  SQLite::Statement update(tasks_connection(), "UPDATE tasks SET archived = ? WHERE id = ?");
  update.bind(1, archived ? 1 : 0);
  update.bind(2, task_id);
  if (update.exec() != 1) {
    throw std::runtime_error("no task " + task_id);
  }
  return *this;
}

TaskCopilotFixture& TaskCopilotFixture::complete_stream(const std::string& stream_id) {
  SQLite::Statement update(
      tasks_connection(),
      "UPDATE tasks SET status = 'completed', updated_at = ? "
      "WHERE json_valid(metadata) AND json_extract(metadata, '$.streamId') = ?");
  update.bind(1, next_timestamp());
  update.bind(2, stream_id);
  if (update.exec() == 0) {
    throw std::runtime_error("no task in stream " + stream_id);
  }
  return *this;
}

void TaskCopilotFixture::remove_memory_db() {
  memory_.reset();
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    fs::remove(fs::path(memory_db_.string() + suffix));
  }
}

SQLite::Database& TaskCopilotFixture::tasks_connection() {
  if (!tasks_) {
    throw std::logic_error("tasks.db connection is closed");
  }
  return *tasks_;
}

SQLite::Database& TaskCopilotFixture::memory_connection() {
  if (!memory_) {
    throw std::logic_error("memory.db was removed");
  }
  return *memory_;
}

TaskCopilotFixture make_four_stream_project(const fs::path& dir) {
  return make_four_stream_project(dir / "tasks.db", dir / "memory.db");
}

TaskCopilotFixture make_four_stream_project(const fs::path& tasks_db, const fs::path& memory_db) {
  TaskCopilotFixture fixture(tasks_db, memory_db);
  fixture.add_initiative(kFourStreamInitiative, kFourStreamInitiativeName)
      .add_prd(kFourStreamPrd, kFourStreamInitiative);
  struct StreamDefinition {
    const char* letter;
    const char* name;
    std::vector<std::string> dependencies;
  };
  const std::vector<StreamDefinition> streams{
      {"A", "Foundation", {}},
      {"B", "Backend", {"Stream-A"}},
      {"C", "Frontend", {"Stream-A"}},
      {"Z", "Integration", {"Stream-B", "Stream-C"}},
  };
  for (const StreamDefinition& stream : streams) {
    for (int number = 1; number <= 2; ++number) {
      fixture.add_task({.id = fmt::format("TASK-{}{}", stream.letter, number),
                        .prd_id = kFourStreamPrd,
                        .title = fmt::format("{} task {}", stream.name, number),
                        .metadata = stream_metadata(fmt::format("Stream-{}", stream.letter),
                                                    stream.name, stream.dependencies)});
    }
  }
  return fixture;
}

}  // namespace supervise::testing
