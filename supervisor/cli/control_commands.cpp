#include "supervisor/cli/control_commands.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <iostream>
#include <memory>

#include "supervisor/cli/project_options.hpp"
#include "supervisor/process/pidfd.hpp"
#include "supervisor/runtime/control_client.hpp"
#include "supervisor/status/status_report.hpp"

namespace supervise::cli {

namespace {

using namespace std::chrono_literals;

struct ControlOptions {
  ProjectOptions project;
  std::string child;
};

/// Sends one request; prints the reply's message or error. Exit status: 0 when
/// the supervisor accepted, 1 when it refused or none runs.
int send(const ControlOptions& options, const std::string& command,
         std::chrono::milliseconds timeout) {
  const auto layout = options.project.layout();
  nlohmann::json request{{"command", command}};
  if (!options.child.empty()) {
    request["child"] = options.child;
  }
  std::string error;
  const auto reply = runtime::control_request(layout.control_socket, request, timeout, error);
  if (reply.is_null()) {
    std::cerr << "supervise " << command << ": " << error
              << " (is `supervise up` running for this project?)\n";
    return 1;
  }
  if (reply.value("ok", false) != true) {
    std::cerr << "supervise " << command << ": " << reply.value("error", "refused") << "\n";
    return 1;
  }
  if (reply.contains("message")) {
    std::cout << reply["message"].get<std::string>() << "\n";
  }
  return 0;
}

/// Children that had a process (or were about to) before `down`.
std::vector<std::string> active_children(const taskcopilot::ProjectLayout& layout) {
  std::string error;
  const auto reply =
      runtime::control_request(layout.control_socket, {{"command", "status"}}, 5s, error);
  std::vector<std::string> active;
  if (reply.is_null() || !reply.contains("status")) {
    return active;
  }
  const auto report = status::status_report_from_json(reply["status"], error);
  for (const auto& child : report ? report->children : std::vector<status::ChildReport>{}) {
    if (child.pid || child.state == core::ChildState::backoff ||
        child.state == core::ChildState::starting) {
      active.push_back(child.id);
    }
  }
  return active;
}

/// Blocks until process `pid` has exited or `deadline` passed; true if it
/// exited. Waits on a pidfd: no polling, no race with PID reuse.
bool wait_for_exit(int pid, std::chrono::milliseconds deadline) {
  const auto opened = process::open_pidfd(pid);
  if (!opened.fd.valid()) {
    return opened.error == ESRCH;
  }
  return process::wait_pidfd(opened.fd.get(), deadline);
}

/// `down`: asks for a graceful shutdown and waits until the supervisor has
/// brought every child down and exited, then says what it stopped.
int down(const ControlOptions& options) {
  const auto layout = options.project.layout();
  const auto active = active_children(layout);
  std::string error;
  const auto reply =
      runtime::control_request(layout.control_socket, {{"command", "down"}}, 10s, error);
  if (reply.is_null() || reply.value("ok", false) != true) {
    std::cerr << "supervise down: " << (reply.is_null() ? error : reply.value("error", "refused"))
              << (reply.is_null() ? " (is `supervise up` running for this project?)" : "") << "\n";
    return 1;
  }
  const int pid = reply.value("supervisor_pid", 0);
  std::cout << "supervise down: supervisor " << pid << " is stopping "
            << (active.empty() ? std::string("its children")
                               : fmt::to_string(fmt::join(active, ", ")))
            << "\n";
  // Long enough for every child's shutdown timeout.
  if (pid <= 1 || !wait_for_exit(pid, 15min)) {
    std::cerr << "supervise down: supervisor " << pid << " still runs after 15 minutes\n";
    return 1;
  }
  std::cout << "supervise down: done; stopped " << active.size()
            << (active.size() == 1 ? " child" : " children") << "\n";
  return 0;
}

/// `metrics`: the running supervisor's Prometheus exposition, as `GET
/// /metrics` serves it, for node_exporter's textfile collector (no port).
int metrics(const ControlOptions& options) {
  const auto layout = options.project.layout();
  std::string error;
  const auto reply =
      runtime::control_request(layout.control_socket, {{"command", "metrics"}}, 10s, error);
  if (reply.is_null() || reply.value("ok", false) != true || !reply.contains("metrics") ||
      !reply["metrics"].is_string()) {
    std::cerr << "supervise metrics: "
              << (reply.is_null() ? error + " (is `supervise up` running for this project?)"
                                  : reply.value("error", "no metrics in the reply"))
              << "\n";
    return 1;
  }
  std::cout << reply["metrics"].get<std::string>();
  return 0;
}

void add_child_command(CLI::App& app, int& exit_status, const std::string& name,
                       const std::string& description) {
  auto options = std::make_shared<ControlOptions>();
  CLI::App* command = app.add_subcommand(name, description);
  add_project_options(*command, options->project);
  command->add_option("child", options->child, "Child id (a stream id)")->required();
  command->callback([options, name, &exit_status] { exit_status = send(*options, name, 10s); });
}

}  // namespace

void add_control_commands(CLI::App& app, int& exit_status) {
  add_child_command(app, exit_status, "stop",
                    "Stop one child; it stays stopped until `supervise start`");
  add_child_command(app, exit_status, "start", "Start a stopped, failed or done child again");
  add_child_command(app, exit_status, "restart", "Stop and start one child, backoff reset");

  auto options = std::make_shared<ControlOptions>();
  CLI::App* down = app.add_subcommand(
      "down", "Stop the whole tree in reverse dependency order and wait until it is down");
  add_project_options(*down, options->project);
  down->callback([options, &exit_status] { exit_status = cli::down(*options); });

  auto metrics_options = std::make_shared<ControlOptions>();
  CLI::App* metrics = app.add_subcommand(
      "metrics", "Print the running supervisor's metrics in the Prometheus text format");
  add_project_options(*metrics, metrics_options->project);
  metrics->footer("Exit status: 0 printed, 1 no supervisor runs for the project");
  metrics->callback(
      [metrics_options, &exit_status] { exit_status = cli::metrics(*metrics_options); });
}

}  // namespace supervise::cli
