#pragma once

#include <CLI/CLI.hpp>

namespace supervise::cli {

/// `supervise monitor` (spelled `supervise --monitor-only` by the old
/// scripts): the legacy monitor for workers nobody supervises. Flags
/// --auto-restart, --max-restarts N (2), --daemon, --interval N (30),
/// --quiet, plus --project, --tasks-db, --memory-db. Exit status: one-shot 1
/// when a dead worker was found, else 0; daemon 0 after SIGINT/SIGTERM; 2 on
/// usage errors.
void add_monitor_command(CLI::App& app, int& exit_status);

}  // namespace supervise::cli
