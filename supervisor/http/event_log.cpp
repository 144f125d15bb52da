#include "supervisor/http/event_log.hpp"

#include "supervisor/journal/entry_json.hpp"
#include "supervisor/status/status_report.hpp"

namespace supervise::http {

EventLog::EventLog(std::size_t capacity) : capacity_(std::max<std::size_t>(capacity, 1)) {}

const Event& EventLog::append(std::string kind, nlohmann::json data) {
  const std::uint64_t id = next_id_++;
  data["id"] = id;
  events_.push_back({id, std::move(kind), status::dump_json(data)});
  if (events_.size() > capacity_) {
    events_.pop_front();
  }
  const Event& event = events_.back();
  // A subscriber may unsubscribe (itself or another) while being told.
  const auto subscribers = subscribers_;
  for (const auto& [subscription, subscriber] : subscribers) {
    if (subscribers_.contains(subscription)) {
      subscriber(event);
    }
  }
  return events_.back();
}

std::vector<Event> EventLog::since(std::uint64_t after, bool& missed) const {
  if (after > last_id()) {
    after = 0;  // an id this log never gave: a client of an earlier run
  }
  missed = !events_.empty() && events_.front().id > after + 1;
  std::vector<Event> out;
  for (const Event& event : events_) {
    if (event.id > after) {
      out.push_back(event);
    }
  }
  return out;
}

std::uint64_t EventLog::subscribe(Subscriber subscriber) {
  const std::uint64_t subscription = next_subscription_++;
  subscribers_.emplace(subscription, std::move(subscriber));
  return subscription;
}

void EventLog::unsubscribe(std::uint64_t subscription) {
  subscribers_.erase(subscription);
}

nlohmann::json event_json(const journal::Entry& entry) {
  return journal::entry_json(entry);
}

std::string sse_frame(const Event& event) {
  return "id: " + std::to_string(event.id) + "\nevent: " + event.kind + "\ndata: " + event.data +
         "\n\n";
}

}  // namespace supervise::http
