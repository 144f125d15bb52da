#pragma once

#include <CLI/CLI.hpp>

namespace supervise::cli {

/// `supervise status [--json] [--watch]`: from the running supervisor when
/// one answers on the control socket, else offline from PID files, the Task
/// Copilot databases and the journal. Exit status 0 when nothing is failed
/// or dead, 1 otherwise, 2 on usage or input errors.
void add_status_command(CLI::App& app, int& exit_status);

}  // namespace supervise::cli
