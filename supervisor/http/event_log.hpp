#pragma once

// The events `GET /api/v1/events` streams: everything the journal keeps
// about the children, numbered from 1 in the order they happened, the last
// `capacity` of them kept in memory so a client can catch up (`?since=ID`).
// Runs on the runtime's loop; subscribers are called there, synchronously.

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "supervisor/journal/journal.hpp"

namespace supervise::http {

struct Event {
  std::uint64_t id = 0;
  std::string kind;  ///< journal::EntryKind's name: start, exit, stalled, ...
  std::string data;  ///< one line of JSON, `id` included
};

class EventLog {
 public:
  using Subscriber = std::function<void(const Event&)>;

  /// A thousand events: minutes of a busy tree's history, a few hundred KB.
  explicit EventLog(std::size_t capacity = 1000);

  /// Numbers `data` (its `id` field is set) and keeps it; subscribers hear
  /// of it at once.
  const Event& append(std::string kind, nlohmann::json data);

  /// The kept events with an id above `after`, oldest first. `missed` is set
  /// when events after `after` have already been dropped from memory.
  /// An `after` beyond the last id given comes from a client of an earlier
  /// run of `up` (ids begin again at 1): it gets every kept event.
  std::vector<Event> since(std::uint64_t after, bool& missed) const;
  std::uint64_t last_id() const { return next_id_ - 1; }

  std::uint64_t subscribe(Subscriber subscriber);
  void unsubscribe(std::uint64_t subscription);
  std::size_t subscribers() const { return subscribers_.size(); }

 private:
  std::size_t capacity_;
  std::deque<Event> events_;
  std::uint64_t next_id_ = 1;
  std::map<std::uint64_t, Subscriber> subscribers_;
  std::uint64_t next_subscription_ = 1;
};

/// A journal entry as the event stream's JSON (without its id): the same
/// object the notify hooks get (journal/entry_json.hpp).
nlohmann::json event_json(const journal::Entry& entry);

/// One server-sent event: `id:`, `event:` and `data:` lines and a blank line.
std::string sse_frame(const Event& event);

}  // namespace supervise::http
