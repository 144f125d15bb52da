#include "supervisor/journal/journal.hpp"

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <sqlite3.h>
#include <sys/time.h>
#include <time.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <system_error>

namespace supervise::journal {

namespace {

constexpr int kBusyTimeoutMs = 5000;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS entries (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  initiative TEXT NOT NULL,
  child TEXT NOT NULL,
  kind TEXT NOT NULL,
  pid INTEGER,
  exit_code INTEGER,
  signal INTEGER,
  uptime_ms INTEGER,
  reason TEXT NOT NULL DEFAULT '',
  detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS entries_by_child ON entries(child, id);
CREATE TABLE IF NOT EXISTS child_history (
  initiative TEXT NOT NULL,
  child TEXT NOT NULL,
  restarts INTEGER NOT NULL DEFAULT 0,
  failed INTEGER NOT NULL DEFAULT 0,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (initiative, child)
);
)sql";

/// Why the file at `path` cannot be used as a journal, or "" when it can.
std::string check_existing(SQLite::Database& db) {
  const std::string integrity = db.execAndGet("PRAGMA quick_check").getString();
  if (integrity != "ok") {
    return "integrity check failed: " + integrity;
  }
  const int version = db.execAndGet("PRAGMA user_version").getInt();
  const bool has_tables =
      db.execAndGet("SELECT count(*) FROM sqlite_master WHERE name = 'entries'").getInt() > 0;
  if (version == 0 && !has_tables) {
    return "";  // empty file, e.g. created by touch: fine to initialise
  }
  if (version != Journal::kSchemaVersion) {
    return "schema version " + std::to_string(version) + ", expected " +
           std::to_string(Journal::kSchemaVersion);
  }
  return "";
}

std::filesystem::path set_aside_name(const std::filesystem::path& path) {
  std::string stamp = local_iso_time_now();
  for (char& c : stamp) {
    if (c == ':') {
      c = '-';
    }
  }
  return path.string() + ".bad-" + stamp;
}

template <typename T>
void bind_optional(SQLite::Statement& statement, int index, const std::optional<T>& value) {
  if (value) {
    if constexpr (std::is_same_v<T, long long>) {
      statement.bind(index, static_cast<std::int64_t>(*value));
    } else {
      statement.bind(index, *value);
    }
  } else {
    statement.bind(index);
  }
}

template <typename T>
std::optional<T> optional_column(SQLite::Statement& statement, int index) {
  const SQLite::Column column = statement.getColumn(index);
  if (column.isNull()) {
    return std::nullopt;
  }
  if constexpr (std::is_same_v<T, int>) {
    return column.getInt();
  } else {
    return column.getInt64();
  }
}

}  // namespace

std::string_view to_string(EntryKind value) {
  switch (value) {
    case EntryKind::start:
      return "start";
    case EntryKind::exit:
      return "exit";
    case EntryKind::restart:
      return "restart";
    case EntryKind::backoff:
      return "backoff";
    case EntryKind::give_up:
      return "give_up";
    case EntryKind::command:
      return "command";
    case EntryKind::stop:
      return "stop";
    case EntryKind::done:
      return "done";
    case EntryKind::dropped:
      return "dropped";
    case EntryKind::stalled:
      return "stalled";
    case EntryKind::unstalled:
      return "unstalled";
    case EntryKind::intensity:
      return "intensity";
    case EntryKind::finished:
      return "finished";
  }
  return "?";
}

std::optional<EntryKind> entry_kind_from_string(std::string_view text) {
  for (EntryKind kind : {EntryKind::start, EntryKind::exit, EntryKind::restart, EntryKind::backoff,
                         EntryKind::give_up, EntryKind::command, EntryKind::stop, EntryKind::done,
                         EntryKind::dropped, EntryKind::stalled, EntryKind::unstalled,
                         EntryKind::intensity, EntryKind::finished}) {
    if (to_string(kind) == text) {
      return kind;
    }
  }
  return std::nullopt;
}

std::string local_iso_time(std::chrono::system_clock::time_point time) {
  const std::time_t whole = std::chrono::system_clock::to_time_t(time);
  tm local{};
  localtime_r(&whole, &local);
  auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(time.time_since_epoch()).count() %
      1'000'000;
  if (micros < 0) {  // before the epoch: to_time_t rounded towards zero
    micros += 1'000'000;
  }
  std::array<char, 64> buffer{};
  const std::size_t length = strftime(buffer.data(), buffer.size(), "%Y-%m-%dT%H:%M:%S", &local);
  std::snprintf(buffer.data() + length, buffer.size() - length, ".%06lld",
                static_cast<long long>(micros));
  return buffer.data();
}

std::string local_iso_time_now() {
  return local_iso_time(std::chrono::system_clock::now());
}

Journal::Journal(std::filesystem::path path, std::unique_ptr<SQLite::Database> db)
    : path_(std::move(path)), db_(std::move(db)) {}

Journal::~Journal() = default;

void Journal::write_transaction(const std::function<void()>& work) {
  db_->exec("BEGIN IMMEDIATE");
  try {
    work();
    db_->exec("COMMIT");
  } catch (...) {
    try {
      db_->exec("ROLLBACK");
    } catch (const SQLite::Exception&) {
      // SQLite already rolled back (e.g. after SQLITE_FULL); nothing to undo.
    }
    throw;
  }
}

void Journal::set_busy_timeout(std::chrono::milliseconds timeout) {
  db_->setBusyTimeout(static_cast<int>(timeout.count()));
}

Journal::OpenResult Journal::open(const std::filesystem::path& path,
                                  std::chrono::milliseconds busy_timeout) {
  OpenResult result;
  try {
    if (std::filesystem::exists(path)) {
      std::string why;
      try {
        SQLite::Database existing(path.string(), SQLite::OPEN_READONLY,
                                  static_cast<int>(busy_timeout.count()));
        why = check_existing(existing);
      } catch (const SQLite::Exception& error) {
        // Only a file that is not a database, or a damaged one, is set aside.
        // Busy, permissions, no file descriptors: the journal may be fine and
        // hold restart counts worth keeping, so run without it instead.
        const int code = error.getErrorCode() & 0xff;
        if (code != SQLITE_NOTADB && code != SQLITE_CORRUPT) {
          result.error = "cannot check journal " + path.string() + ": " + error.what();
          return result;
        }
        why = error.what();
      }
      if (!why.empty()) {
        const auto aside = set_aside_name(path);
        std::filesystem::rename(path, aside);
        for (const char* suffix : {"-wal", "-shm"}) {
          std::error_code ignored;
          std::filesystem::rename(path.string() + suffix, aside.string() + suffix, ignored);
        }
        result.notices.push_back("journal " + path.string() + " set aside as " + aside.string() +
                                 " (" + why + "); starting a new one");
      }
    }
    auto db = std::make_unique<SQLite::Database>(path.string(),
                                                 SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE,
                                                 static_cast<int>(busy_timeout.count()));
    db->exec("PRAGMA journal_mode = WAL");
    db->exec("PRAGMA synchronous = NORMAL");
    SQLite::Transaction transaction(*db);
    db->exec(kSchema);
    db->exec("PRAGMA user_version = " + std::to_string(kSchemaVersion));
    transaction.commit();
    result.journal.reset(new Journal(path, std::move(db)));
  } catch (const std::exception& error) {
    result.error = "cannot open journal " + path.string() + ": " + error.what();
  }
  return result;
}

std::unique_ptr<Journal> Journal::open_read_only(const std::filesystem::path& path,
                                                 std::string& why) {
  if (!std::filesystem::exists(path)) {
    why = "no journal at " + path.string();
    return nullptr;
  }
  try {
    auto db =
        std::make_unique<SQLite::Database>(path.string(), SQLite::OPEN_READONLY, kBusyTimeoutMs);
    why = check_existing(*db);
    if (!why.empty()) {
      return nullptr;
    }
    if (db->execAndGet("SELECT count(*) FROM sqlite_master WHERE name = 'entries'").getInt() == 0) {
      why = "journal " + path.string() + " is empty";
      return nullptr;
    }
    return std::unique_ptr<Journal>(new Journal(path, std::move(db)));
  } catch (const std::exception& error) {
    why = "cannot read journal " + path.string() + ": " + error.what();
    return nullptr;
  }
}

void Journal::record(Entry entry) {
  if (entry.at.empty()) {
    entry.at = local_iso_time_now();
  }
  if (!insert_entry_) {
    insert_entry_ = std::make_unique<SQLite::Statement>(
        *db_,
        "INSERT INTO entries (at, initiative, child, kind, pid, exit_code, "
        "signal, uptime_ms, reason, detail) VALUES (?,?,?,?,?,?,?,?,?,?)");
  }
  SQLite::Statement& insert = *insert_entry_;
  insert.tryReset();  // its code repeats the last run's error, already reported
  insert.bind(1, entry.at);
  insert.bind(2, entry.initiative);
  insert.bind(3, entry.child);
  insert.bind(4, std::string(to_string(entry.kind)));
  bind_optional(insert, 5, entry.pid);
  bind_optional(insert, 6, entry.exit_code);
  bind_optional(insert, 7, entry.signal);
  bind_optional(insert, 8, entry.uptime_ms);
  insert.bind(9, entry.reason);
  insert.bind(10, entry.detail);
  insert.exec();
}

std::map<std::string, ChildHistory> Journal::histories(const std::string& initiative) const {
  std::map<std::string, ChildHistory> result;
  SQLite::Statement query(*db_,
                          "SELECT child, restarts, failed FROM child_history WHERE initiative = ?");
  query.bind(1, initiative);
  while (query.executeStep()) {
    result[query.getColumn(0).getString()] =
        ChildHistory{query.getColumn(1).getInt(), query.getColumn(2).getInt() != 0};
  }
  return result;
}

void Journal::set_history(const std::string& initiative, const std::string& child,
                          const ChildHistory& history) {
  if (!upsert_history_) {
    upsert_history_ = std::make_unique<SQLite::Statement>(
        *db_,
        "INSERT INTO child_history (initiative, child, restarts, failed, updated_at) "
        "VALUES (?,?,?,?,?) ON CONFLICT (initiative, child) DO UPDATE SET "
        "restarts = excluded.restarts, failed = excluded.failed, updated_at = "
        "excluded.updated_at");
  }
  SQLite::Statement& upsert = *upsert_history_;
  upsert.tryReset();
  upsert.bind(1, initiative);
  upsert.bind(2, child);
  upsert.bind(3, history.restarts);
  upsert.bind(4, history.failed ? 1 : 0);
  upsert.bind(5, local_iso_time_now());
  upsert.exec();
}

void Journal::forget(const std::string& initiative, const std::string& child) {
  SQLite::Statement remove(*db_, "DELETE FROM child_history WHERE initiative = ? AND child = ?");
  remove.bind(1, initiative);
  remove.bind(2, child);
  remove.exec();
}

std::size_t Journal::prune(std::chrono::system_clock::time_point cutoff, std::size_t chunk) {
  // Rows are numbered in the order they were recorded, so everything below
  // the first row recorded at or after the cutoff is older. `at` is local
  // time in one fixed format: it sorts as text.
  const std::string before = local_iso_time(cutoff);
  std::int64_t bound = 0;
  {
    SQLite::Statement first_kept(*db_, "SELECT id FROM entries WHERE at >= ? ORDER BY id LIMIT 1");
    first_kept.bind(1, before);
    if (first_kept.executeStep()) {
      bound = first_kept.getColumn(0).getInt64();
    } else {
      bound = db_->execAndGet("SELECT COALESCE(MAX(id), 0) + 1 FROM entries").getInt64();
    }
  }
  std::size_t deleted = 0;
  SQLite::Statement remove(*db_,
                           "DELETE FROM entries WHERE id IN "
                           "(SELECT id FROM entries WHERE id < ? ORDER BY id LIMIT ?)");
  for (;;) {
    remove.tryReset();
    remove.bind(1, bound);
    remove.bind(2, static_cast<std::int64_t>(chunk));
    int changed = 0;
    write_transaction([&] { changed = remove.exec(); });
    deleted += static_cast<std::size_t>(changed);
    if (static_cast<std::size_t>(changed) < chunk) {
      return deleted;
    }
  }
}

std::size_t Journal::entry_count() const {
  return static_cast<std::size_t>(db_->execAndGet("SELECT count(*) FROM entries").getInt64());
}

std::vector<Entry> Journal::recent(const std::string& child, int limit) const {
  SQLite::Statement query(*db_,
                          "SELECT at, initiative, child, kind, pid, exit_code, signal, uptime_ms, "
                          "reason, detail FROM entries WHERE (? = '' OR child = ?) "
                          "ORDER BY id DESC LIMIT ?");
  query.bind(1, child);
  query.bind(2, child);
  query.bind(3, limit);
  std::vector<Entry> entries;
  while (query.executeStep()) {
    Entry entry;
    entry.at = query.getColumn(0).getString();
    entry.initiative = query.getColumn(1).getString();
    entry.child = query.getColumn(2).getString();
    // Rows come only from record(); an unknown kind would mean a newer
    // writer, which the schema version already excludes.
    entry.kind = entry_kind_from_string(query.getColumn(3).getString()).value_or(EntryKind::start);
    entry.pid = optional_column<int>(query, 4);
    entry.exit_code = optional_column<int>(query, 5);
    entry.signal = optional_column<int>(query, 6);
    entry.uptime_ms = optional_column<long long>(query, 7);
    entry.reason = query.getColumn(8).getString();
    entry.detail = query.getColumn(9).getString();
    entries.push_back(std::move(entry));
  }
  return entries;
}

}  // namespace supervise::journal
