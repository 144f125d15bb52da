#pragma once

// Where the files of a Task Copilot project live (LEGACY_CONTRACT.md §1). The
// old scripts and supervise must agree on every one of these paths, so they
// are computed here once. Everything under $HOME can be redirected, so tests
// never touch a real home directory.

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "supervisor/taskcopilot/error.hpp"

namespace supervise::taskcopilot {

/// How many characters of the initiative id the worker log names carry.
inline constexpr std::size_t kLogInitiativePrefix = 8;

/// Paths that replace the contract's defaults (flags or spec fields).
struct LayoutOverrides {
  std::optional<std::filesystem::path> tasks_db{};
  std::optional<std::filesystem::path> memory_db{};
  std::optional<std::filesystem::path> orchestrator_dir{};
  /// Replaces $HOME when the DB paths are derived from it.
  std::optional<std::filesystem::path> home_dir{};
};

struct ProjectLayout {
  /// Absolute, symlinks resolved (what the old scripts' `Path.cwd()` saw).
  std::filesystem::path root;
  /// The root's directory name; names the project's Task Copilot databases.
  std::string workspace_id;
  std::filesystem::path home_dir;
  /// `<root>/.claude/orchestrator`
  std::filesystem::path orchestrator_dir;
  /// `<orchestrator>/pids`
  std::filesystem::path pids_dir;
  /// `<orchestrator>/logs`
  std::filesystem::path logs_dir;
  /// `<orchestrator>/logs/archive`
  std::filesystem::path archive_dir;
  /// `<orchestrator>/logs/monitor.log`
  std::filesystem::path monitor_log;
  /// `<orchestrator>/worker-wrapper.sh`: the old shim, which only
  /// `--monitor-only` uses (ARCHITECTURE.md, "Which shim runs").
  std::filesystem::path shim;
  /// `<orchestrator>/foreman-prompt.md`: the project's prompt template.
  std::filesystem::path foreman_prompt;
  /// `<root>/.claude/worktrees`
  std::filesystem::path worktrees_dir;
  /// `$HOME/.claude/tasks/<workspace id>/tasks.db`
  std::filesystem::path tasks_db;
  /// `$HOME/.claude/memory/<workspace id>/memory.db`
  std::filesystem::path memory_db;
  /// Files supervise owns: `<orchestrator>/supervise.sock`, `supervise.db`,
  /// `supervise.pid`, `http-token` (what `up --http` wants of requests that
  /// change state).
  std::filesystem::path control_socket;
  std::filesystem::path journal_db;
  std::filesystem::path supervisor_pid_file;
  std::filesystem::path http_token;
  /// `<orchestrator>/supervise.spec.yaml`: the tree `supervise up` ran last,
  /// so that `status` knows the children of a spec project without Task
  /// Copilot when no supervisor runs.
  std::filesystem::path last_spec;

  /// The layout of the project at `root` (made absolute). $HOME comes from
  /// the environment, else the password database, unless overridden.
  static ProjectLayout from_root(const std::filesystem::path& root,
                                 const LayoutOverrides& overrides = {});

  // Stream ids come from the database and go into file names: each of these
  // refuses an id that core::unsafe_id_reason rejects (ErrorCode::unsafe_id).

  /// `<pids>/<stream-id>.pid`
  Result<std::filesystem::path> pid_file(std::string_view stream_id) const;
  /// `<logs>/<stream-id>_<first 8 chars of the initiative id>.log`
  Result<std::filesystem::path> log_file(std::string_view stream_id,
                                         std::string_view initiative_id) const;
  /// The log a worker of the tree writes: log_file() when the tree names an
  /// initiative, else `<logs>/<child-id>.log` (a spec of custom commands).
  Result<std::filesystem::path> worker_log(std::string_view child_id,
                                           std::string_view initiative_id) const;
  /// The root for stream `main`, else `<root>/.claude/worktrees/<stream-id>`.
  Result<std::filesystem::path> work_dir(std::string_view stream_id) const;
};

/// Why `id` cannot go into a file name, as an Error naming `what` ("stream
/// id") and the id; none when it is safe.
std::optional<Error> check_path_id(std::string_view what, std::string_view id);

}  // namespace supervise::taskcopilot
