#pragma once

// supervise's metrics (`GET /metrics`, `supervise metrics`) as Prometheus
// text: what a status report says of every child, the stream workers' task
// counts, the restarts in each supervisor node's intensity window, the
// restart latency histogram and the standard process_* metrics. Pure: the
// runtime gathers a MetricsSnapshot, this writes it.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "supervisor/status/prometheus_text.hpp"
#include "supervisor/status/status_report.hpp"

namespace supervise::status {

/// The `supervisor` label of the root node (ids never hold parentheses).
inline constexpr std::string_view kRootSupervisorLabel = "(root)";

/// The process_* metrics of the Prometheus client libraries, for this process.
struct ProcessMetrics {
  double cpu_seconds = 0;
  double resident_memory_bytes = 0;
  double virtual_memory_bytes = 0;
  double start_time_seconds = 0;  ///< since the Unix epoch
  double open_fds = 0;
  std::optional<double> max_fds;
};

struct MetricsSnapshot {
  /// Its children give the per-child families (state, up, restarts, last
  /// exit, stalled).
  StatusReport report;
  /// Per stream child: task count by Task Copilot status.
  std::map<std::string, std::map<std::string, int>> stream_tasks;
  /// Per supervisor node (kRootSupervisorLabel for the root): restarts
  /// within its intensity period now.
  std::map<std::string, int> intensity_restarts;
  Histogram restart_latency{{}};
  std::optional<ProcessMetrics> process;
};

std::vector<MetricFamily> metric_families(const MetricsSnapshot& snapshot);
/// render_exposition(metric_families(snapshot)).
std::string metrics_text(const MetricsSnapshot& snapshot);

}  // namespace supervise::status
