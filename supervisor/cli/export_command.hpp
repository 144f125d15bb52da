#pragma once

#include <CLI/CLI.hpp>

namespace supervise::cli {

/// `supervise export --format argo`: the tree (a spec file, or derived from
/// Task Copilot) as an Argo Workflow. What Argo cannot say is a warning per
/// field (an error with --strict); a spec error is reported as `check`
/// reports it. Exit status 2 for invalid input.
void add_export_command(CLI::App& app, int& exit_status);

}  // namespace supervise::cli
