#include "supervisor/taskcopilot/prompt.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <system_error>
#include <tuple>

namespace supervise::taskcopilot {

namespace {

namespace fs = std::filesystem;

constexpr std::string_view kDefaultAgent = "me";
constexpr std::string_view kDefaultPhase = "backend";
constexpr std::string_view kNoDependencies = "None";
constexpr std::string_view kNoTaskId = "TASK-xxx";
constexpr std::array<std::string_view, 6> kPhaseOrder{"backend", "frontend", "quality",
                                                      "docs",    "devops",   "integration"};

/// Python's `value or default`: NULL and "" both take the default.
std::string_view or_default(const std::optional<std::string>& value, std::string_view fallback) {
  return value && !value->empty() ? std::string_view(*value) : fallback;
}

std::size_t phase_rank(const StreamTask& task) {
  const std::string_view phase = or_default(task.phase, kDefaultPhase);
  const auto found = std::find(kPhaseOrder.begin(), kPhaseOrder.end(), phase);
  return static_cast<std::size_t>(found - kPhaseOrder.begin());
}

std::string table_cell(std::string_view text) {
  std::string cell;
  cell.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '|') {
      cell += "\\|";
    } else if (c == '\r' || c == '\n') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
        ++i;
      }
      cell += ' ';
    } else {
      cell += c;
    }
  }
  return cell;
}

std::string join(const std::vector<std::string>& items, std::string_view separator) {
  std::string joined;
  for (const std::string& item : items) {
    if (!joined.empty()) {
      joined += separator;
    }
    joined += item;
  }
  return joined;
}

Result<std::string> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Error{ErrorCode::io, fmt::format("cannot read prompt template {}: {}", path.string(),
                                            std::strerror(errno))};
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    return Error{ErrorCode::io, fmt::format("cannot read prompt template {}", path.string())};
  }
  return text.str();
}

}  // namespace

PromptContext prompt_context(const Stream& stream, std::string worktree_path) {
  return {stream.id, stream.name, std::move(worktree_path), stream.dependencies, stream.tasks};
}

Stream stream_for_worker(const core::ChildSpec& worker, const std::vector<Stream>& streams) {
  for (const Stream& stream : streams) {
    if (stream.id == worker.id) {
      return stream;
    }
  }
  Stream stream;
  stream.id = worker.id;
  stream.name = worker.name.empty() ? worker.id : worker.name;
  for (const auto& dependency : worker.depends_on) {
    stream.dependencies.push_back(dependency.id);
  }
  return stream;
}

std::vector<StreamTask> order_for_prompt(std::vector<StreamTask> tasks) {
  std::stable_sort(tasks.begin(), tasks.end(), [](const StreamTask& a, const StreamTask& b) {
    return std::forward_as_tuple(phase_rank(a), a.created_at) <
           std::forward_as_tuple(phase_rank(b), b.created_at);
  });
  return tasks;
}

std::string format_task_table(const std::vector<StreamTask>& tasks) {
  std::string table = "| Task ID | Title | Agent | Phase |\n|---------|-------|-------|-------|";
  for (const StreamTask& task : order_for_prompt(tasks)) {
    table += fmt::format("\n| {} | {} | {} | {} |", table_cell(task.id), table_cell(task.title),
                         table_cell(or_default(task.assigned_agent, kDefaultAgent)),
                         table_cell(or_default(task.phase, kDefaultPhase)));
  }
  return table;
}

std::string build_prompt(std::string_view template_text, const PromptContext& context) {
  if (const auto marker = template_text.find(kForemanMarker); marker != std::string_view::npos) {
    template_text.remove_prefix(marker);
  }
  const std::vector<StreamTask> ordered = order_for_prompt(context.tasks);
  const std::array<std::pair<std::string_view, std::string>, 7> values{{
      {"stream_id", context.stream_id},
      {"stream_name", context.stream_name},
      {"worktree_path", context.worktree_path},
      {"dependencies", context.dependencies.empty() ? std::string(kNoDependencies)
                                                    : join(context.dependencies, ", ")},
      {"task_table", format_task_table(ordered)},
      {"task_count", std::to_string(ordered.size())},
      {"any_stream_task_id", ordered.empty() ? std::string(kNoTaskId) : ordered.front().id},
  }};

  std::string prompt;
  prompt.reserve(template_text.size());
  std::size_t position = 0;
  while (position < template_text.size()) {
    const std::size_t open = template_text.find('{', position);
    if (open == std::string_view::npos) {
      break;
    }
    prompt.append(template_text.substr(position, open - position));
    const std::size_t close = template_text.find('}', open + 1);
    const std::string_view name = close == std::string_view::npos
                                      ? std::string_view()
                                      : template_text.substr(open + 1, close - open - 1);
    const auto value = std::find_if(values.begin(), values.end(),
                                    [&](const auto& entry) { return entry.first == name; });
    if (value == values.end()) {
      prompt += '{';
      position = open + 1;
      continue;
    }
    prompt += value->second;
    position = close + 1;
  }
  if (position < template_text.size()) {
    prompt.append(template_text.substr(position));
  }
  return prompt;
}

Result<std::string> read_prompt_template(const fs::path& project_template,
                                         const fs::path& default_template) {
  std::error_code error;
  if (fs::exists(project_template, error)) {
    return read_file(project_template);
  }
  return read_file(default_template);
}

Result<std::string> build_prompt(const fs::path& project_template, const fs::path& default_template,
                                 const PromptContext& context) {
  auto text = read_prompt_template(project_template, default_template);
  if (!text) {
    return text.error();
  }
  return build_prompt(*text, context);
}

}  // namespace supervise::taskcopilot
