#include "supervisor/cli/control_commands.hpp"

#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "supervisor/cli/project_options.hpp"
#include "supervisor/runtime/control_server.hpp"

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
  if (reply.contains("stopped")) {
    for (const auto& line : reply["stopped"]) {
      std::cout << "  " << line.get<std::string>() << "\n";
    }
  }
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
  // Long enough for every child's shutdown timeout; the supervisor answers as
  // soon as the tree is down.
  down->callback([options, &exit_status] { exit_status = send(*options, "down", 15min); });
}

}  // namespace supervise::cli
