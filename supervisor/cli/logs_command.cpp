#include "supervisor/cli/logs_command.hpp"

#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstring>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>

#include "supervisor/cli/project_options.hpp"
#include "supervisor/logs/log_follower.hpp"
#include "supervisor/spec/spec_loader.hpp"
#include "supervisor/taskcopilot/task_store.hpp"

namespace supervise::cli {

namespace {

struct LogsOptions {
  ProjectOptions project;
  std::string child;
  std::string initiative;
  bool follow = false;
};

/// The initiative whose log names `child` carries, when the tree `up` ran
/// last names that child: a spec project without Task Copilot has no other
/// place to learn it from (and may name no initiative at all).
std::optional<std::string> initiative_of_last_tree(const taskcopilot::ProjectLayout& layout,
                                                   const std::string& child) {
  std::error_code ec;
  if (!std::filesystem::exists(layout.last_spec, ec)) {
    return std::nullopt;
  }
  const auto loaded = spec::load_spec_file(layout.last_spec);
  if (!loaded.document) {
    return std::nullopt;
  }
  const std::function<bool(const std::vector<core::ChildSpec>&)> names =
      [&](const std::vector<core::ChildSpec>& children) {
        return std::any_of(children.begin(), children.end(), [&](const core::ChildSpec& spec) {
          return (spec.type == core::ChildType::worker && spec.id == child) || names(spec.children);
        });
      };
  if (!names(loaded.document->root.children)) {
    return std::nullopt;
  }
  return loaded.document->initiative_id;
}

int show_log(const LogsOptions& options) {
  const auto layout = options.project.layout();
  std::optional<std::string> initiative;
  if (!options.initiative.empty()) {
    initiative = options.initiative;
  } else {
    initiative = initiative_of_last_tree(layout, options.child);
  }
  if (!initiative) {
    auto store = taskcopilot::TaskStore::open(layout);
    if (!store) {
      std::cerr << "supervise logs: " << store.error().message << "\n";
      return 2;
    }
    auto active = store->active_initiative();
    if (!active) {
      std::cerr << "supervise logs: " << active.error().message << "\n";
      return 2;
    }
    if (!active->has_value()) {
      std::cerr << "supervise logs: no active initiative in " << layout.memory_db.string()
                << "; name one with --initiative\n";
      return 2;
    }
    initiative = (*active)->id;
  }
  const auto path = layout.worker_log(options.child, *initiative);
  if (!path) {
    std::cerr << "supervise logs: " << path.error().message << "\n";
    return 2;
  }
  if (options.follow) {
    std::signal(SIGPIPE, SIG_DFL);  // `supervise logs -f | head` ends as tail did
    logs::follow_log(
        *path,
        [](std::string_view bytes) {
          std::cout.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
          std::cout.flush();
          return static_cast<bool>(std::cout);
        },
        [] { return false; });
    return 0;
  }
  std::ifstream log(*path, std::ios::binary);
  if (!log) {
    std::cerr << "supervise logs: no log at " << path->string() << "\n";
    return 1;
  }
  std::cout << log.rdbuf();
  return 0;
}

}  // namespace

void add_logs_command(CLI::App& app, int& exit_status) {
  auto options = std::make_shared<LogsOptions>();
  CLI::App* command = app.add_subcommand("logs", "Show a worker's log");
  add_project_options(*command, options->project);
  command->add_option("child", options->child, "Stream id")->required();
  command->add_option("--initiative", options->initiative,
                      "Initiative id (default: the one of the tree `up` ran last, else the "
                      "active initiative)");
  command->add_flag("-f,--follow", options->follow,
                    "Keep printing what is appended, across rotations");
  command->callback([options, &exit_status] { exit_status = show_log(*options); });
}

}  // namespace supervise::cli
