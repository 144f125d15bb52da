#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>

namespace supervise::testing {

/// Runs handlers of `io` until `condition` holds or `deadline` passes; true
/// when it held. The io_context equivalent of wait_for(): no fixed sleeps.
inline bool run_io_until(boost::asio::io_context& io, const std::function<bool()>& condition,
                         std::chrono::milliseconds deadline = std::chrono::seconds(10)) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= until) {
      return condition();
    }
    if (io.stopped()) {
      io.restart();
    }
    io.run_one_for(std::chrono::milliseconds(10));
  }
  return true;
}

}  // namespace supervise::testing
