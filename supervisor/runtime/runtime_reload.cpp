// Runtime: SIGHUP. The children whose spec changed are stopped; once none
// of them runs, a new core takes over the tree with what is known of the
// children that kept running.

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>

#include "supervisor/runtime/runtime.hpp"
#include "supervisor/runtime/runtime_internals.hpp"

namespace supervise::runtime {

void Runtime::reload(std::function<void()> then) {
  const auto refuse = [&then](const char* why) {
    spdlog::info("{}", why);
    if (then) {
      then();
    }
  };
  if (!options_.reload) {
    refuse("No spec source to reload from; nothing changes");
    return;
  }
  if (pending_reload_ || reload_reading_) {
    refuse("A reload is already in progress");
    return;
  }
  if (shutdown_requested_) {
    refuse("Shutting down: not reloading");
    return;
  }
  reload_reading_ = true;
  // Reading the spec file (or deriving the tree from Task Copilot) reads
  // files and a database: beside the loop, which applies the result.
  boost::asio::post(background_, [this, read = options_.reload, then = std::move(then)]() mutable {
    std::string error;
    auto document = read(error);
    boost::asio::post(io_, [this, document = std::move(document), error = std::move(error),
                            then = std::move(then)]() mutable {
      reload_reading_ = false;
      apply_reload(std::move(document), error);
      if (then) {
        then();
      }
    });
  });
}

void Runtime::apply_reload(std::optional<core::SpecDocument> document, const std::string& error) {
  if (stopped_) {
    return;
  }
  if (shutdown_requested_) {
    spdlog::info("Shutting down: not reloading");
    return;
  }
  if (!document) {
    spdlog::error("Cannot reload the spec, keeping the running tree: {}", error);
    return;
  }
  if (*document == options_.document) {
    spdlog::info("The spec has not changed");
    return;
  }
  std::map<std::string, const core::ChildSpec*> next;
  internal::index_children(document->root.children, next);
  // The shim passes the agent and initiative to every shim worker.
  const bool shim_setting_changed = document->agent != options_.document.agent ||
                                    document->initiative_id != options_.document.initiative_id;
  reload_stopping_.clear();
  for (const auto& [id, process] : processes_) {
    const auto* old_spec = find_spec(id);
    const auto found = next.find(id);
    const bool changed = old_spec == nullptr || found == next.end() ||
                         !(*found->second == *old_spec) ||
                         (shim_setting_changed && old_spec->command.empty());
    if (changed) {
      reload_stopping_.push_back(id);
    }
  }
  pending_reload_ = std::move(document);
  spdlog::info("Reloading: stopping {} child(ren) whose spec changed", reload_stopping_.size());
  for (const auto& id : reload_stopping_) {
    deliver(core::Command{core::CommandKind::stop, id});
  }
  finish_reload();
}

void Runtime::finish_reload() {
  if (!pending_reload_) {
    return;
  }
  for (const auto& id : reload_stopping_) {
    if (processes_.contains(id) || starting_.contains(id)) {
      return;  // still stopping
    }
  }
  for (const auto& [id, process] : processes_) {
    if (process->main_exited()) {
      return;  // its exit belongs to the old tree
    }
  }
  const auto old_status = core_->status(now());
  for (const auto& status : old_status) {
    if (status.state == core::ChildState::stopping && processes_.contains(status.id)) {
      // Its stop (and the SIGKILL escalation timer) belongs to the old tree:
      // the new one takes over once it ended.
      return;
    }
  }
  // Kept alive until the comparisons below are done: specs_ points into it.
  const core::SpecDocument old_document = std::move(options_.document);
  std::map<std::string, const core::ChildSpec*> old_specs;
  internal::index_children(old_document.root.children, old_specs);
  timers_.cancel_all();
  options_.document = std::move(*pending_reload_);
  pending_reload_.reset();
  reload_stopping_.clear();
  setting_.initiative_id = options_.document.initiative_id;
  setting_.agent = options_.document.agent;
  setting_.logs = options_.document.logs;
  index_specs();
  core_ = std::make_unique<core::Supervisor>(options_.document.root, internal::make_random());
  outcome_.reset();

  int kept = 0;
  std::map<std::string, core::ChildStatus> unchanged;
  for (const auto& status : old_status) {
    const auto* now_spec = find_spec(status.id);
    const auto old_spec = old_specs.find(status.id);
    if (now_spec == nullptr || old_spec == old_specs.end() || !(*now_spec == *old_spec->second)) {
      continue;  // a new life for a changed child
    }
    unchanged.emplace(status.id, status);
    if (status.restarts > 0 || status.state == core::ChildState::failed) {
      deliver(core::RestoreHistory{status.id, status.restarts,
                                   status.state == core::ChildState::failed});
    }
    // What operators and completion decided stays: a child stopped by
    // `stop` stays held, a done one does not run again. A child stopped
    // because a dependency ended is judged again (that dependency may have
    // a new life now).
    const bool final_state = status.state == core::ChildState::done ||
                             status.state == core::ChildState::failed ||
                             (status.state == core::ChildState::stopped &&
                              status.reason != core::Reason::dependency_ended);
    if (final_state && status.type == core::ChildType::worker) {
      deliver(core::RestoreState{status.id, status.state, status.held, 0, std::nullopt});
    }
  }
  // The new core starts from what is known of every stream now; a fresh
  // read follows the boot.
  std::map<std::string, bool> known;
  known.swap(stream_complete_);
  for (const auto& child : stream_children_) {
    const auto found = known.find(child);
    const bool complete = found != known.end() && found->second;
    stream_complete_[child] = complete;
    deliver(core::StreamProgress{child, complete});
  }
  for (const auto& [id, process] : processes_) {
    if (find_spec(id) == nullptr || process->main_exited()) {
      continue;
    }
    ++kept;
    const auto before = unchanged.find(id);
    if (before != unchanged.end() && before->second.state == core::ChildState::running) {
      // Our own process: still shown running, with its real exit status.
      deliver(core::RestoreState{id, core::ChildState::running, false, process->pid(),
                                 before->second.started_at});
    } else {
      deliver(core::Adopted{id, process->pid()});
    }
  }
  spdlog::info("Spec reloaded; {} child(ren) kept running", kept);
  deliver(core::Boot{});
  refresh_progress();
  if (options_.on_reloaded) {
    options_.on_reloaded();
  }
  maybe_stop();
}

}  // namespace supervise::runtime
