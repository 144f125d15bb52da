#include "supervisor/taskcopilot/project_layout.hpp"

#include <fmt/format.h>
#include <pwd.h>
#include <stdlib.h>
#include <unistd.h>

#include <system_error>

#include "supervisor/core/safe_id.hpp"

namespace supervise::taskcopilot {

namespace {

namespace fs = std::filesystem;

fs::path resolve_root(const fs::path& root) {
  std::error_code error;
  fs::path absolute = fs::absolute(root, error);
  if (error) {
    absolute = root;
  }
  fs::path resolved = fs::weakly_canonical(absolute, error);
  if (error) {
    resolved = absolute.lexically_normal();
  }
  // `/a/b/` has an empty filename(); the workspace id needs `b`.
  if (!resolved.has_filename() && resolved.has_parent_path() && resolved != resolved.root_path()) {
    resolved = resolved.parent_path();
  }
  return resolved;
}

fs::path default_home() {
  if (const char* home = ::getenv("HOME"); home != nullptr && *home != '\0') {
    return home;
  }
  if (const passwd* entry = ::getpwuid(::getuid()); entry != nullptr && entry->pw_dir != nullptr) {
    return entry->pw_dir;
  }
  return {};
}

/// The id as it may appear in a message: control and non-ASCII bytes become
/// `?` (the reason from unsafe_id_reason names them exactly).
std::string printable(std::string_view id) {
  std::string text(id);
  for (char& c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte >= 0x7f) {
      c = '?';
    }
  }
  return text;
}

}  // namespace

std::optional<Error> check_path_id(std::string_view what, std::string_view id) {
  if (auto reason = core::unsafe_id_reason(id)) {
    return Error{ErrorCode::unsafe_id, fmt::format("{} '{}' cannot be used in a file name: {}",
                                                   what, printable(id), *reason)};
  }
  return std::nullopt;
}

ProjectLayout ProjectLayout::from_root(const fs::path& root, const LayoutOverrides& overrides) {
  ProjectLayout layout;
  layout.root = resolve_root(root);
  layout.workspace_id = layout.root.filename().string();
  layout.home_dir = overrides.home_dir.value_or(default_home());
  layout.orchestrator_dir =
      overrides.orchestrator_dir.value_or(layout.root / ".claude" / "orchestrator");
  layout.pids_dir = layout.orchestrator_dir / "pids";
  layout.logs_dir = layout.orchestrator_dir / "logs";
  layout.archive_dir = layout.logs_dir / "archive";
  layout.monitor_log = layout.logs_dir / "monitor.log";
  layout.shim = layout.orchestrator_dir / "worker-wrapper.sh";
  layout.foreman_prompt = layout.orchestrator_dir / "foreman-prompt.md";
  layout.worktrees_dir = layout.root / ".claude" / "worktrees";
  layout.tasks_db = overrides.tasks_db.value_or(layout.home_dir / ".claude" / "tasks" /
                                                layout.workspace_id / "tasks.db");
  layout.memory_db = overrides.memory_db.value_or(layout.home_dir / ".claude" / "memory" /
                                                  layout.workspace_id / "memory.db");
  layout.control_socket = layout.orchestrator_dir / "supervise.sock";
  layout.journal_db = layout.orchestrator_dir / "supervise.db";
  layout.supervisor_pid_file = layout.orchestrator_dir / "supervise.pid";
  layout.http_token = layout.orchestrator_dir / "http-token";
  layout.last_spec = layout.orchestrator_dir / "supervise.spec.yaml";
  return layout;
}

Result<fs::path> ProjectLayout::pid_file(std::string_view stream_id) const {
  if (auto error = check_path_id("stream id", stream_id)) {
    return *error;
  }
  return pids_dir / (std::string(stream_id) + ".pid");
}

Result<fs::path> ProjectLayout::log_file(std::string_view stream_id,
                                         std::string_view initiative_id) const {
  if (auto error = check_path_id("stream id", stream_id)) {
    return *error;
  }
  const std::string_view prefix = initiative_id.substr(0, kLogInitiativePrefix);
  if (auto error = check_path_id("initiative id", prefix)) {
    return *error;
  }
  return logs_dir / fmt::format("{}_{}.log", stream_id, prefix);
}

Result<fs::path> ProjectLayout::worker_log(std::string_view child_id,
                                           std::string_view initiative_id) const {
  if (!initiative_id.empty()) {
    return log_file(child_id, initiative_id);
  }
  if (auto error = check_path_id("child id", child_id)) {
    return *error;
  }
  return logs_dir / (std::string(child_id) + ".log");
}

Result<fs::path> ProjectLayout::work_dir(std::string_view stream_id) const {
  if (auto error = check_path_id("stream id", stream_id)) {
    return *error;
  }
  if (stream_id == "main") {
    return root;
  }
  return worktrees_dir / std::string(stream_id);
}

}  // namespace supervise::taskcopilot
