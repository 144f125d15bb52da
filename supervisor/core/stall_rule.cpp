#include "supervisor/core/stall_rule.hpp"

#include <algorithm>

namespace supervise::core {

void StallRule::watch(const std::string& child, Duration stall_after, TimePoint now) {
  Watch watch;
  watch.stall_after = stall_after;
  watch.last_sign = now;
  watches_[child] = watch;
}

void StallRule::forget(const std::string& child) {
  watches_.erase(child);
}

void StallRule::sign_of_work(Watch& watch, TimePoint now) {
  watch.last_sign = std::max(watch.last_sign, now);
  if (watch.stalled) {
    watch.stalled = false;
    watch.recovered = true;
  }
}

void StallRule::log_seen(const std::string& child, std::optional<LogMark> mark, TimePoint now) {
  const auto found = watches_.find(child);
  if (found == watches_.end() || !mark) {
    return;
  }
  Watch& watch = found->second;
  if (watch.log && *watch.log != *mark) {
    sign_of_work(watch, now);
  }
  watch.log = mark;
}

void StallRule::tasks_seen(const std::string& child, const std::string& fingerprint,
                           TimePoint now) {
  auto [known, inserted] = tasks_.try_emplace(child, fingerprint);
  if (inserted || known->second == fingerprint) {
    return;
  }
  known->second = fingerprint;
  if (const auto found = watches_.find(child); found != watches_.end()) {
    sign_of_work(found->second, now);
  }
}

std::vector<StallChange> StallRule::check(TimePoint now) {
  std::vector<StallChange> changes;
  for (auto& [child, watch] : watches_) {
    const auto quiet = std::chrono::duration_cast<Duration>(now - watch.last_sign);
    if (watch.recovered) {
      watch.recovered = false;
      changes.push_back({child, false, quiet});
    }
    if (!watch.stalled && quiet >= watch.stall_after) {
      watch.stalled = true;
      changes.push_back({child, true, quiet});
    }
  }
  return changes;
}

bool StallRule::stalled(const std::string& child) const {
  const auto found = watches_.find(child);
  return found != watches_.end() && found->second.stalled;
}

std::vector<std::string> StallRule::watched() const {
  std::vector<std::string> children;
  for (const auto& [child, watch] : watches_) {
    children.push_back(child);
  }
  return children;
}

std::optional<Duration> StallRule::shortest_limit() const {
  std::optional<Duration> shortest;
  for (const auto& [child, watch] : watches_) {
    if (!shortest || watch.stall_after < *shortest) {
      shortest = watch.stall_after;
    }
  }
  return shortest;
}

}  // namespace supervise::core
