#include "supervisor/journal/journal_writer.hpp"

#include <SQLiteCpp/Exception.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <algorithm>
#include <system_error>

namespace supervise::journal {

namespace {

bool is_busy(const SQLite::Exception& error) {
  const int primary = error.getErrorCode() & 0xff;
  return primary == SQLITE_BUSY || primary == SQLITE_LOCKED;
}

Entry dropped_report(const DroppedEntries& dropped) {
  Entry entry;
  entry.at = local_iso_time_now();
  entry.initiative = dropped.initiative;
  entry.kind = EntryKind::dropped;
  entry.reason = "queue_full";
  entry.detail = fmt::format(
      "dropped {} entries recorded from {} to {} while the journal could not be written",
      dropped.count, local_iso_time(dropped.first_recorded), local_iso_time(dropped.last_recorded));
  return entry;
}

}  // namespace

JournalWriter::JournalWriter(std::unique_ptr<Journal> journal, JournalWriterOptions options)
    : path_(journal->path()),
      options_(options),
      pending_(options.max_queued_entries),
      journal_(std::move(journal)),
      failures_("journal: writing " + path_.string(), options.failure_summary_every) {
  journal_->set_busy_timeout(options_.busy_timeout);
  stats_.open = true;
  thread_ = std::thread([this] { run(); });
}

JournalWriter::JournalWriter(std::filesystem::path path, JournalWriterOptions options)
    : path_(std::move(path)),
      options_(options),
      pending_(options.max_queued_entries),
      failures_("journal: writing " + path_.string(), options.failure_summary_every) {
  thread_ = std::thread([this] { run(); });
}

JournalWriter::~JournalWriter() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    stop_by_ = Clock::now() + options_.drain_deadline;
    retry_at_ = Clock::now();
  }
  wake_writer_.notify_one();
  thread_.join();
}

void JournalWriter::record(Entry entry) {
  QueuedEntry queued{std::move(entry), std::chrono::system_clock::now()};
  std::lock_guard lock(mutex_);
  const bool was_empty = pending_.empty();
  pending_.push(std::move(queued));
  if (was_empty) {
    // Only the writer waits on this, and only when it has nothing to do or
    // is backing off (then it goes back to sleep until its retry time).
    wake_writer_.notify_one();
  }
}

void JournalWriter::set_history(const std::string& initiative, const std::string& child,
                                const ChildHistory& history) {
  std::lock_guard lock(mutex_);
  const bool was_empty = pending_.empty();
  pending_.update_history({initiative, child}, history);
  if (was_empty) {
    wake_writer_.notify_one();
  }
}

void JournalWriter::forget(const std::string& initiative, const std::string& child) {
  std::lock_guard lock(mutex_);
  const bool was_empty = pending_.empty();
  pending_.update_history({initiative, child}, std::nullopt);
  if (was_empty) {
    wake_writer_.notify_one();
  }
}

bool JournalWriter::flush(std::chrono::milliseconds deadline) {
  std::unique_lock lock(mutex_);
  ++flushing_;
  retry_at_ = Clock::now();  // a writer backing off tries again at once
  wake_writer_.notify_one();
  const bool drained = queue_drained_.wait_until(lock, Clock::now() + deadline,
                                                 [this] { return pending_.empty() && !writing_; });
  --flushing_;
  return drained;
}

JournalWriterStats JournalWriter::stats() const {
  std::lock_guard lock(mutex_);
  JournalWriterStats stats = stats_;
  stats.entries_queued = pending_.entry_count();
  stats.entries_dropped = pending_.dropped_total();
  return stats;
}

void JournalWriter::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    const auto now = Clock::now();
    const bool has_work = !pending_.empty();
    if (stopping_ && (!has_work || now >= stop_by_)) {
      break;
    }
    const bool prune_due =
        options_.keep && !stopping_ &&
        (now >= prune_at_ || written_since_prune_ >= options_.prune_after_entries);
    if (prune_due) {
      written_since_prune_ = 0;
      prune_at_ = next_prune(now);
      lock.unlock();
      prune();
      lock.lock();
      continue;
    }
    if (!has_work) {
      if (options_.keep && !stopping_) {
        wake_writer_.wait_until(lock, prune_at_);
      } else {
        wake_writer_.wait(lock);
      }
      continue;
    }
    if (now < retry_at_) {
      wake_writer_.wait_until(lock, stopping_ ? std::min(retry_at_, stop_by_) : retry_at_);
      continue;
    }
    if (now < gather_until_ && !stopping_ && flushing_ == 0) {
      wake_writer_.wait_until(lock, gather_until_);
      continue;
    }

    WriteBatch batch = pending_.take(options_.max_batch);
    writing_ = true;
    lock.unlock();
    const bool written = write(batch);
    lock.lock();
    writing_ = false;
    stats_.open = journal_ != nullptr;
    if (written) {
      written_since_prune_ += batch.entries.size();
      stats_.entries_written += batch.entries.size();
      stats_.histories_written += batch.histories.size();
      ++stats_.transactions;
      backoff_ = std::chrono::milliseconds(0);
      gather_until_ = Clock::now() + options_.gather;
    } else {
      ++stats_.failed_attempts;
      pending_.put_back(std::move(batch));
      backoff_ = backoff_.count() == 0 ? options_.initial_backoff
                                       : std::min(backoff_ * 2, options_.max_backoff);
      const auto delay =
          (stopping_ || flushing_ > 0) ? std::min(backoff_, options_.flush_retry) : backoff_;
      retry_at_ = Clock::now() + delay;
    }
    if (pending_.empty()) {
      queue_drained_.notify_all();
    }
  }

  const std::size_t entries = pending_.entry_count();
  const std::size_t histories = pending_.history_count();
  const std::uint64_t dropped = pending_.unreported_drops().count;
  lock.unlock();
  queue_drained_.notify_all();
  if (entries + histories + dropped > 0) {
    spdlog::warn(
        "journal: stopped with {} entries and {} restart histories not written to {} "
        "({} entries dropped before)",
        entries, histories, path_.string(), dropped);
  }
}

JournalWriter::Clock::time_point JournalWriter::next_prune(Clock::time_point from) const {
  const auto half_keep = options_.keep ? *options_.keep / 2 : options_.prune_every;
  return from + std::max(std::chrono::milliseconds(1), std::min(options_.prune_every, half_keep));
}

void JournalWriter::prune() {
  std::string error;
  if (!ensure_open(error)) {
    report_failure(error);
    return;
  }
  const auto cutoff = std::chrono::system_clock::now() - *options_.keep;
  try {
    const std::size_t deleted = journal_->prune(cutoff);
    std::lock_guard lock(mutex_);
    stats_.entries_pruned += deleted;
    ++stats_.prunes;
  } catch (const std::exception& failure) {
    // Busy (the legacy monitor writes too) or worse: the next pass tries
    // again; a connection in doubt is opened anew, as for writes.
    const auto* sqlite = dynamic_cast<const SQLite::Exception*>(&failure);
    if (sqlite == nullptr || !is_busy(*sqlite)) {
      journal_.reset();
    }
    report_failure(std::string("pruning old entries: ") + failure.what());
  }
}

bool JournalWriter::ensure_open(std::string& error) {
  if (journal_) {
    std::error_code ec;
    if (std::filesystem::exists(path_, ec) || ec) {
      return true;
    }
    // Removed under us: SQLite would go on writing into the unlinked file,
    // where nobody can read it. Start a new one where status looks.
    spdlog::warn("journal: {} was removed; starting a new one", path_.string());
    journal_.reset();
    rewrite_histories_ = true;
  }
  auto opened = Journal::open(path_, options_.busy_timeout);
  for (const auto& notice : opened.notices) {
    spdlog::warn("{}", notice);
  }
  if (!opened.journal) {
    error = opened.error;
    return false;
  }
  journal_ = std::move(opened.journal);
  return true;
}

void JournalWriter::report_failure(const std::string& error) {
  if (auto line = failures_.failed(error, Clock::now())) {
    spdlog::warn("{}", *line);
  }
}

bool JournalWriter::write(WriteBatch& batch) {
  if (batch.dropped.count > 0 && !drops_announced_) {
    drops_announced_ = true;
    spdlog::warn(
        "journal: more than {} entries waiting; dropping the oldest until {} can be "
        "written",
        options_.max_queued_entries, path_.string());
  }
  std::string error;
  if (!ensure_open(error)) {
    report_failure(error);
    return false;
  }
  for (auto& queued : batch.entries) {
    if (queued.entry.at.empty()) {
      queued.entry.at = local_iso_time(queued.recorded_at);
    }
  }
  try {
    journal_->write_transaction([&] {
      if (batch.dropped.count > 0) {
        journal_->record(dropped_report(batch.dropped));
      }
      for (const auto& queued : batch.entries) {
        journal_->record(queued.entry);
      }
      if (rewrite_histories_) {
        for (const auto& [key, history] : written_histories_) {
          journal_->set_history(key.initiative, key.child, history);
        }
      }
      for (const auto& [key, update] : batch.histories) {
        if (update) {
          journal_->set_history(key.initiative, key.child, *update);
        } else {
          journal_->forget(key.initiative, key.child);
        }
      }
    });
  } catch (const std::exception& failure) {
    const auto* sqlite = dynamic_cast<const SQLite::Exception*>(&failure);
    if (sqlite == nullptr || !is_busy(*sqlite)) {
      // Full disk, I/O error, damaged file: a fresh connection (and
      // Journal::open's checks) is the best next try.
      journal_.reset();
    }
    report_failure(failure.what());
    return false;
  }

  rewrite_histories_ = false;
  for (const auto& [key, update] : batch.histories) {
    if (update) {
      written_histories_.insert_or_assign(key, *update);
    } else {
      written_histories_.erase(key);
    }
  }
  if (auto line = failures_.succeeded(Clock::now())) {
    spdlog::info("{}", *line);
  }
  if (batch.dropped.count > 0) {
    drops_announced_ = false;
    spdlog::warn("journal: dropped {} entries while {} could not be written", batch.dropped.count,
                 path_.string());
  }
  return true;
}

}  // namespace supervise::journal
