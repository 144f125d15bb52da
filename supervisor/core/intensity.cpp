#include "supervisor/core/intensity.hpp"

namespace supervise::core {

bool in_period(std::chrono::steady_clock::time_point then,
               std::chrono::steady_clock::time_point now, Duration period) {
  return now - then <= period;
}

void drop_expired(RestartHistory& history, std::chrono::steady_clock::time_point now,
                  Duration period) {
  while (!history.empty() && !in_period(history.front().at, now, period)) {
    history.pop_front();
  }
}

bool add_restart(RestartHistory& history, const RestartRecord& restart, int intensity,
                 Duration period) {
  history.push_back(restart);
  drop_expired(history, restart.at, period);
  return static_cast<long long>(history.size()) <= static_cast<long long>(intensity);
}

}  // namespace supervise::core
