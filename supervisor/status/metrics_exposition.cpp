#include "supervisor/status/metrics_exposition.hpp"

namespace supervise::status {

namespace {

using core::ChildState;

constexpr ChildState kStates[] = {
    ChildState::waiting, ChildState::starting, ChildState::running,
    ChildState::backoff, ChildState::stopping, ChildState::stopped,
    ChildState::done,    ChildState::failed,   ChildState::adopted,
};

bool is_up(const ChildReport& child) {
  return child.state == ChildState::running || child.state == ChildState::adopted;
}

/// The shell's convention: a death by signal N reads as 128+N.
std::optional<int> exit_code_of(const core::ExitStatus& exit) {
  if (exit.code) {
    return exit.code;
  }
  if (exit.signal) {
    return 128 + *exit.signal;
  }
  return std::nullopt;
}

MetricFamily family(std::string name, std::string help, MetricType type) {
  return {std::move(name), std::move(help), type, {}};
}

void add_process_families(const ProcessMetrics& process, std::vector<MetricFamily>& out) {
  const auto single = [&out](std::string name, std::string help, MetricType type, double value) {
    auto metric = family(std::move(name), std::move(help), type);
    metric.samples.push_back({"", {}, value});
    out.push_back(std::move(metric));
  };
  single("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
         MetricType::counter, process.cpu_seconds);
  single("process_resident_memory_bytes", "Resident memory size in bytes.", MetricType::gauge,
         process.resident_memory_bytes);
  single("process_virtual_memory_bytes", "Virtual memory size in bytes.", MetricType::gauge,
         process.virtual_memory_bytes);
  single("process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
         MetricType::gauge, process.start_time_seconds);
  single("process_open_fds", "Number of open file descriptors.", MetricType::gauge,
         process.open_fds);
  if (process.max_fds) {
    single("process_max_fds", "Maximum number of open file descriptors.", MetricType::gauge,
           *process.max_fds);
  }
}

}  // namespace

std::vector<MetricFamily> metric_families(const MetricsSnapshot& snapshot) {
  auto up = family("supervise_child_up", "1 when the child runs (started or adopted), else 0.",
                   MetricType::gauge);
  auto state = family("supervise_child_state",
                      "The child's supervision state: 1 for the state it is in, 0 for the others.",
                      MetricType::gauge);
  auto restarts = family("supervise_child_restarts_total",
                         "Restarts of the child, including those of earlier supervisor runs.",
                         MetricType::counter);
  auto last_exit = family("supervise_child_last_exit_code",
                          "Exit code of the child's last exit; 128+N when signal N killed it.",
                          MetricType::gauge);
  auto stalled = family("supervise_child_stalled",
                        "1 when the running child showed no sign of work for its stall_after.",
                        MetricType::gauge);
  for (const ChildReport& child : snapshot.report.children) {
    const Labels labels{{"child", child.id}};
    up.samples.push_back({"", labels, is_up(child) ? 1.0 : 0.0});
    for (const ChildState each : kStates) {
      state.samples.push_back({"",
                               {{"child", child.id}, {"state", std::string(core::to_string(each))}},
                               child.state == each ? 1.0 : 0.0});
    }
    restarts.samples.push_back({"", labels, static_cast<double>(child.restarts)});
    if (child.last_exit) {
      if (const auto code = exit_code_of(*child.last_exit)) {
        last_exit.samples.push_back({"", labels, static_cast<double>(*code)});
      }
    }
    stalled.samples.push_back({"", labels, child.stalled ? 1.0 : 0.0});
  }

  auto tasks = family("supervise_stream_tasks",
                      "Tasks of the stream worker's Task Copilot stream, by task status.",
                      MetricType::gauge);
  for (const auto& [child, by_status] : snapshot.stream_tasks) {
    for (const auto& [status, count] : by_status) {
      tasks.samples.push_back(
          {"", {{"child", child}, {"status", status}}, static_cast<double>(count)});
    }
  }
  auto intensity =
      family("supervise_intensity_restarts",
             "Restarts within the supervisor node's intensity period now.", MetricType::gauge);
  for (const auto& [node, count] : snapshot.intensity_restarts) {
    intensity.samples.push_back({"", {{"supervisor", node}}, static_cast<double>(count)});
  }

  std::vector<MetricFamily> families;
  families.push_back(std::move(up));
  families.push_back(std::move(state));
  families.push_back(std::move(restarts));
  families.push_back(std::move(last_exit));
  families.push_back(std::move(stalled));
  families.push_back(std::move(tasks));
  families.push_back(std::move(intensity));
  families.push_back(histogram_family(
      "supervise_restart_latency_seconds",
      "Time from a child's unrequested exit to it running again, backoff included.",
      snapshot.restart_latency));
  if (snapshot.process) {
    add_process_families(*snapshot.process, families);
  }
  return families;
}

std::string metrics_text(const MetricsSnapshot& snapshot) {
  return render_exposition(metric_families(snapshot));
}

}  // namespace supervise::status
