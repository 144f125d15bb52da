#pragma once

// The journal as the event loop uses it: record(), set_history() and
// forget() only put the write in a queue and return at once; one writer
// thread owns the SQLite connection and writes what has queued up, in order,
// in one transaction per wake-up. A locked or full database never holds up
// supervision: the writer retries with backoff and catches up, and when the
// queue overflowed meanwhile it drops the oldest entries, never a child's
// latest restart history, and writes a row saying how many it dropped.
//
//   auto opened = Journal::open(path);                 // at boot, to read histories()
//   JournalWriter writer(std::move(opened.journal));   // or JournalWriter(path)
//   writer.record(entry);                              // on the loop: no I/O
//   writer.flush(std::chrono::seconds(2));             // at shutdown (the destructor does it too)
//
// Logs go through spdlog from the writer thread: the first failure, then a
// summary at most once a minute, then one line when writing works again.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "supervisor/journal/failure_log.hpp"
#include "supervisor/journal/journal.hpp"
#include "supervisor/journal/pending_writes.hpp"

namespace supervise::journal {

struct JournalWriterOptions {
  /// Entries that wait at most; beyond it the oldest are dropped. A few
  /// hundred bytes each: the default bounds the queue near 3 MiB, several
  /// seconds of a crash loop at full speed.
  std::size_t max_queued_entries = 10'000;
  /// Entries per transaction at most, so one commit stays short.
  std::size_t max_batch = 4096;
  /// How long one write waits for another connection's lock (the legacy
  /// monitor writes the same file) before the attempt counts as failed.
  std::chrono::milliseconds busy_timeout{100};
  /// Retry delays after failed attempts: first, doubled up to max.
  std::chrono::milliseconds initial_backoff{50};
  std::chrono::milliseconds max_backoff{5'000};
  /// Retry delay while flush() or the destructor waits for the queue.
  std::chrono::milliseconds flush_retry{50};
  /// How long the destructor tries to write what is queued before it gives
  /// up (and logs what it could not write).
  std::chrono::milliseconds drain_deadline{2'000};
  /// After a commit, the next one waits this long so that a burst (a crash
  /// loop, a boot) is written in a few transactions rather than one per
  /// row; flush() and the destructor do not wait for it.
  std::chrono::milliseconds gather{20};
  /// While writing keeps failing, one summary line per this period at most.
  std::chrono::milliseconds failure_summary_every{60'000};
  /// Retention: entries older than this are deleted on the writer thread,
  /// when it starts and then every `prune_every` (at most half of `keep`, so
  /// nothing is kept much past it) or after `prune_after_entries` new
  /// entries, whichever comes first. nullopt: kept forever.
  std::optional<std::chrono::milliseconds> keep;
  std::chrono::milliseconds prune_every{10 * 60'000};
  std::size_t prune_after_entries = 10'000;
};

/// Counters for tests, benchmarks and status; a consistent snapshot.
struct JournalWriterStats {
  std::uint64_t entries_written = 0;
  std::uint64_t histories_written = 0;  ///< history updates and forgets
  std::uint64_t transactions = 0;       ///< committed
  std::uint64_t failed_attempts = 0;    ///< opens and transactions that failed
  std::uint64_t entries_dropped = 0;
  std::uint64_t entries_pruned = 0;  ///< deleted for being older than `keep`
  std::uint64_t prunes = 0;          ///< pruning passes that completed
  std::size_t entries_queued = 0;
  bool open = false;  ///< the writer holds an open journal
};

class JournalWriter {
 public:
  /// Takes over an open journal (its busy timeout becomes the options').
  explicit JournalWriter(std::unique_ptr<Journal> journal, JournalWriterOptions options = {});
  /// Opens (or creates) the journal at `path` on the writer thread, and
  /// keeps trying with backoff while it cannot (missing directory, locked).
  explicit JournalWriter(std::filesystem::path path, JournalWriterOptions options = {});
  /// Writes what it can within `drain_deadline` (plus one busy timeout),
  /// then stops; what is left is logged as not written.
  ~JournalWriter();
  JournalWriter(const JournalWriter&) = delete;
  JournalWriter& operator=(const JournalWriter&) = delete;

  /// Queues one entry (an empty `at` becomes the time of this call). Never
  /// waits for I/O.
  void record(Entry entry);
  /// Queues the child's history; replaces one still queued for that child.
  void set_history(const std::string& initiative, const std::string& child,
                   const ChildHistory& history);
  /// Queues clearing the child's history (a later set_history wins again).
  void forget(const std::string& initiative, const std::string& child);

  /// Waits until everything queued so far is written, or `deadline` passes;
  /// true when the queue is empty. Retries a failing database at once and
  /// then every `flush_retry` meanwhile. Blocks the caller: for shutdown and
  /// tests, never for the event loop.
  bool flush(std::chrono::milliseconds deadline);

  JournalWriterStats stats() const;
  const std::filesystem::path& path() const { return path_; }

 private:
  using Clock = std::chrono::steady_clock;

  void run();
  /// One attempt at writing `batch` (whose empty `at`s it fills); true when
  /// committed. Writer thread only, without the mutex.
  bool write(WriteBatch& batch);
  /// Makes sure a journal is open (again, when its file was removed);
  /// false with `error` set when it cannot be.
  bool ensure_open(std::string& error);
  /// Counts a failed attempt, logs it when the failure log says so.
  void report_failure(const std::string& error);
  /// Deletes what is older than `keep`; writer thread only, without the
  /// mutex. A failure is logged and tried again at the next pass.
  void prune();
  /// When the next pruning pass is due (`keep` set only).
  Clock::time_point next_prune(Clock::time_point from) const;

  const std::filesystem::path path_;
  const JournalWriterOptions options_;

  // Guarded by mutex_.
  mutable std::mutex mutex_;
  std::condition_variable wake_writer_;
  std::condition_variable queue_drained_;
  PendingWrites pending_;
  bool writing_ = false;  ///< a batch is out of the queue, being written
  bool stopping_ = false;
  int flushing_ = 0;  ///< callers waiting in flush()
  Clock::time_point retry_at_{};
  /// No commit before this (JournalWriterOptions::gather) unless flushing.
  Clock::time_point gather_until_{};
  Clock::time_point stop_by_{};
  JournalWriterStats stats_;

  // The writer thread's own.
  std::unique_ptr<Journal> journal_;
  /// Every history the writer has written: written again into a new file
  /// when the journal file was removed under it.
  std::map<HistoryKey, ChildHistory> written_histories_;
  /// The journal was opened anew after its file disappeared.
  bool rewrite_histories_ = false;
  /// The current run of drops has been announced in the log.
  bool drops_announced_ = false;
  FailureLog failures_;
  /// The delay before the next retry; doubles while failures repeat.
  std::chrono::milliseconds backoff_{0};
  /// Retention (guarded by mutex_): the next pass, and the entries written
  /// since the last one.
  Clock::time_point prune_at_{};
  std::size_t written_since_prune_ = 0;

  std::thread thread_;  // last: starts after everything above exists
};

}  // namespace supervise::journal
