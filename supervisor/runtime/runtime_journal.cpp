// Runtime: the journal (supervise.db). Opened once at boot to restore
// restart counts; every write after that goes through the writer thread.

#include <spdlog/spdlog.h>

#include "supervisor/runtime/journal_mapping.hpp"
#include "supervisor/runtime/runtime.hpp"
#include "supervisor/status/metrics_exposition.hpp"

namespace supervise::runtime {
namespace {

/// The journal is opened once at boot, before anything runs, to read the
/// restart history: a locked journal must not hold the boot up for long.
constexpr std::chrono::milliseconds kJournalOpenBusyTimeout{500};

}  // namespace

void Runtime::open_journal() {
  // Opened once, before anything runs, to read the restart history; every
  // write after that goes through the writer thread.
  auto opened = journal::Journal::open(options_.layout.journal_db, kJournalOpenBusyTimeout);
  for (const auto& notice : opened.notices) {
    spdlog::warn("{}", notice);
  }
  if (!opened.journal) {
    spdlog::warn(
        "cannot open the journal ({}); restart counts of an earlier run are not "
        "restored, and the journal is written once it can be opened",
        opened.error);
    journal_ = std::make_unique<journal::JournalWriter>(options_.layout.journal_db,
                                                        journal_writer_options());
    return;
  }
  try {
    restored_histories_ = opened.journal->histories(options_.document.initiative_id);
  } catch (const std::exception& error) {
    spdlog::warn("cannot read restart history from the journal: {}", error.what());
  }
  journal_ =
      std::make_unique<journal::JournalWriter>(std::move(opened.journal), journal_writer_options());
}

journal::JournalWriterOptions Runtime::journal_writer_options() const {
  journal::JournalWriterOptions options;
  options.keep = options_.document.journal_keep;
  return options;
}

void Runtime::record_intensity_exceeded(const core::StateChanged& change) {
  journal::Entry entry;
  entry.initiative = options_.document.initiative_id;
  entry.child = change.exceeded_intensity_of->empty() ? std::string(status::kRootSupervisorLabel)
                                                      : *change.exceeded_intensity_of;
  entry.kind = journal::EntryKind::intensity;
  entry.reason = "intensity";
  entry.detail = change.child + " exited once too often: " + change.detail;
  record(std::move(entry));
}

void Runtime::journal_state_change(const core::StateChanged& change) {
  const auto status = core_->status_of(change.child, now());
  if (const auto kind = journal_kind(change)) {
    journal::Entry entry;
    entry.initiative = options_.document.initiative_id;
    entry.child = change.child;
    entry.kind = *kind;
    if (status) {
      entry.pid = status->pid;
    }
    entry.reason = std::string(core::to_string(change.reason));
    entry.detail = change.detail;
    record(std::move(entry));
  }
  if (change.exceeded_intensity_of) {
    record_intensity_exceeded(change);
  }
  if (!journal_) {
    return;
  }
  try {
    if (status) {
      journal_->set_history(options_.document.initiative_id, change.child,
                            {status->restarts, status->state == core::ChildState::failed});
    }
  } catch (const std::exception& error) {
    spdlog::warn("cannot write the journal: {}", error.what());
  }
}

void Runtime::record(journal::Entry entry) {
  if (entry.at.empty()) {
    entry.at = journal::local_iso_time_now();
  }
  if (options_.on_event) {
    options_.on_event(entry);
  }
  if (!journal_) {
    return;
  }
  try {
    journal_->record(std::move(entry));
  } catch (const std::exception& error) {
    spdlog::warn("cannot write the journal: {}", error.what());
  }
}

}  // namespace supervise::runtime
