#pragma once

#include <CLI/CLI.hpp>

namespace supervise::cli {

/// `supervise specs`: derive the child specs of an initiative from Task
/// Copilot and write them as YAML. `supervise check FILE`: validate a spec
/// file, print every error (`file:line:col: ...`) or the start order.
/// Exit status 2 for invalid input.
void add_spec_commands(CLI::App& app, int& exit_status);

}  // namespace supervise::cli
