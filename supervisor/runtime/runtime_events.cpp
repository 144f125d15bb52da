// Runtime: the event pump. Events go into the core one at a time, in order;
// the actions it returns are performed (spawns are queued, signals sent,
// timers armed, state changes logged and journalled), and processes ending
// come back as events.

#include <signal.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "supervisor/legacy/pid_file.hpp"
#include "supervisor/runtime/runtime.hpp"

namespace supervise::runtime {
namespace {

/// How long orphan zombies may wait behind a main process whose watcher has
/// not reaped it yet before we look again.
constexpr std::chrono::milliseconds kOrphanReapInterval{200};

/// A SIGCHLD is answered by a look for orphans this long after it, not at
/// once: the look (waitid on all children) walks the kernel's list of every
/// child we have, and run ahead of a restart it delayed the restart by about
/// 1 ms in a tree of 1,000 workers. Delayed, the SIGCHLDs of a burst of
/// exits share one look, at most one per delay whatever the rate of exits.
/// Our workers do not wait for it: their watchers reap them.
constexpr std::chrono::milliseconds kOrphanReapDelay{20};

std::string describe(const core::StateChanged& change) {
  auto text = fmt::format("{}: {} -> {} ({})", change.child, core::to_string(change.from),
                          core::to_string(change.to), core::to_string(change.reason));
  if (!change.detail.empty()) {
    text += ": " + change.detail;
  }
  return text;
}

}  // namespace

void Runtime::deliver(core::Event event) {
  queue_.push_back(std::move(event));
  if (pumping_) {
    return;  // the loop below takes it: actions may cause events
  }
  pumping_ = true;
  while (!queue_.empty()) {
    const auto next = std::move(queue_.front());
    queue_.pop_front();
    for (const auto& action : core_->handle(next, now())) {
      perform(action);
    }
  }
  pumping_ = false;
  maybe_stop();
}

void Runtime::perform(const core::Action& action) {
  std::visit(
      [this](const auto& act) {
        using T = std::decay_t<decltype(act)>;
        if constexpr (std::is_same_v<T, core::Spawn>) {
          queue_spawn(act.child);
        } else if constexpr (std::is_same_v<T, core::SignalGroup>) {
          signal_group(act);
        } else if constexpr (std::is_same_v<T, core::ScheduleTimer>) {
          timers_.schedule(act.timer, act.delay);
        } else if constexpr (std::is_same_v<T, core::CancelTimer>) {
          timers_.cancel(act.timer);
        } else if constexpr (std::is_same_v<T, core::StateChanged>) {
          state_changed(act);
        } else if constexpr (std::is_same_v<T, core::Finished>) {
          finished(act.outcome);
        }
      },
      action);
}

void Runtime::signal_group(const core::SignalGroup& action) {
  const auto found = processes_.find(action.child);
  if (found == processes_.end()) {
    spdlog::debug("{}: no process to signal", action.child);
    return;
  }
  const int signal = action.signal == core::StopSignal::kill ? SIGKILL : SIGTERM;
  std::string error;
  if (!found->second->signal(signal, error)) {
    spdlog::error("cannot signal {} (PID {}): {}", action.child, found->second->pid(), error);
  } else if (signal == SIGTERM) {
    // A worker stopped with SIGSTOP would hold its SIGTERM until the SIGKILL
    // of its shutdown timeout: let it run to handle it.
    found->second->signal(SIGCONT, error);
  }
}

void Runtime::state_changed(const core::StateChanged& change) {
  if (change.to == core::ChildState::stopping && starting_.contains(change.child)) {
    cancel_attempt(change.child);
  }
  if (core::is_final(change.to) || change.to == core::ChildState::waiting) {
    // At rest: it will not run again soon, so its log relay may end, and
    // its record goes, before anyone hears of the change (who reads the
    // line below finds the record gone).
    log_relays_->release(change.child);
    if (const auto ended = ended_records_.find(change.child); ended != ended_records_.end()) {
      remove_record(change.child, ended->second);
      ended_records_.erase(ended);
    }
  }
  const auto text = describe(change);
  if (change.to == core::ChildState::failed) {
    spdlog::error("{}", text);
  } else if (change.reason == core::Reason::crashed ||
             change.reason == core::Reason::spawn_failed ||
             change.reason == core::Reason::out_of_resources) {
    spdlog::warn("{}", text);
  } else {
    spdlog::info("{}", text);
  }
  restart_latency_.state_changed(change, now());
  watch_for_stalls(change);
  if (options_.on_state_changed) {
    options_.on_state_changed(change);
  }
  journal_state_change(change);
}

void Runtime::on_exit(const std::string& child, int pid, core::ExitStatus status) {
  const auto found = processes_.find(child);
  if (found != processes_.end() && found->second->pid() == pid) {
    processes_.erase(found);
  }
  // Its record stays until the child comes to rest (state_changed): a
  // restart rewrites it in place, where removing it here and creating it
  // again at the start costs ext4 more the more records were deleted
  // recently. A later up that finds it names a dead PID, and stops what
  // that start left (nothing) before its own start.
  ended_records_[child] = pid;
  const auto* spec = find_spec(child);
  if (spec != nullptr && spec->command.empty()) {
    last_drained_[child] = pid;
    // A shim killed with SIGKILL leaves its PID file behind.
    if (const auto path = options_.layout.pid_file(child)) {
      std::string error;
      legacy::remove_pid_file_if_holds(*path, pid, error);
    }
  }
  {
    journal::Entry entry;
    entry.initiative = options_.document.initiative_id;
    entry.child = child;
    entry.kind = journal::EntryKind::exit;
    entry.pid = pid;
    entry.exit_code = status.code;
    entry.signal = status.signal;
    entry.detail = status.describe();
    record(std::move(entry));
  }
  auto judge = [this, child, status] {
    deliver(core::Exited{child, status});
    finish_reload();
    maybe_stop();
  };
  if (std::find(stream_children_.begin(), stream_children_.end(), child) !=
      stream_children_.end()) {
    // An agent that completes its last task and exits at once is normal:
    // read the stream's progress before the core judges the exit, instead
    // of after the database watch's coalescing delay. The read is off the
    // loop and bounded; a locked database leaves the progress known so far.
    refresh_progress(std::move(judge));
    return;
  }
  judge();
}

void Runtime::reap_orphans(int blocked_before) {
  const int blocked_by = reaper_.reap().blocked_by;
  if (blocked_by == 0) {
    return;
  }
  if (blocked_by == blocked_before) {
    // Its watcher has not reaped it in all that time: whatever else is a
    // zombie behind it is found the slow way, once.
    reaper_.reap_all();
    return;
  }
  schedule_orphan_reap(kOrphanReapInterval, blocked_by);
}

void Runtime::child_signalled() {
  schedule_orphan_reap(kOrphanReapDelay, 0);
}

void Runtime::schedule_orphan_reap(std::chrono::milliseconds delay, int blocked_before) {
  if (reap_scheduled_) {
    return;
  }
  reap_scheduled_ = true;
  reap_timer_.expires_after(delay);
  reap_timer_.async_wait([this, blocked_before](const boost::system::error_code& ec) {
    reap_scheduled_ = false;
    if (!ec) {
      reap_orphans(blocked_before);
    }
  });
}

}  // namespace supervise::runtime
