#include "supervisor/cli/project_options.hpp"

namespace supervise::cli {

taskcopilot::ProjectLayout ProjectOptions::layout() const {
  taskcopilot::LayoutOverrides overrides;
  if (!tasks_db.empty()) {
    overrides.tasks_db = tasks_db;
  }
  if (!memory_db.empty()) {
    overrides.memory_db = memory_db;
  }
  return taskcopilot::ProjectLayout::from_root(project, overrides);
}

void add_project_options(CLI::App& command, ProjectOptions& options) {
  command.add_option("--project", options.project, "Project root (default: current directory)")
      ->check(CLI::ExistingDirectory);
  command.add_option("--tasks-db", options.tasks_db,
                     "Task Copilot database (default: ~/.claude/tasks/<project>/tasks.db)");
  command.add_option("--memory-db", options.memory_db,
                     "Memory Copilot database (default: ~/.claude/memory/<project>/memory.db)");
}

}  // namespace supervise::cli
