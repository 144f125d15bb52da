#include "supervisor/cli/status_command.hpp"

#include <unistd.h>

#include <csignal>
#include <iostream>
#include <memory>
#include <thread>

#include "supervisor/cli/project_options.hpp"
#include "supervisor/cli/status_table.hpp"
#include "supervisor/legacy/offline_status.hpp"
#include "supervisor/runtime/control_client.hpp"

namespace supervise::cli {

namespace {

using namespace std::chrono_literals;

struct StatusOptions {
  ProjectOptions project;
  bool json = false;
  bool watch = false;
  double interval_seconds = 1.0;
};

/// The report, or an error message when neither a supervisor nor the
/// databases can tell.
std::optional<status::StatusReport> fetch(const taskcopilot::ProjectLayout& layout,
                                          std::string& error) {
  std::error_code missing;
  if (std::filesystem::exists(std::filesystem::symlink_status(layout.control_socket, missing))) {
    std::string socket_error;
    const auto reply =
        runtime::control_request(layout.control_socket, {{"command", "status"}}, 5s, socket_error);
    if (!reply.is_null() && reply.value("ok", false) == true && reply.contains("status")) {
      return status::status_report_from_json(reply["status"], error);
    }
    // A socket that does not answer is left over from a supervisor that died:
    // fall through to the offline view, which says nothing supervises.
  }
  return legacy::offline_status(layout, error);
}

int show(const StatusOptions& options) {
  const auto layout = options.project.layout();
  const bool tty = isatty(STDOUT_FILENO) != 0;
  for (;;) {
    std::string error;
    const auto report = fetch(layout, error);
    if (!report) {
      std::cerr << "supervise status: " << error << "\n";
      return 2;
    }
    const std::string text = options.json ? status::dump_json(to_json(*report), 2) + "\n"
                                          : render_status_table(*report, tty);
    if (options.watch && tty) {
      std::cout << "\x1b[H\x1b[2J";  // home, clear: refresh in place
    }
    std::cout << text << std::flush;
    if (!options.watch) {
      return report->healthy() ? 0 : 1;
    }
    std::this_thread::sleep_for(std::chrono::duration<double>(options.interval_seconds));
  }
}

}  // namespace

void add_status_command(CLI::App& app, int& exit_status) {
  auto options = std::make_shared<StatusOptions>();
  CLI::App* command = app.add_subcommand("status", "Show every child's state");
  add_project_options(*command, options->project);
  command->add_flag("--json", options->json, "Machine-readable output (specs/STATUS_SCHEMA.md)");
  command->add_flag("--watch", options->watch, "Refresh in place until interrupted");
  command->add_option("--interval", options->interval_seconds, "Seconds between refreshes")
      ->check(CLI::Range(0.1, 3600.0));
  command->callback([options, &exit_status] { exit_status = show(*options); });
}

}  // namespace supervise::cli
