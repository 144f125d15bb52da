#include "supervisor/runtime/worker_command.hpp"

#include <algorithm>
#include <optional>
#include <system_error>

#include "supervisor/taskcopilot/prompt.hpp"

namespace supervise::runtime {
namespace fs = std::filesystem;

std::string agent_variable(const std::vector<std::string>& agent, std::string& error) {
  std::string joined;
  for (const auto& word : agent) {
    if (word.empty() || word.find_first_of(" \t\n") != std::string::npos) {
      error = "agent argument '" + word +
              "' is empty or holds a blank, which the shim cannot pass on; wrap the agent "
              "command in a script";
      return {};
    }
    joined += (joined.empty() ? "" : " ") + word;
  }
  return joined;
}

PreparedWorker prepare_worker(const core::ChildSpec& child, const WorkerSetting& setting,
                              const taskcopilot::TaskStore* store) {
  std::string warning;
  std::optional<taskcopilot::StreamSet> read;
  if (store != nullptr && !setting.initiative_id.empty()) {
    auto streams = store->streams(setting.initiative_id);
    if (streams) {
      read = std::move(streams).value();
    } else {
      warning = streams.error().message;
    }
  }
  auto result = prepare_worker_with_streams(child, setting, read ? &read->streams : nullptr);
  if (result.warning.empty()) {
    result.warning = std::move(warning);
  }
  return result;
}

PreparedWorker prepare_worker_with_streams(const core::ChildSpec& child,
                                           const WorkerSetting& setting,
                                           const std::vector<taskcopilot::Stream>* streams) {
  PreparedWorker result;
  const auto& layout = setting.layout;

  fs::path work_dir;
  if (!child.work_dir.empty()) {
    work_dir = fs::path(child.work_dir).is_absolute() ? fs::path(child.work_dir)
                                                      : layout.root / child.work_dir;
    std::error_code ec;
    if (!fs::is_directory(work_dir, ec)) {
      result.error = "work dir " + work_dir.string() + " does not exist";
      return result;
    }
  } else {
    auto default_dir = layout.work_dir(child.id);
    if (!default_dir) {
      result.error = default_dir.error().message;
      return result;
    }
    work_dir = *default_dir;
    // The runtime makes the worktree with git beside the loop
    // (WorktreeCreation) before it gets here; this runs on the loop, so it
    // never runs git. One that vanished since fails this start, and the
    // retry's WorktreeCreation makes it again.
    std::error_code ec;
    if (work_dir != layout.root && !fs::is_directory(work_dir, ec)) {
      result.error = "worktree " + work_dir.string() +
                     " does not exist (it vanished after it was made; the next start makes it "
                     "again)";
      return result;
    }
  }

  // Who the worker is and where its tasks live, so an agent (or a wrapper
  // around one) need not parse the prompt to find out. The spec's env wins.
  std::map<std::string, std::string> overrides{{"SUPERVISE_STREAM_ID", child.id},
                                               {"SUPERVISE_INITIATIVE_ID", setting.initiative_id},
                                               {"SUPERVISE_TASKS_DB", layout.tasks_db.string()},
                                               {"SUPERVISE_PROJECT_ROOT", layout.root.string()}};
  for (const auto& [name, value] : child.env) {
    overrides[name] = value;
  }
  if (!setting.agent.empty()) {
    std::string error;
    const auto agent = agent_variable(setting.agent, error);
    if (agent.empty()) {
      result.error = error;
      return result;
    }
    overrides["SUPERVISE_AGENT"] = agent;
  }

  std::error_code ec;
  fs::create_directories(layout.logs_dir, ec);
  if (ec) {
    result.error = "cannot create " + layout.logs_dir.string() + ": " + ec.message();
    return result;
  }
  auto named = layout.worker_log(child.id, setting.initiative_id);
  if (!named) {
    result.error = named.error().message;
    return result;
  }
  const fs::path log = *named;

  LaunchSpec launch;
  launch.work_dir = work_dir;
  launch.output = log;
  if (!setting.log_relay.empty()) {
    launch.relay = LogRelaySpec{setting.log_relay, setting.logs};
    if (child.command.empty()) {
      overrides[std::string(kLogToStdoutVariable)] = "1";
    }
  }
  launch.env = inherited_environment(overrides);
  if (!child.command.empty()) {
    launch.argv = child.command;
    result.launch = std::move(launch);
    return result;
  }

  auto pid_file = layout.pid_file(child.id);
  if (!pid_file) {
    result.error = pid_file.error().message;
    return result;
  }
  fs::create_directories(layout.pids_dir, ec);
  const auto stream = taskcopilot::stream_for_worker(
      child, streams != nullptr ? *streams : std::vector<taskcopilot::Stream>{});
  auto prompt = taskcopilot::build_prompt(layout.foreman_prompt, setting.default_prompt,
                                          taskcopilot::prompt_context(stream, work_dir.string()));
  if (!prompt) {
    result.error = prompt.error().message;
    return result;
  }
  launch.argv = {setting.shim.string(),
                 child.id,
                 pid_file->string(),
                 layout.logs_dir.string(),
                 work_dir.string(),
                 setting.initiative_id,
                 *prompt};
  result.launch = std::move(launch);
  return result;
}

}  // namespace supervise::runtime
