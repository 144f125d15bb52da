#include "supervisor/cli/app.hpp"

#include <CLI/CLI.hpp>
#include <iostream>
#include <string>
#include <vector>

#include "supervisor/cli/control_commands.hpp"
#include "supervisor/cli/export_command.hpp"
#include "supervisor/cli/logs_command.hpp"
#include "supervisor/cli/monitor_command.hpp"
#include "supervisor/cli/spec_commands.hpp"
#include "supervisor/cli/status_command.hpp"
#include "supervisor/cli/up_command.hpp"
#include "supervisor/cli/version.hpp"

namespace supervise::cli {

namespace {

/// `supervise --monitor-only ...` is the legacy spelling of `supervise
/// monitor ...`: move the flag into the subcommand's place.
std::vector<std::string> normalise_arguments(int argc, char** argv) {
  std::vector<std::string> arguments(argv + 1, argv + argc);
  for (auto it = arguments.begin(); it != arguments.end(); ++it) {
    if (*it == "--monitor-only") {
      arguments.erase(it);
      arguments.insert(arguments.begin(), "monitor");
      break;
    }
  }
  return arguments;
}

}  // namespace

int run(int argc, char** argv) {
  CLI::App app{"supervise: an Erlang-style supervisor for Task Copilot stream workers"};
  app.name("supervise");
  app.require_subcommand(1);
  app.set_version_flag("--version", version_line(), "Print the version and exit");
  int exit_status = 0;
  add_up_command(app, exit_status);
  add_spec_commands(app, exit_status);
  add_export_command(app, exit_status);
  add_status_command(app, exit_status);
  add_control_commands(app, exit_status);
  add_logs_command(app, exit_status);
  add_monitor_command(app, exit_status);

  std::vector<std::string> arguments = normalise_arguments(argc, argv);
  std::reverse(arguments.begin(), arguments.end());  // CLI11 takes them reversed
  try {
    app.parse(arguments);
  } catch (const CLI::ParseError& error) {
    const int status = app.exit(error);
    return status == 0 ? 0 : 2;
  } catch (const std::exception& error) {
    // Parts return expected failures as values; anything thrown this far is a
    // library failure nobody anticipated (a damaged database, a full disk).
    // Say what it was and exit like any input error, never with an abort.
    std::cerr << "supervise: " << error.what() << "\n";
    return 2;
  }
  return exit_status;
}

}  // namespace supervise::cli
