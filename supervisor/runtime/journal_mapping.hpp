#pragma once

// Which state changes of the core are rows of the journal, and of what kind.

#include <optional>

#include "supervisor/core/supervisor.hpp"
#include "supervisor/journal/journal.hpp"

namespace supervise::runtime {

/// The journal row kind of `change`; nullopt when it is not journalled (a
/// child going waiting or stopping, a start that is not a restart).
std::optional<journal::EntryKind> journal_kind(const core::StateChanged& change);

}  // namespace supervise::runtime
