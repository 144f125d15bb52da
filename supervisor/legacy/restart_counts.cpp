#include "supervisor/legacy/restart_counts.hpp"

#include "supervisor/journal/journal.hpp"

namespace supervise::legacy {

int InMemoryRestartCounts::count(const std::string& initiative, const std::string& stream) {
  const auto found = counts_.find({initiative, stream});
  return found == counts_.end() ? 0 : found->second;
}

int InMemoryRestartCounts::add_restart(const std::string& initiative, const std::string& stream) {
  return ++counts_[{initiative, stream}];
}

int JournalRestartCounts::count(const std::string& initiative, const std::string& stream) {
  const auto histories = journal_.histories(initiative);
  const auto found = histories.find(stream);
  return found == histories.end() ? 0 : found->second.restarts;
}

int JournalRestartCounts::add_restart(const std::string& initiative, const std::string& stream) {
  const auto histories = journal_.histories(initiative);
  journal::ChildHistory history;
  if (const auto found = histories.find(stream); found != histories.end()) {
    history = found->second;
  }
  ++history.restarts;
  journal_.set_history(initiative, stream, history);
  journal::Entry entry;
  entry.initiative = initiative;
  entry.child = stream;
  entry.kind = journal::EntryKind::restart;
  entry.reason = "monitor";
  entry.detail = "restart " + std::to_string(history.restarts) + " by supervise --monitor-only";
  journal_.record(std::move(entry));
  return history.restarts;
}

}  // namespace supervise::legacy
