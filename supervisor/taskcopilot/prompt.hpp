#pragma once

// The worker prompt (LEGACY_CONTRACT.md §6): one builder for first starts and
// restarts, so a restarted worker is told exactly what a fresh one is.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "supervisor/core/child_spec.hpp"
#include "supervisor/taskcopilot/error.hpp"
#include "supervisor/taskcopilot/model.hpp"

namespace supervise::taskcopilot {

/// Everything before this in a template is for the people who edit it.
inline constexpr std::string_view kForemanMarker = "You are a **Stream Foreman**";

/// What the placeholders are filled with.
struct PromptContext {
  std::string stream_id;
  std::string stream_name;
  /// The stream's work dir (ProjectLayout::work_dir).
  std::string worktree_path;
  /// Stream ids; `{dependencies}` shows them comma-separated, or `None`.
  std::vector<std::string> dependencies;
  std::vector<StreamTask> tasks;
};

/// The context for `stream`, working in `worktree_path`.
PromptContext prompt_context(const Stream& stream, std::string worktree_path);

/// The stream a worker's prompt describes: the one of `streams` with the
/// worker's id, else one made from the spec (its name, its dependencies, no
/// tasks), so a worker of a hand-written spec still gets a prompt.
Stream stream_for_worker(const core::ChildSpec& worker, const std::vector<Stream>& streams);

/// The tasks as the prompt lists them: by phase (backend, frontend, quality,
/// docs, devops, integration, then any other), then created_at; a task
/// without a phase counts as backend.
std::vector<StreamTask> order_for_prompt(std::vector<StreamTask> tasks);

/// `| Task ID | Title | Agent | Phase |`, a separator row, one row per task
/// in prompt order; agent default `me`, phase default `backend`. A `|` or a
/// line break inside a cell is escaped so that the table stays one table.
std::string format_task_table(const std::vector<StreamTask>& tasks);

/// Drops everything before kForemanMarker (nothing when the marker is
/// missing) and replaces `{stream_id}`, `{stream_name}`, `{worktree_path}`,
/// `{dependencies}`, `{task_table}`, `{task_count}` and
/// `{any_stream_task_id}` (the first listed task's id, or `TASK-xxx`) in one
/// pass: text that a placeholder brings in (a task title with braces) is
/// never substituted again, and other braces are left alone.
std::string build_prompt(std::string_view template_text, const PromptContext& context);

/// The template to use: the project's `foreman-prompt.md` when it exists,
/// else `default_template` (the one supervise ships). An io error names the
/// file that could not be read.
Result<std::string> read_prompt_template(const std::filesystem::path& project_template,
                                         const std::filesystem::path& default_template);

/// read_prompt_template, then build_prompt.
Result<std::string> build_prompt(const std::filesystem::path& project_template,
                                 const std::filesystem::path& default_template,
                                 const PromptContext& context);

}  // namespace supervise::taskcopilot
