#pragma once

// Which journal entries the hooks hear of, and the JSON object they get.
// Pure: the caller passes what the runtime knows beyond the entry.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "supervisor/core/notify_spec.hpp"
#include "supervisor/journal/journal.hpp"

namespace supervise::notify {

/// The hook event `entry` is, if any: stalled, give_up (gave_up), intensity,
/// finished with all_done, restart (restarted), a start of an adopted worker.
std::optional<core::NotifyEvent> notify_event_of(const journal::Entry& entry);

/// What the runtime adds to an entry for a hook.
struct EventContext {
  std::string host;     ///< this machine's name
  std::string project;  ///< the project's directory
  /// The child's restarts so far, when it is a child of the tree.
  std::optional<int> restarts;
  /// How the child's last process ended, when known: fills `exit_code` and
  /// `signal` where the entry has none (a give_up says why in its reason,
  /// its last exit says how).
  std::optional<int> last_exit_code;
  std::optional<int> last_signal;
};

/// The entry's JSON (journal/entry_json.hpp: time in RFC 3339, child, pid,
/// exit_code, signal, reason, detail) with `event` the hook event's name,
/// `journal_event` the entry's kind, `restarts`, `host` and `project`.
/// `time` is RFC 3339 (UTC).
nlohmann::json hook_event_json(core::NotifyEvent event, const journal::Entry& entry,
                               const EventContext& context);

}  // namespace supervise::notify
