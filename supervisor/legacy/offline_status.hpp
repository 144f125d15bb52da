#pragma once

// `supervise status` when no supervisor runs: what the PID files, the Task
// Copilot databases and the journal say. Reads only; never deletes or signals.

#include <optional>
#include <string>

#include "supervisor/status/status_report.hpp"
#include "supervisor/taskcopilot/project_layout.hpp"

namespace supervise::legacy {

/// The report, or nullopt with `error` naming the path when the Task Copilot
/// database cannot be read. No active initiative gives an empty report with a
/// note.
std::optional<status::StatusReport> offline_status(const taskcopilot::ProjectLayout& layout,
                                                   std::string& error);

}  // namespace supervise::legacy
