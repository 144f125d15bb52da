#pragma once

#include <CLI/CLI.hpp>

namespace supervise::cli {

/// `supervise logs <child> [-f]`: the worker's log under its per-initiative
/// name (LEGACY_CONTRACT.md §1).
void add_logs_command(CLI::App& app, int& exit_status);

}  // namespace supervise::cli
