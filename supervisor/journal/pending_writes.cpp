#include "supervisor/journal/pending_writes.hpp"

#include <algorithm>
#include <iterator>

namespace supervise::journal {

void DroppedEntries::add(const QueuedEntry& entry) {
  if (count == 0 || entry.recorded_at < first_recorded) {
    first_recorded = entry.recorded_at;
  }
  if (count == 0 || entry.recorded_at >= last_recorded) {
    last_recorded = entry.recorded_at;
    initiative = entry.entry.initiative;
  }
  ++count;
}

void DroppedEntries::merge(const DroppedEntries& other) {
  if (other.count == 0) {
    return;
  }
  if (count == 0) {
    *this = other;
    return;
  }
  first_recorded = std::min(first_recorded, other.first_recorded);
  if (other.last_recorded >= last_recorded) {
    last_recorded = other.last_recorded;
    initiative = other.initiative;
  }
  count += other.count;
}

PendingWrites::PendingWrites(std::size_t max_entries)
    : max_entries_(std::max<std::size_t>(1, max_entries)) {}

void PendingWrites::drop_oldest() {
  dropped_.add(entries_.front());
  ++dropped_total_;
  entries_.pop_front();
}

bool PendingWrites::push(QueuedEntry entry) {
  bool dropped = false;
  if (entries_.size() >= max_entries_) {
    drop_oldest();
    dropped = true;
  }
  entries_.push_back(std::move(entry));
  return dropped;
}

void PendingWrites::update_history(HistoryKey key, HistoryUpdate update) {
  histories_.insert_or_assign(std::move(key), std::move(update));
}

WriteBatch PendingWrites::take(std::size_t max_entries) {
  WriteBatch batch;
  if (max_entries >= entries_.size()) {
    batch.entries.swap(entries_);
  } else {
    const auto end = entries_.begin() + static_cast<std::ptrdiff_t>(max_entries);
    std::move(entries_.begin(), end, std::back_inserter(batch.entries));
    entries_.erase(entries_.begin(), end);
  }
  batch.histories.reserve(histories_.size());
  for (auto& [key, update] : histories_) {
    batch.histories.emplace_back(key, std::move(update));
  }
  histories_.clear();
  batch.dropped = std::exchange(dropped_, {});
  return batch;
}

void PendingWrites::put_back(WriteBatch batch) {
  // The batch's entries are older than anything queued since it was taken.
  entries_.insert(entries_.begin(), std::make_move_iterator(batch.entries.begin()),
                  std::make_move_iterator(batch.entries.end()));
  DroppedEntries returned = std::move(batch.dropped);
  while (entries_.size() > max_entries_) {
    drop_oldest();
  }
  // Drops reported by the batch happened before the ones just counted.
  returned.merge(dropped_);
  dropped_ = std::move(returned);
  for (auto& [key, update] : batch.histories) {
    histories_.try_emplace(std::move(key), std::move(update));  // a newer update wins
  }
}

bool PendingWrites::empty() const {
  return entries_.empty() && histories_.empty() && dropped_.count == 0;
}

}  // namespace supervise::journal
