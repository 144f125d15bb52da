#pragma once

// The one-line summary of a tree that a service manager shows beside the
// unit ("3 running, 1 waiting, 0 failed"): what `systemctl status` prints
// from the STATUS= notification.

#include <string>
#include <vector>

#include "supervisor/core/supervisor.hpp"

namespace supervise::status {

/// Counts workers only (supervisor nodes are structure, not work): running
/// (starting, running, adopted, stopping), waiting (waiting, backoff) and
/// failed are always named; done and stopped only when there are any, so the
/// line stays short while the tree is busy.
std::string one_line_summary(const std::vector<core::ChildStatus>& children);

}  // namespace supervise::status
