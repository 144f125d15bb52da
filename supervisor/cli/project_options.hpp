#pragma once

// The path overrides every subcommand that touches a project shares
// (LEGACY_CONTRACT.md §1: everything overridable, so tests never touch $HOME).

#include <CLI/CLI.hpp>
#include <string>

#include "supervisor/taskcopilot/project_layout.hpp"

namespace supervise::cli {

struct ProjectOptions {
  std::string project = ".";
  std::string tasks_db;
  std::string memory_db;

  taskcopilot::ProjectLayout layout() const;
};

/// Adds --project, --tasks-db and --memory-db to `command`.
void add_project_options(CLI::App& command, ProjectOptions& options);

}  // namespace supervise::cli
