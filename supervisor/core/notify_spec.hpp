#pragma once

// The spec's `notify:` entries: which events a hook hears and how it is told
// (a command, or an HTTP POST). Plain data with its defaults, as the rest of
// the spec types; supervisor/notify runs them.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace supervise::core {

/// The events a hook can subscribe to (`on:`).
enum class NotifyEvent {
  stalled,    ///< a running worker showed no sign of work for its stall_after
  gave_up,    ///< a child was marked failed
  intensity,  ///< a supervisor node exceeded its restart intensity
  all_done,   ///< the whole tree finished with every child done
  restarted,  ///< a child is being started again after it ended
  adopted,    ///< a worker found running at start-up was taken over
};
std::string_view to_string(NotifyEvent value);

/// One `notify:` entry: exactly one of `exec` and `webhook` is set.
struct NotifyHook {
  std::vector<NotifyEvent> on;
  /// A command (argv; argv[0] looked up in PATH), the event JSON on stdin.
  std::vector<std::string> exec;
  /// `http://host[:port]/path`, POSTed the event JSON.
  std::string webhook;
  /// How long one run of the command, or one POST, may take.
  std::chrono::milliseconds timeout{10'000};

  bool hears(NotifyEvent event) const;
  bool operator==(const NotifyHook&) const = default;
};

}  // namespace supervise::core
