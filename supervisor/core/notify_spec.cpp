#include "supervisor/core/notify_spec.hpp"

#include <algorithm>

namespace supervise::core {

std::string_view to_string(NotifyEvent value) {
  switch (value) {
    case NotifyEvent::stalled:
      return "stalled";
    case NotifyEvent::gave_up:
      return "gave_up";
    case NotifyEvent::intensity:
      return "intensity";
    case NotifyEvent::all_done:
      return "all_done";
    case NotifyEvent::restarted:
      return "restarted";
    case NotifyEvent::adopted:
      return "adopted";
  }
  return "?";
}

bool NotifyHook::hears(NotifyEvent event) const {
  return std::find(on.begin(), on.end(), event) != on.end();
}

}  // namespace supervise::core
