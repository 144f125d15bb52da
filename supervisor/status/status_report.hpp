#pragma once

// What `supervise status` shows, as data: produced by a running supervisor
// (over the control socket) or assembled offline from PID files, the Task
// Copilot databases and the journal; printed by the CLI as a table or JSON.
// The JSON form is a stable, versioned schema (specs/STATUS_SCHEMA.md).

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "supervisor/core/child_state.hpp"
#include "supervisor/core/exit_status.hpp"

namespace supervise::status {

struct TaskCounts {
  int completed = 0;
  int total = 0;

  bool operator==(const TaskCounts&) const = default;
};

struct ChildReport {
  std::string id;
  std::string name;
  std::string parent;  ///< "" for children of the root
  core::ChildState state = core::ChildState::waiting;
  bool adopted = false;  ///< running, but not started by this supervisor
  /// Running (or adopted) but stopped by a signal (SIGSTOP): shown as the
  /// state `paused`.
  bool paused = false;
  /// Offline only: its worker died with work left and nothing restarts it
  /// (the legacy monitor's dead-worker rule).
  bool dead = false;
  /// Live only: running, but it has shown no sign of work (task changes, log
  /// growth) for its `stall_after`.
  bool stalled = false;
  std::optional<int> pid;
  /// Live processes of the child: its main process and everything it
  /// started, those that left its process group or session included.
  /// Running supervisor only; null when not known.
  std::optional<int> processes;
  std::optional<double> uptime_seconds;
  int restarts = 0;
  int restarts_in_window = 0;
  std::optional<core::ExitStatus> last_exit;
  std::string last_exit_at;  ///< local ISO time; "" when it never exited
  std::optional<double> next_restart_in_seconds;
  std::vector<std::string> waiting_for;
  std::optional<TaskCounts> tasks;  ///< for stream children
  int depth = 0;

  bool operator==(const ChildReport&) const = default;
};

enum class Source {
  supervisor,  ///< a running supervisor answered
  offline,     ///< no supervisor: PID files, databases and journal
};
std::string_view to_string(Source value);

struct StatusReport {
  /// Version of the JSON schema; bumped on incompatible changes only.
  static constexpr int kSchemaVersion = 1;

  Source source = Source::offline;
  std::optional<int> supervisor_pid;
  std::string initiative_id;
  std::string initiative_name;
  std::vector<ChildReport> children;
  /// Things to tell the reader, e.g. "nothing supervises these workers".
  std::vector<std::string> notes;

  bool operator==(const StatusReport&) const = default;

  /// True when no child is failed and no stream worker is dead.
  bool healthy() const;
};

nlohmann::json to_json(const StatusReport& report);
/// Parses what to_json wrote; nullopt (with `error`) for anything else.
std::optional<StatusReport> status_report_from_json(const nlohmann::json& json, std::string& error);

/// One line of JSON text; invalid UTF-8 (a name stored carelessly in a
/// database) becomes U+FFFD instead of an exception.
/// `indent` as nlohmann's dump: -1 for one line.
std::string dump_json(const nlohmann::json& json, int indent = -1);

/// The state people see: `paused` for a paused running or adopted child,
/// else the state's own name.
std::string shown_state(const ChildReport& child);

/// Parses a state name ("running"); nullopt when unknown.
std::optional<core::ChildState> child_state_from_string(std::string_view text);

}  // namespace supervise::status
