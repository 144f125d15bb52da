#pragma once

// How a worker of the spec becomes a LaunchSpec: the shim with the six
// legacy arguments (LEGACY_CONTRACT.md §4) when the spec names no command,
// else the spec's command; the work dir (a stream's git worktree, made
// beforehand by the runtime); the environment; the log.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "supervisor/core/child_spec.hpp"
#include "supervisor/runtime/launch_spec.hpp"
#include "supervisor/taskcopilot/project_layout.hpp"
#include "supervisor/taskcopilot/task_store.hpp"

namespace supervise::runtime {

/// Set to 1 in the shim's environment when its stdout is the log relay's
/// pipe: the shim then writes there instead of appending to the log.
inline constexpr std::string_view kLogToStdoutVariable = "SUPERVISE_LOG_TO_STDOUT";

/// What every worker launch of one tree shares.
struct WorkerSetting {
  taskcopilot::ProjectLayout layout;
  std::string initiative_id;
  /// SpecDocument::agent: passed to the shim as $SUPERVISE_AGENT when set.
  std::vector<std::string> agent;
  /// The shim supervise ships (installed_file(kShimName)).
  std::filesystem::path shim;
  /// The prompt template supervise ships, used when the project has none.
  std::filesystem::path default_prompt;
  /// supervise-log-relay; empty: the worker appends to its log itself.
  std::filesystem::path log_relay;
  /// How the relay rotates each worker's log (the spec's `logs:`).
  core::LogRotation logs;
};

struct PreparedWorker {
  std::optional<LaunchSpec> launch;  ///< unset when `error` is set
  std::string error;
  /// Something a person should know that did not stop the start (the task
  /// list for the prompt could not be read).
  std::string warning;
};

/// Resolves everything `child` needs to start. `store` (may be null) gives
/// the stream's tasks for the prompt; without it, or when the stream has no
/// tasks, the prompt lists none. The work dir: the spec's (relative to the
/// project root) or the contract's default (the root for stream `main`, else
/// `<root>/.claude/worktrees/<id>`, which must exist: the runtime makes it
/// as a git worktree on branch `<id>` beforehand, never here). Output goes
/// to `<logs>/<id>_<initiative 8>.log` (`<logs>/<id>.log` without an
/// initiative), through the log relay when `setting.log_relay` is set; the
/// shim is then told (SUPERVISE_LOG_TO_STDOUT=1) to write its banners and
/// the agent's output to its stdout, the relay's pipe, instead of appending
/// to that file itself (which it still does when orchestrate.py starts it).
PreparedWorker prepare_worker(const core::ChildSpec& child, const WorkerSetting& setting,
                              const taskcopilot::TaskStore* store);

/// prepare_worker() with the initiative's streams already read (the runtime
/// reads them beside its loop); null: none could be read.
PreparedWorker prepare_worker_with_streams(const core::ChildSpec& child,
                                           const WorkerSetting& setting,
                                           const std::vector<taskcopilot::Stream>* streams);

/// "a b c": how $SUPERVISE_AGENT carries an agent command (the shim splits it
/// at blanks). Empty when an argument holds a blank and cannot be carried
/// (`error` says which).
std::string agent_variable(const std::vector<std::string>& agent, std::string& error);

}  // namespace supervise::runtime
