#include "supervisor/runtime/journal_mapping.hpp"

namespace supervise::runtime {

std::optional<journal::EntryKind> journal_kind(const core::StateChanged& change) {
  using core::ChildState;
  if (change.reason == core::Reason::operator_command) {
    return journal::EntryKind::command;
  }
  switch (change.to) {
    case ChildState::running:
      return change.from == ChildState::starting ? std::optional(journal::EntryKind::start)
                                                 : std::nullopt;
    case ChildState::adopted:
      return journal::EntryKind::start;
    case ChildState::starting:
      return change.reason == core::Reason::backoff_elapsed
                 ? std::optional(journal::EntryKind::restart)
                 : std::nullopt;
    case ChildState::backoff:
      return journal::EntryKind::backoff;
    case ChildState::failed:
      return journal::EntryKind::give_up;
    case ChildState::stopped:
      return journal::EntryKind::stop;
    case ChildState::done:
      return journal::EntryKind::done;
    case ChildState::waiting:
    case ChildState::stopping:
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace supervise::runtime
