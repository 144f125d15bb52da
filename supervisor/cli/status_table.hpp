#pragma once

#include <string>

#include "supervisor/status/status_report.hpp"

namespace supervise::cli {

/// The status screen for people: a one-line summary, then the children
/// grouped by dependency depth like the old `orchestrate.py status`, each with
/// its state, PID, uptime, restarts, last exit, what it waits for and a
/// 15-character task progress bar. `color` adds ANSI colours (for a TTY).
std::string render_status_table(const status::StatusReport& report, bool color);

/// "1h02m", "3m05s", "12s".
std::string format_duration_short(double seconds);

}  // namespace supervise::cli
