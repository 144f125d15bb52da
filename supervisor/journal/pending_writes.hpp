#pragma once

// What the journal writer still has to write: a bounded queue of entries in
// the order they were recorded, and the latest restart history per child.
// Plain data and policy, no threads and no SQLite: JournalWriter guards it
// with its mutex.
//
// The two halves are kept differently on purpose. Entries tell what
// happened; when the database cannot be written for long, the oldest are
// dropped to bound memory, and the count of what was dropped is kept so a
// row can say so later. A child's history (restart count, failed mark) is
// what makes `max_restarts` hold across restarts of the supervisor: only its
// latest value matters, so it is coalesced per child and never dropped.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "supervisor/journal/journal.hpp"

namespace supervise::journal {

/// An entry and when it was recorded (its `at` is filled from this when the
/// caller left it empty, so a late write keeps the real time).
struct QueuedEntry {
  Entry entry;
  std::chrono::system_clock::time_point recorded_at;
};

/// Which child a history belongs to.
struct HistoryKey {
  std::string initiative;
  std::string child;

  auto operator<=>(const HistoryKey&) const = default;
};

/// A history write: the new history, or none to forget the child.
using HistoryUpdate = std::optional<ChildHistory>;

/// Entries dropped since the last report was written.
struct DroppedEntries {
  std::uint64_t count = 0;
  std::chrono::system_clock::time_point first_recorded{};
  std::chrono::system_clock::time_point last_recorded{};
  /// The initiative of the newest dropped entry, for the report's row.
  std::string initiative;

  void add(const QueuedEntry& entry);
  void merge(const DroppedEntries& other);
};

/// One transaction's worth of work, taken out of the queue.
struct WriteBatch {
  std::deque<QueuedEntry> entries;  ///< oldest first
  std::vector<std::pair<HistoryKey, HistoryUpdate>> histories;
  /// To be reported by a row in this transaction (count 0: nothing dropped).
  DroppedEntries dropped;

  bool empty() const { return entries.empty() && histories.empty() && dropped.count == 0; }
};

class PendingWrites {
 public:
  /// `max_entries` >= 1: how many entries wait at most.
  explicit PendingWrites(std::size_t max_entries);

  /// Appends `entry`; when the queue is full the oldest entry is dropped
  /// (counted for the report) and true is returned.
  bool push(QueuedEntry entry);
  /// Replaces any history update of the same child not yet taken.
  void update_history(HistoryKey key, HistoryUpdate update);

  /// The oldest `max_entries` entries, every history update and the drop
  /// report, removed from the queue. Taking every entry is O(1) (the queue
  /// is swapped out), so the writer holds the caller's mutex only briefly.
  WriteBatch take(std::size_t max_entries);
  /// Returns a batch that could not be written. Its entries go back before
  /// the ones recorded since (the order is kept), dropping the oldest beyond
  /// the bound; a history update goes back only when no newer one for that
  /// child arrived meanwhile; the drop report is merged.
  void put_back(WriteBatch batch);

  bool empty() const;
  std::size_t entry_count() const { return entries_.size(); }
  std::size_t history_count() const { return histories_.size(); }
  /// Entries dropped since construction (reported or not).
  std::uint64_t dropped_total() const { return dropped_total_; }
  /// Entries dropped and not yet taken into a batch for their report.
  const DroppedEntries& unreported_drops() const { return dropped_; }

 private:
  void drop_oldest();

  std::size_t max_entries_;
  std::deque<QueuedEntry> entries_;
  std::map<HistoryKey, HistoryUpdate> histories_;
  DroppedEntries dropped_;
  std::uint64_t dropped_total_ = 0;
};

}  // namespace supervise::journal
