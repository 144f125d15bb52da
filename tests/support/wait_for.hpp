#pragma once

#include <chrono>
#include <functional>
#include <thread>

namespace supervise::testing {

/// Polls `condition` until it holds or `deadline` passes; true when it held.
/// Tests wait for events with this, never with a fixed sleep: the deadline is
/// an upper bound that a healthy run never reaches.
inline bool wait_for(const std::function<bool()>& condition,
                     std::chrono::milliseconds deadline = std::chrono::seconds(10)) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= until) {
      return condition();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

}  // namespace supervise::testing
