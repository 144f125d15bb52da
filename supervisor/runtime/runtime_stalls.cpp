// Runtime: stalled workers. Running workers are watched for signs of work
// (their log, their tasks); a change is journalled and, when stalled, told
// to the core.

#include <spdlog/spdlog.h>

#include "supervisor/runtime/runtime.hpp"

namespace supervise::runtime {

void Runtime::watch_for_stalls(const core::StateChanged& change) {
  using core::ChildState;
  const bool up = change.to == ChildState::running || change.to == ChildState::adopted;
  if (!up) {
    stalls_.forget(change.child);
    return;
  }
  const auto* spec = find_spec(change.child);
  const auto limit = spec == nullptr ? std::nullopt : core::effective_stall_after(*spec);
  const auto log = options_.layout.worker_log(change.child, options_.document.initiative_id);
  if (limit && log) {
    stalls_.watch(change.child, *limit, *log);
  }
}

void Runtime::stall_changed(const core::StallChange& change) {
  const auto quiet = std::chrono::duration_cast<std::chrono::seconds>(change.quiet_for);
  journal::Entry entry;
  entry.initiative = options_.document.initiative_id;
  entry.child = change.child;
  entry.pid = pid_of(change.child);
  if (change.stalled) {
    entry.kind = journal::EntryKind::stalled;
    entry.reason = "stalled";
    entry.detail = fmt::format("no task change and no log output for {}s", quiet.count());
    spdlog::warn("{}: stalled: {}", change.child, entry.detail);
  } else {
    entry.kind = journal::EntryKind::unstalled;
    entry.reason = "working";
    entry.detail = "shows work again";
    spdlog::info("{}: {}", change.child, entry.detail);
  }
  const std::string detail = entry.detail;
  record(std::move(entry));
  if (change.stalled) {
    deliver(core::Stalled{change.child, detail});
  }
}

bool Runtime::stalled(const std::string& child) const {
  return stalls_.stalled(child);
}

}  // namespace supervise::runtime
