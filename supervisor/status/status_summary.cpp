#include "supervisor/status/status_summary.hpp"

#include <string_view>

namespace supervise::status {

std::string one_line_summary(const std::vector<core::ChildStatus>& children) {
  int running = 0;
  int waiting = 0;
  int failed = 0;
  int done = 0;
  int stopped = 0;
  for (const auto& child : children) {
    if (child.type != core::ChildType::worker) {
      continue;
    }
    switch (child.state) {
      case core::ChildState::starting:
      case core::ChildState::running:
      case core::ChildState::adopted:
      case core::ChildState::stopping:
        ++running;
        break;
      case core::ChildState::waiting:
      case core::ChildState::backoff:
        ++waiting;
        break;
      case core::ChildState::failed:
        ++failed;
        break;
      case core::ChildState::done:
        ++done;
        break;
      case core::ChildState::stopped:
        ++stopped;
        break;
    }
  }
  std::string line;
  const auto add = [&line](int count, std::string_view what) {
    if (!line.empty()) {
      line += ", ";
    }
    line += std::to_string(count);
    line += ' ';
    line += what;
  };
  add(running, "running");
  add(waiting, "waiting");
  add(failed, "failed");
  if (done > 0) {
    add(done, "done");
  }
  if (stopped > 0) {
    add(stopped, "stopped");
  }
  return line;
}

}  // namespace supervise::status
