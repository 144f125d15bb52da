#pragma once

// `supervise --monitor-only`: the legacy monitor-workers.py for workers that
// nobody supervises (LEGACY_CONTRACT.md §5), with the fixes of §7. Same
// flags, exit statuses, log format and dead-worker rule; restarts go through
// the shim with the same six arguments and the one prompt builder.

#include <chrono>
#include <filesystem>
#include <string>

#include "supervisor/taskcopilot/project_layout.hpp"

namespace supervise::legacy {

class RestartCounts;

struct MonitorOptions {
  taskcopilot::ProjectLayout layout;
  bool auto_restart = false;
  /// Restart attempts per worker; 0 never restarts.
  int max_restarts = 2;
  bool daemon = false;
  /// Seconds between checks in daemon mode.
  std::chrono::seconds interval{30};
  /// Nothing on stdout; the monitor log is still written.
  bool quiet = false;
  /// Colour the console lines; the CLI sets it when stdout is a terminal.
  bool color = false;

  /// The shim used when the orchestrator dir has none: the one shipped beside
  /// the supervise binary.
  std::filesystem::path fallback_shim;
  /// The prompt template used when the project has no foreman-prompt.md: the
  /// one shipped beside the binary.
  std::filesystem::path default_prompt_template;
  /// Where restart counts live. Null: the journal (layout.journal_db), or
  /// memory when the journal cannot be opened (with a warning).
  RestartCounts* restart_counts = nullptr;

  /// How long a restarted shim may take to write its PID file.
  std::chrono::milliseconds start_deadline{10'000};
  /// How long what a dead shim left running gets between SIGTERM and SIGKILL.
  std::chrono::milliseconds survivor_grace{5'000};
};

/// Runs the monitor. One-shot: 1 when a dead worker was found (even if every
/// restart succeeded), else 0, also without tasks.db or active initiative.
/// Daemon: checks every `interval` until SIGINT/SIGTERM, then 0. Never throws.
int run_monitor(const MonitorOptions& options);

}  // namespace supervise::legacy
