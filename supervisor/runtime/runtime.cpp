#include "supervisor/runtime/runtime.hpp"

#include <signal.h>
#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <random>

#include "supervisor/process/cgroup_v2.hpp"
#include "supervisor/runtime/child_process_launcher.hpp"
#include "supervisor/runtime/runtime_internals.hpp"
#include "supervisor/runtime/steady_clock.hpp"

namespace supervise::runtime {
namespace internal {

core::RandomSource make_random() {
  auto engine = std::make_shared<std::mt19937_64>(std::random_device{}());
  return [engine] { return std::uniform_real_distribution<double>(0.0, 1.0)(*engine); };
}

void index_children(const std::vector<core::ChildSpec>& children,
                    std::map<std::string, const core::ChildSpec*>& index) {
  for (const auto& child : children) {
    index[child.id] = &child;
    index_children(child.children, index);
  }
}

}  // namespace internal

Runtime::Runtime(RuntimeOptions options)
    : options_(std::move(options)),
      own_clock_(options_.clock ? nullptr : std::make_unique<SteadyClock>()),
      own_launcher_(options_.launcher ? nullptr : std::make_unique<ChildProcessLauncher>(reaper_)),
      clock_(options_.clock ? *options_.clock : *own_clock_),
      launcher_(options_.launcher ? *options_.launcher : *own_launcher_),
      reap_timer_(io_),
      timers_(io_, clock_, [this](core::TimerId id) { deliver(core::TimerFired{id}); }),
      stalls_(io_, [this](const core::StallChange& change) { stall_changed(change); }) {
  setting_.layout = options_.layout;
  setting_.initiative_id = options_.document.initiative_id;
  setting_.agent = options_.document.agent;
  setting_.shim = options_.shim;
  setting_.default_prompt = options_.default_prompt;
  setting_.log_relay = options_.log_relay;
  setting_.logs = options_.document.logs;
  index_specs();
  core_ = std::make_unique<core::Supervisor>(options_.document.root, internal::make_random());
}

Runtime::~Runtime() = default;

core::TimePoint Runtime::now() const {
  return clock_.now();
}

void Runtime::index_specs() {
  specs_.clear();
  stream_children_.clear();
  internal::index_children(options_.document.root.children, specs_);
  for (const auto& [id, spec] : specs_) {
    if (spec->type == core::ChildType::worker &&
        spec->complete_when == core::CompletionRule::stream) {
      stream_children_.push_back(id);
    }
  }
}

const core::ChildSpec* Runtime::find_spec(const std::string& id) const {
  const auto found = specs_.find(id);
  return found == specs_.end() ? nullptr : found->second;
}

RunResult Runtime::run() {
  start();
  io_.run();
  return finish();
}

void Runtime::start() {
  if (!become_child_subreaper()) {
    spdlog::warn(
        "cannot become a child subreaper: agents orphaned by a dying shim are not reaped by us");
  }
  if (options_.cgroups) {
    const auto base = process::find_cgroup_base();
    cgroup_base_ = base.directory;
    if (cgroup_base_.empty()) {
      spdlog::info("Containing workers by start markers (no cgroup: {})", base.error);
    } else {
      spdlog::info("Containing each worker in a cgroup of its own under {}", cgroup_base_.string());
    }
  } else {
    spdlog::info("Containing workers by start markers (cgroups are off)");
  }
  if (options_.handle_signals) {
    signals_ = std::make_unique<SignalWatch>(io_, [this](int signal) { on_signal(signal); });
  }
  boost::asio::post(io_, [this] { boot(); });
}

RunResult Runtime::finish() {
  db_watch_.reset();
  signals_.reset();
  reader_.reset();
  // Writes what is still queued, within the writer's drain deadline.
  journal_.reset();
  RunResult result;
  result.outcome = outcome_.value_or(core::TreeOutcome::shut_down);
  result.children = core_->status(now());
  return result;
}

void Runtime::boot() {
  if (options_.journal) {
    open_journal();
  }
  reader_ = std::make_unique<StoreReader>(io_, options_.layout);
  db_watch_ = std::make_unique<DbWatch>(io_, options_.layout.tasks_db, options_.db_watch,
                                        [this] { refresh_progress(); });
  if (!stream_children_.empty() && !db_watch_->inotify_active()) {
    spdlog::warn("not watching Task Copilot for changes ({}); reading it every {} s instead",
                 db_watch_->inotify_error(),
                 std::chrono::duration_cast<std::chrono::seconds>(options_.db_watch.poll).count());
  }
  for (const auto& child : stream_children_) {
    // Every stream child gets a first StreamProgress, complete or not.
    stream_complete_.erase(child);
  }
  // The first read decides which streams are done before anything starts;
  // it is bounded by the reader's busy timeout, and the loop runs meanwhile.
  refresh_progress([this] { finish_boot(); });
}

void Runtime::finish_boot() {
  for (const auto& [child, history] : restored_histories_) {
    if (find_spec(child) != nullptr && (history.restarts > 0 || history.failed)) {
      deliver(core::RestoreHistory{child, history.restarts, history.failed});
    }
  }
  restored_histories_.clear();
  for (const auto& child : stream_children_) {
    if (!stream_complete_.contains(child)) {
      stream_complete_[child] = false;
      deliver(core::StreamProgress{child, false});
    }
  }
  if (options_.adopt) {
    adopt_running_workers();
  }
  deliver(core::Boot{});
  if (options_.on_booted) {
    options_.on_booted(*this);
  }
  maybe_stop();
}

void Runtime::finished(core::TreeOutcome outcome) {
  outcome_ = outcome;
  spdlog::info("Supervision tree finished: {}", core::to_string(outcome));
  journal::Entry entry;
  entry.initiative = options_.document.initiative_id;
  entry.kind = journal::EntryKind::finished;
  entry.reason = std::string(core::to_string(outcome));
  record(std::move(entry));
}

std::optional<core::ChildStatus> Runtime::status_of(const std::string& child) const {
  return core_->status_of(child, now());
}

void Runtime::on_signal(int signal) {
  switch (signal) {
    case SIGCHLD:
      child_signalled();
      return;
    case SIGHUP:
      spdlog::info("Received SIGHUP: reloading the spec");
      if (options_.on_reloading) {
        options_.on_reloading();
      }
      reload([this] {
        if (!pending_reload_ && options_.on_reloaded) {
          options_.on_reloaded();  // refused, or nothing to stop first: done already
        }
      });
      return;
    default:
      break;
  }
  ++shutdown_signals_;
  if (shutdown_signals_ == 1) {
    spdlog::info("Received shutdown signal");
    command(core::Command{core::CommandKind::shutdown, ""});
  } else if (shutdown_signals_ == 2) {
    spdlog::warn("Received a second shutdown signal: killing every worker now");
    command(core::Command{core::CommandKind::force, ""});
  } else {
    spdlog::error("Received a third shutdown signal: exiting without waiting for workers");
    stopped_ = true;
    io_.stop();
  }
}

void Runtime::command(core::Command command) {
  if (command.kind == core::CommandKind::shutdown || command.kind == core::CommandKind::force) {
    if (!shutdown_requested_ && options_.on_stopping) {
      options_.on_stopping();
    }
    shutdown_requested_ = true;
  }
  deliver(std::move(command));
  maybe_stop();
}

core::CommandVerdict Runtime::judge(const core::Command& command) const {
  return core_->judge(command);
}

void Runtime::maybe_stop() {
  if (stopped_ || !outcome_ || pending_reload_ || !processes_.empty() || !starting_.empty()) {
    return;
  }
  if (options_.stay && !shutdown_requested_) {
    return;
  }
  if (!cgroup_removals_->idle()) {
    // Every process has ended; their emptied cgroups go before we do.
    cgroup_removals_->when_idle([this] { maybe_stop(); });
    return;
  }
  // Every child is at rest, so no relay is kept: each writes what its
  // pipe still holds and ends before we do.
  log_relays_->release_all();
  if (!log_relays_->idle()) {
    log_relays_->when_idle([this] { maybe_stop(); });
    return;
  }
  stopped_ = true;
  timers_.cancel_all();
  reap_timer_.cancel();
  stalls_.stop();
  // The watchers go once run() has returned: this may run inside one of
  // their own handlers.
  io_.stop();
}

std::vector<core::ChildStatus> Runtime::status() const {
  return core_->status(now());
}

std::optional<int> Runtime::process_count(const std::string& child) const {
  const auto found = processes_.find(child);
  if (found == processes_.end()) {
    return std::nullopt;
  }
  return found->second->process_count();
}

std::optional<int> Runtime::pid_of(const std::string& child) const {
  const auto found = processes_.find(child);
  if (found == processes_.end() || found->second->main_exited()) {
    return std::nullopt;
  }
  return found->second->pid();
}

}  // namespace supervise::runtime
