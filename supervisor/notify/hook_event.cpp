#include "supervisor/notify/hook_event.hpp"

#include "supervisor/journal/entry_json.hpp"

namespace supervise::notify {

std::optional<core::NotifyEvent> notify_event_of(const journal::Entry& entry) {
  using journal::EntryKind;
  switch (entry.kind) {
    case EntryKind::stalled:
      return core::NotifyEvent::stalled;
    case EntryKind::give_up:
      return core::NotifyEvent::gave_up;
    case EntryKind::intensity:
      return core::NotifyEvent::intensity;
    case EntryKind::restart:
      return core::NotifyEvent::restarted;
    case EntryKind::finished:
      return entry.reason == "all_done" ? std::optional(core::NotifyEvent::all_done) : std::nullopt;
    case EntryKind::start:
      return entry.reason == "adopted" ? std::optional(core::NotifyEvent::adopted) : std::nullopt;
    case EntryKind::exit:
    case EntryKind::backoff:
    case EntryKind::command:
    case EntryKind::stop:
    case EntryKind::done:
    case EntryKind::dropped:
    case EntryKind::unstalled:
      return std::nullopt;
  }
  return std::nullopt;
}

nlohmann::json hook_event_json(core::NotifyEvent event, const journal::Entry& entry,
                               const EventContext& context) {
  nlohmann::json json = journal::entry_json(entry);
  json["journal_event"] = json["event"];
  json["event"] = std::string(core::to_string(event));
  json["restarts"] = context.restarts ? nlohmann::json(*context.restarts) : nlohmann::json(nullptr);
  if (!entry.exit_code && !entry.signal) {
    if (context.last_exit_code) {
      json["exit_code"] = *context.last_exit_code;
    }
    if (context.last_signal) {
      json["signal"] = *context.last_signal;
    }
  }
  json["host"] = context.host;
  json["project"] = context.project;
  return json;
}

}  // namespace supervise::notify
