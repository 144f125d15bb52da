#pragma once

// What `supervise metrics` and `GET /metrics` show of a running tree, taken
// on the runtime's loop without blocking it: the core's status, the task
// counts of the last progress read (never a database read of its own), the
// restart latency, this process.

#include <string>

#include "supervisor/status/metrics_exposition.hpp"

namespace supervise::runtime {

class Runtime;

status::MetricsSnapshot metrics_snapshot(const Runtime& runtime);
/// The exposition of metrics_snapshot(runtime).
std::string metrics_exposition(const Runtime& runtime);

}  // namespace supervise::runtime
