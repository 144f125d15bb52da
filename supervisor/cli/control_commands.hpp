#pragma once

#include <CLI/CLI.hpp>

namespace supervise::cli {

/// `supervise stop|start|restart <child>` and `supervise down`: requests to
/// the running supervisor over its control socket.
void add_control_commands(CLI::App& app, int& exit_status);

}  // namespace supervise::cli
