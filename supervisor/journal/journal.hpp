#pragma once

// The journal: `supervise.db` in the orchestrator dir. One row per thing that
// happened to a child (start, exit, restart, backoff, give-up, operator
// command), and per child the restart count and failed mark, so that
// `max_restarts` holds across restarts of the supervisor and of the legacy
// monitor. `status` works without it; nothing else depends on it being there.

#include <SQLiteCpp/Database.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace SQLite {
class Statement;
}

namespace supervise::journal {

enum class EntryKind {
  start,      ///< a worker was spawned (or adopted)
  exit,       ///< a worker's process group ended
  restart,    ///< a restart was decided
  backoff,    ///< a restart was scheduled after a delay
  give_up,    ///< the child was marked failed
  command,    ///< an operator command
  stop,       ///< the child was stopped on purpose
  done,       ///< the child's work is complete
  dropped,    ///< the journal itself could not keep up and dropped entries (detail: how many)
  stalled,    ///< a running worker showed no sign of work for its stall_after
  unstalled,  ///< a stalled worker showed work again
  intensity,  ///< a supervisor node exceeded its restart intensity (child: the node)
  finished,   ///< the whole tree ended (reason: its outcome, e.g. all_done)
};
std::string_view to_string(EntryKind value);
std::optional<EntryKind> entry_kind_from_string(std::string_view text);

struct Entry {
  std::string at;  ///< local ISO 8601 time; filled by record() when empty
  std::string initiative;
  std::string child;
  EntryKind kind = EntryKind::start;
  std::optional<int> pid;
  std::optional<int> exit_code;
  std::optional<int> signal;
  std::optional<long long> uptime_ms;
  std::string reason;
  std::string detail;
};

/// What survives a restart of the supervisor about one child.
struct ChildHistory {
  int restarts = 0;
  bool failed = false;

  bool operator==(const ChildHistory&) const = default;
};

class Journal {
 public:
  /// Bumped whenever the schema changes; a journal with another version is
  /// set aside, never silently reused.
  static constexpr int kSchemaVersion = 1;

  struct OpenResult {
    std::unique_ptr<Journal> journal;  ///< null when `error` is set
    /// Things a person should know, e.g. that a damaged journal was moved.
    std::vector<std::string> notices;
    std::string error;
  };

  /// Opens or creates the journal at `path`. A file of another schema version,
  /// or one that is not a healthy SQLite database, is renamed to
  /// `<path>.bad-<time>` (reported in `notices`) and a new journal is made.
  static OpenResult open(const std::filesystem::path& path,
                         std::chrono::milliseconds busy_timeout = std::chrono::seconds(5));

  /// Opens an existing journal read-only, for `status`; nullopt-like (null)
  /// when missing, damaged or of another version (`why` says which).
  static std::unique_ptr<Journal> open_read_only(const std::filesystem::path& path,
                                                 std::string& why);

  ~Journal();
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  void record(Entry entry);

  /// Restart count and failed mark of every child of `initiative`.
  std::map<std::string, ChildHistory> histories(const std::string& initiative) const;
  void set_history(const std::string& initiative, const std::string& child,
                   const ChildHistory& history);
  /// Clears what is known of one child (an operator `start` gives it a new life).
  void forget(const std::string& initiative, const std::string& child);

  /// Deletes the entries recorded before `cutoff` (child histories stay),
  /// at most `chunk` rows per transaction so that another writer never waits
  /// long; returns how many were deleted. Rows are deleted oldest first, by
  /// id, so the cost is in the rows deleted, not in the rows kept.
  std::size_t prune(std::chrono::system_clock::time_point cutoff, std::size_t chunk = 10'000);
  /// How many entries the journal holds.
  std::size_t entry_count() const;

  /// The newest `limit` entries of `child` (all children when empty), newest first.
  std::vector<Entry> recent(const std::string& child, int limit) const;

  /// Runs `work` (calls of record(), set_history(), forget()) as one write
  /// transaction: BEGIN IMMEDIATE, so a lock held by another writer shows up
  /// at once as busy (after the busy timeout) instead of halfway through;
  /// committed when `work` returns, rolled back when anything throws (the
  /// exception is rethrown). One commit for many rows is what makes batched
  /// writing cheap.
  void write_transaction(const std::function<void()>& work);

  /// How long a statement waits for another connection's lock before it
  /// fails with SQLITE_BUSY.
  void set_busy_timeout(std::chrono::milliseconds timeout);

  const std::filesystem::path& path() const { return path_; }

 private:
  Journal(std::filesystem::path path, std::unique_ptr<SQLite::Database> db);

  std::filesystem::path path_;
  std::unique_ptr<SQLite::Database> db_;
  // Prepared once, reused: preparing costs more than the insert itself.
  std::unique_ptr<SQLite::Statement> insert_entry_;
  std::unique_ptr<SQLite::Statement> upsert_history_;
};

/// Local time as `2026-01-13T10:30:30.456789` (the legacy log's format).
std::string local_iso_time(std::chrono::system_clock::time_point time);
std::string local_iso_time_now();

}  // namespace supervise::journal
