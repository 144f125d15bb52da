#include "supervisor/cli/status_table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

namespace supervise::cli {

namespace {

using core::ChildState;
using status::ChildReport;

constexpr int kBarWidth = 15;

std::string_view tag(const ChildReport& child) {
  if (child.dead) {
    return "[DEAD]";
  }
  if (status::shown_state(child) == "paused") {
    return "[PAUSED]";
  }
  if (child.stalled) {
    return "[STALLED]";
  }
  switch (child.state) {
    case ChildState::waiting:
      return "[WAIT]";
    case ChildState::starting:
      return "[START]";
    case ChildState::running:
      return "[RUN]";
    case ChildState::backoff:
      return "[BACKOFF]";
    case ChildState::stopping:
      return "[STOPPING]";
    case ChildState::stopped:
      return "[---]";
    case ChildState::done:
      return "[DONE]";
    case ChildState::failed:
      return "[FAILED]";
    case ChildState::adopted:
      return "[ADOPTED]";
  }
  return "[?]";
}

/// ANSI colour of a state: green for progress, yellow for waiting on time,
/// red for trouble, dim for ended.
std::string_view colour(const ChildReport& child) {
  if (child.dead) {
    return "\x1b[31m";
  }
  if (status::shown_state(child) == "paused" || child.stalled) {
    return "\x1b[33m";
  }
  switch (child.state) {
    case ChildState::running:
    case ChildState::adopted:
    case ChildState::starting:
      return "\x1b[32m";
    case ChildState::done:
      return "\x1b[36m";
    case ChildState::waiting:
    case ChildState::backoff:
    case ChildState::stopping:
      return "\x1b[33m";
    case ChildState::failed:
      return "\x1b[31m";
    case ChildState::stopped:
      return "\x1b[2m";
  }
  return "";
}

std::string progress_bar(const status::TaskCounts& tasks) {
  const int filled =
      tasks.total == 0 ? 0 : std::clamp(tasks.completed * kBarWidth / tasks.total, 0, kBarWidth);
  std::string bar;
  for (int i = 0; i < kBarWidth; ++i) {
    bar += i < filled ? "█" : "░";
  }
  return fmt::format("{} {:<7}", bar, fmt::format("{}/{}", tasks.completed, tasks.total));
}

std::string details(const ChildReport& child) {
  std::vector<std::string> parts;
  if (child.pid) {
    parts.push_back(fmt::format("pid {}", *child.pid));
  }
  if (child.processes) {
    parts.push_back(
        fmt::format("{} process{}", *child.processes, *child.processes == 1 ? "" : "es"));
  }
  if (child.uptime_seconds) {
    parts.push_back("up " + format_duration_short(*child.uptime_seconds));
  }
  if (child.restarts > 0) {
    parts.push_back(
        fmt::format("restarts {} ({} in window)", child.restarts, child.restarts_in_window));
  }
  if (child.last_exit) {
    std::string last = "last exit " + child.last_exit->describe();
    if (!child.last_exit_at.empty()) {
      last += " at " + child.last_exit_at.substr(0, 19);
    }
    parts.push_back(last);
  }
  if (child.next_restart_in_seconds) {
    parts.push_back("restart in " + format_duration_short(*child.next_restart_in_seconds));
  }
  if (!child.waiting_for.empty()) {
    parts.push_back("waits for " + fmt::to_string(fmt::join(child.waiting_for, ", ")));
  }
  std::string text;
  for (const auto& part : parts) {
    text += (text.empty() ? "" : "  ") + part;
  }
  return text;
}

std::string summary(const status::StatusReport& report) {
  std::map<std::string, int> counts;
  int done = 0;
  for (const auto& child : report.children) {
    ++counts[child.dead ? "dead" : status::shown_state(child)];
    done += child.state == ChildState::done;
  }
  std::string states;
  for (const auto& [state, count] : counts) {
    states += fmt::format("{}{} {}", states.empty() ? "" : ", ", count, state);
  }
  std::string line = fmt::format("Overall: {}/{} complete", done, report.children.size());
  if (!states.empty()) {
    line += " (" + states + ")";
  }
  if (report.source == status::Source::supervisor && report.supervisor_pid) {
    line += fmt::format(" · supervised by pid {}", *report.supervisor_pid);
  } else {
    line += " · no supervisor running";
  }
  if (!report.initiative_name.empty() || !report.initiative_id.empty()) {
    line += fmt::format(" · initiative {} ({})", report.initiative_name,
                        report.initiative_id.substr(0, 8));
  }
  return line;
}

}  // namespace

std::string format_duration_short(double seconds) {
  const long long total = std::llround(std::max(0.0, seconds));
  if (total >= 3600) {
    return fmt::format("{}h{:02}m", total / 3600, (total % 3600) / 60);
  }
  if (total >= 60) {
    return fmt::format("{}m{:02}s", total / 60, total % 60);
  }
  return fmt::format("{}s", total);
}

std::string render_status_table(const status::StatusReport& report, bool color) {
  const std::string_view reset = color ? "\x1b[0m" : "";
  std::string out = summary(report) + "\n";
  std::size_t id_width = 2;
  std::size_t name_width = 4;
  int max_depth = 0;
  for (const auto& child : report.children) {
    id_width = std::max(id_width, child.id.size());
    name_width = std::max(name_width, child.name.size());
    max_depth = std::max(max_depth, child.depth);
  }
  for (int depth = 0; depth <= max_depth; ++depth) {
    bool header = false;
    for (const auto& child : report.children) {
      if (child.depth != depth) {
        continue;
      }
      if (!header) {
        out += depth == 0 ? "Depth 0 (Independent)\n" : fmt::format("Depth {}\n", depth);
        header = true;
      }
      // The bar is multi-byte UTF-8, so it is never padded by fmt: an absent
      // bar is replaced by as many spaces as a bar takes columns.
      const std::string bar =
          child.tasks ? progress_bar(*child.tasks) : std::string(kBarWidth + 1 + 7, ' ');
      std::string line =
          fmt::format("  {}{:<10}{} {:<{}}  {:<{}}  {}  {}", color ? colour(child) : "", tag(child),
                      reset, child.id, id_width, child.name, name_width, bar, details(child));
      line.erase(line.find_last_not_of(' ') + 1);
      out += line + "\n";
    }
  }
  for (const auto& note : report.notes) {
    out += "Note: " + note + "\n";
  }
  return out;
}

}  // namespace supervise::cli
