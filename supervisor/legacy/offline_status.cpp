#include "supervisor/legacy/offline_status.hpp"

#include <fmt/format.h>

#include <map>
#include <system_error>

#include "supervisor/core/dependency_graph.hpp"
#include "supervisor/journal/journal.hpp"
#include "supervisor/legacy/dead_worker_rule.hpp"
#include "supervisor/legacy/pid_file.hpp"
#include "supervisor/legacy/shim_banner.hpp"
#include "supervisor/legacy/worker_identity.hpp"
#include "supervisor/process/session_scan.hpp"
#include "supervisor/spec/spec_error.hpp"
#include "supervisor/spec/spec_loader.hpp"
#include "supervisor/taskcopilot/stream_rules.hpp"
#include "supervisor/taskcopilot/task_store.hpp"

namespace supervise::legacy {

namespace {

using core::ChildState;

struct LiveWorker {
  int pid = 0;
  double uptime_seconds = 0;
};

/// The verified worker behind a stream's PID file, if any; anything odd about
/// the file becomes a note.
std::optional<LiveWorker> live_worker(const taskcopilot::ProjectLayout& layout,
                                      const std::string& stream_id,
                                      std::vector<std::string>& notes) {
  const auto path = layout.pid_file(stream_id);
  if (!path) {
    notes.push_back(path.error().message);
    return std::nullopt;
  }
  const PidFileRead read = read_pid_file(*path);
  switch (read.state) {
    case PidFileState::missing:
      return std::nullopt;
    case PidFileState::garbage:
    case PidFileState::not_regular:
    case PidFileState::symlink:
    case PidFileState::unreadable:
      notes.push_back(fmt::format("{}: PID file {} ignored ({}{}{})", stream_id, path->string(),
                                  to_string(read.state), read.reason.empty() ? "" : ": ",
                                  read.reason));
      return std::nullopt;
    case PidFileState::valid:
      break;
  }
  const process::WorkerVerdict verdict = verify_worker(read.pid, stream_id, read.mtime);
  if (verdict != process::WorkerVerdict::verified) {
    if (verdict != process::WorkerVerdict::no_such_process) {
      notes.push_back(fmt::format("{}: PID file names pid {}, which is not its worker ({})",
                                  stream_id, read.pid, to_string(verdict)));
    }
    return std::nullopt;
  }
  LiveWorker worker{read.pid, 0};
  if (const auto process = process::read_process(read.pid)) {
    worker.uptime_seconds =
        std::chrono::duration<double>(WallClock::now() - process->start_time).count();
  }
  return worker;
}

void add_workers(const std::vector<core::ChildSpec>& children,
                 std::vector<const core::ChildSpec*>& workers,
                 std::vector<core::DependencyNode>& nodes) {
  for (const auto& child : children) {
    std::vector<std::string> dependencies;
    for (const auto& dependency : child.depends_on) {
      dependencies.push_back(dependency.id);
    }
    nodes.push_back({child.id, std::move(dependencies)});
    if (child.type == core::ChildType::worker) {
      workers.push_back(&child);
    }
    add_workers(child.children, workers, nodes);
  }
}

/// A project without Task Copilot (a spec file of custom commands): the
/// children are those of the tree `up` ran last; states come from PID files
/// and the journal alone.
std::optional<status::StatusReport> offline_status_from_spec(
    const taskcopilot::ProjectLayout& layout, std::string& error) {
  const auto loaded = spec::load_spec_file(layout.last_spec.string());
  if (!loaded.document) {
    error = "cannot read the tree supervise ran last: " + spec::format(loaded.errors);
    while (!error.empty() && error.back() == '\n') {
      error.pop_back();
    }
    return std::nullopt;
  }
  status::StatusReport report;
  report.source = status::Source::offline;
  report.initiative_id = loaded.document->initiative_id;
  std::string journal_why;
  std::map<std::string, journal::ChildHistory> histories;
  if (auto journal = journal::Journal::open_read_only(layout.journal_db, journal_why)) {
    histories = journal->histories(report.initiative_id);
  }
  std::vector<const core::ChildSpec*> workers;
  std::vector<core::DependencyNode> nodes;
  add_workers(loaded.document->root.children, workers, nodes);
  const auto depths = core::dependency_depths(nodes);
  for (const auto* worker : workers) {
    status::ChildReport child;
    child.id = worker->id;
    child.name = worker->name.empty() ? worker->id : worker->name;
    child.depth = depths.contains(worker->id) ? depths.at(worker->id) : 0;
    const auto history = histories.find(worker->id);
    if (history != histories.end()) {
      child.restarts = history->second.restarts;
    }
    const auto live =
        worker->command.empty() ? live_worker(layout, worker->id, report.notes) : std::nullopt;
    if (live) {
      child.state = ChildState::running;
      child.pid = live->pid;
      child.uptime_seconds = live->uptime_seconds;
    } else if (history != histories.end() && history->second.failed) {
      child.state = ChildState::failed;
    } else {
      child.state = ChildState::stopped;
    }
    report.children.push_back(std::move(child));
  }
  report.notes.push_back(
      "no supervisor runs for this project: the children are those of the tree it ran last (" +
      layout.last_spec.string() + "), their states from PID files and the journal");
  return report;
}

}  // namespace

std::optional<status::StatusReport> offline_status(const taskcopilot::ProjectLayout& layout,
                                                   std::string& error) {
  status::StatusReport report;
  report.source = status::Source::offline;
  auto store = taskcopilot::TaskStore::open(layout);
  if (!store) {
    std::error_code ec;
    if (store.error().code == taskcopilot::ErrorCode::missing_database &&
        std::filesystem::exists(layout.last_spec, ec)) {
      return offline_status_from_spec(layout, error);
    }
    error = store.error().message;
    return std::nullopt;
  }
  auto initiative = store->active_initiative();
  if (!initiative) {
    error = initiative.error().message;
    return std::nullopt;
  }
  if (!initiative->has_value()) {
    report.notes.push_back("no active initiative in " + layout.memory_db.string());
    return report;
  }
  report.initiative_id = (*initiative)->id;
  report.initiative_name = (*initiative)->name.value_or("Unnamed Initiative");
  auto streams = store->streams(report.initiative_id);
  if (!streams) {
    error = streams.error().message;
    return std::nullopt;
  }

  std::string journal_why;
  std::map<std::string, journal::ChildHistory> histories;
  if (auto journal = journal::Journal::open_read_only(layout.journal_db, journal_why)) {
    histories = journal->histories(report.initiative_id);
  }

  std::vector<core::DependencyNode> nodes;
  std::map<std::string, bool> complete;
  for (const auto& stream : streams->streams) {
    nodes.push_back({stream.id, stream.dependencies});
    complete[stream.id] = taskcopilot::is_complete(stream.progress);
  }
  const auto depths = core::dependency_depths(nodes);

  for (const auto& stream : streams->streams) {
    status::ChildReport child;
    child.id = stream.id;
    child.name = stream.name;
    child.tasks.emplace(status::TaskCounts{stream.progress.completed, stream.progress.total});
    child.depth = depths.contains(stream.id) ? depths.at(stream.id) : 0;
    for (const auto& dependency : stream.dependencies) {
      if (!complete[dependency]) {
        child.waiting_for.push_back(dependency);
      }
    }
    if (const auto found = histories.find(stream.id); found != histories.end()) {
      child.restarts = found->second.restarts;
    }
    const auto worker = live_worker(layout, stream.id, report.notes);
    if (worker) {
      child.state = ChildState::running;
      child.pid = worker->pid;
      const auto stat = process::read_proc_stat(worker->pid);
      child.paused = stat && stat->is_stopped();
      child.uptime_seconds = worker->uptime_seconds;
    } else if (complete[stream.id]) {
      child.state = ChildState::done;
    } else if (!child.waiting_for.empty()) {
      child.state = ChildState::waiting;
    } else if (histories.contains(stream.id) && histories.at(stream.id).failed) {
      child.state = ChildState::failed;
    } else {
      child.state = ChildState::stopped;
    }
    const auto log = layout.log_file(stream.id, report.initiative_id);
    child.dead = is_dead_worker({.running = worker.has_value(),
                                 .complete = complete[stream.id],
                                 .dependencies_complete = child.waiting_for.empty(),
                                 .log_bytes = log ? log_size(*log) : std::nullopt,
                                 .total_tasks = stream.progress.total});
    report.children.push_back(std::move(child));
  }
  report.notes.insert(report.notes.begin(),
                      "no supervisor runs for this project: states come from PID files, "
                      "Task Copilot and the journal");
  return report;
}

}  // namespace supervise::legacy
