#include "supervisor/runtime/control_handler.hpp"

#include <unistd.h>

#include <algorithm>
#include <map>

#include "supervisor/core/dependency_graph.hpp"
#include "supervisor/core/printable_text.hpp"
#include "supervisor/journal/journal.hpp"
#include "supervisor/process/proc_reader.hpp"
#include "supervisor/runtime/metrics_snapshot.hpp"
#include "supervisor/runtime/runtime.hpp"
#include "supervisor/taskcopilot/task_store.hpp"

namespace supervise::runtime {

namespace {

using nlohmann::json;

double seconds(core::TimePoint::duration duration) {
  return std::chrono::duration<double>(duration).count();
}

/// A steady-clock instant in the past as local wall-clock text.
std::string local_time_of(core::TimePoint then, core::TimePoint now) {
  return journal::local_iso_time(
      std::chrono::system_clock::now() -
      std::chrono::duration_cast<std::chrono::system_clock::duration>(now - then));
}

void collect_names(const std::vector<core::ChildSpec>& children,
                   std::map<std::string, std::string>& names) {
  for (const auto& child : children) {
    names[child.id] = child.name.empty() ? child.id : child.name;
    collect_names(child.children, names);
  }
}

json error(const std::string& message) {
  return {{"ok", false}, {"error", message}};
}

/// The reply to an operator command on one child, from the core's verdict.
json reply_to(const std::string& command, const std::string& child, core::CommandVerdict verdict,
              core::ChildState state) {
  const std::string what = command + " " + core::printable_text(child) + ": ";
  switch (verdict) {
    case core::CommandVerdict::accepted:
      return {{"ok", true}, {"message", what + "accepted"}};
    case core::CommandVerdict::unknown_child:
      return error("no child '" + core::printable_text(child) + "' in this tree");
    // The core ignores these; say so rather than "accepted", so the operator
    // is not left waiting.
    case core::CommandVerdict::nothing_to_do:
      return {{"ok", true},
              {"message", what + "nothing to do, it is " + std::string(core::to_string(state))}};
    case core::CommandVerdict::tree_not_running:
      return {{"ok", true}, {"message", what + "nothing to do, the tree is shutting down"}};
    case core::CommandVerdict::supervisor_busy:
      return {{"ok", true},
              {"message", what + "nothing to do now, its supervisor is stopping or restarting"}};
  }
  return error("unexpected verdict");
}

}  // namespace

status::StatusReport live_status_report(const Runtime& runtime,
                                        const taskcopilot::TaskStore* store) {
  // The runtime's clock: the one its status times come from.
  const auto now = runtime.now();
  const auto& document = runtime.document();
  status::StatusReport report;
  report.source = status::Source::supervisor;
  report.supervisor_pid = static_cast<int>(getpid());
  report.initiative_id = document.initiative_id;

  std::map<std::string, status::TaskCounts> tasks;
  if (store != nullptr && !document.initiative_id.empty()) {
    if (auto initiative = store->initiative(document.initiative_id);
        initiative && initiative->has_value()) {
      report.initiative_name = (*initiative)->name.value_or("Unnamed Initiative");
    }
    if (auto progress = store->progress(document.initiative_id)) {
      for (const auto& stream : *progress) {
        tasks[stream.stream_id] = {stream.completed, stream.total};
      }
    } else {
      report.notes.push_back("task progress unavailable: " + progress.error().message);
    }
  }
  std::map<std::string, std::string> names;
  collect_names(document.root.children, names);
  const auto depths = core::dependency_depths(core::dependency_nodes(document.root));

  for (const core::ChildStatus& status : runtime.status()) {
    status::ChildReport child;
    child.id = status.id;
    child.name = names.contains(status.id) ? names.at(status.id) : status.id;
    child.parent = status.parent;
    child.state = status.state;
    child.adopted = status.state == core::ChildState::adopted;
    child.pid = status.pid;
    if (status.pid) {
      child.processes = runtime.process_count(status.id);
    }
    if (status.pid && (status.state == core::ChildState::running || child.adopted)) {
      // Read when asked, one /proc read per running child: the core never
      // learns of SIGSTOP, and need not.
      const auto stat = process::read_proc_stat(*status.pid);
      child.paused = stat && stat->is_stopped();
    }
    if (status.started_at && status.pid) {
      child.uptime_seconds = seconds(now - *status.started_at);
    }
    child.restarts = status.restarts;
    child.restarts_in_window = status.restarts_in_window;
    child.last_exit = status.last_exit;
    if (status.last_exit_at) {
      child.last_exit_at = local_time_of(*status.last_exit_at, now);
    }
    if (status.next_restart_at) {
      child.next_restart_in_seconds = std::max(0.0, seconds(*status.next_restart_at - now));
    }
    child.waiting_for = status.waiting_for;
    child.stalled = runtime.stalled(status.id);
    if (const auto found = tasks.find(status.id); found != tasks.end()) {
      child.tasks = found->second;
    } else if (const auto progress = runtime.stream_progress(status.id);
               store == nullptr && progress) {
      // No store to ask: the counts of the runtime's last read (off the loop).
      child.tasks = status::TaskCounts{progress->completed, progress->total};
    }
    child.depth = depths.contains(status.id) ? depths.at(status.id) : 0;
    report.children.push_back(std::move(child));
  }
  return report;
}

ControlServer::Handler make_control_handler(Runtime& runtime) {
  // One read-only connection for status requests, opened on first use.
  auto store = std::make_shared<std::optional<taskcopilot::TaskStore>>();
  return [&runtime, store](const json& request, ControlServer::Reply reply) {
    const std::string command = request["command"].get<std::string>();
    if (command == "ping") {
      reply({{"ok", true}});
      return;
    }
    if (command == "status") {
      if (!store->has_value()) {
        if (auto opened =
                taskcopilot::TaskStore::open(runtime.layout(), std::chrono::milliseconds(200))) {
          store->emplace(std::move(*opened));
        }
      }
      const auto report = live_status_report(runtime, store->has_value() ? &**store : nullptr);
      reply({{"ok", true}, {"status", status::to_json(report)}});
      return;
    }
    if (command == "metrics") {
      reply({{"ok", true}, {"metrics", metrics_exposition(runtime)}});
      return;
    }
    if (command == "down") {
      runtime.command(core::Command{core::CommandKind::shutdown, ""});
      reply({{"ok", true},
             {"message", "shutting down"},
             {"supervisor_pid", static_cast<int>(getpid())}});
      return;
    }
    const auto kind = core::command_kind_from_string(command);
    if (!kind || !core::names_a_child(*kind)) {
      reply(error("unknown command '" + core::printable_text(command) +
                  "': expected ping, status, metrics, stop, start, restart or down"));
      return;
    }
    if (!request.contains("child") || !request["child"].is_string()) {
      reply(error("'" + command + "' needs a string field \"child\""));
      return;
    }
    const core::Command request_command{*kind, request["child"].get<std::string>()};
    const auto verdict = runtime.judge(request_command);
    auto state = core::ChildState::waiting;
    if (verdict == core::CommandVerdict::nothing_to_do) {
      const auto status = runtime.status();
      const auto found =
          std::find_if(status.begin(), status.end(),
                       [&](const core::ChildStatus& s) { return s.id == request_command.child; });
      if (found != status.end()) {
        state = found->state;
      }
    }
    if (verdict == core::CommandVerdict::accepted) {
      runtime.command(request_command);
    }
    reply(reply_to(command, request_command.child, verdict, state));
  };
}

}  // namespace supervise::runtime
