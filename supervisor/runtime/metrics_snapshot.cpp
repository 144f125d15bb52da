#include "supervisor/runtime/metrics_snapshot.hpp"

#include "supervisor/runtime/control_handler.hpp"
#include "supervisor/runtime/process_metrics.hpp"
#include "supervisor/runtime/runtime.hpp"

namespace supervise::runtime {

status::MetricsSnapshot metrics_snapshot(const Runtime& runtime) {
  status::MetricsSnapshot snapshot;
  snapshot.report = live_status_report(runtime, nullptr);
  const std::string root(status::kRootSupervisorLabel);
  snapshot.intensity_restarts[root] = 0;
  for (const auto& child : runtime.status()) {
    if (child.type == core::ChildType::supervisor) {
      snapshot.intensity_restarts.try_emplace(child.id, 0);
    }
    snapshot.intensity_restarts[child.parent.empty() ? root : child.parent] +=
        child.restarts_in_window;
    if (const auto progress = runtime.stream_progress(child.id)) {
      snapshot.stream_tasks[child.id] = {
          {"pending", progress->pending},     {"in_progress", progress->in_progress},
          {"blocked", progress->blocked},     {"completed", progress->completed},
          {"cancelled", progress->cancelled}, {"other", progress->other}};
    }
  }
  snapshot.restart_latency = runtime.restart_latency().histogram();
  snapshot.process = read_process_metrics();
  return snapshot;
}

std::string metrics_exposition(const Runtime& runtime) {
  return status::metrics_text(metrics_snapshot(runtime));
}

}  // namespace supervise::runtime
