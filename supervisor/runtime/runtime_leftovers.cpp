// Runtime: what earlier starts of a child left running (a shim's sessions,
// an earlier run's recorded worker) is found beside the loop and stopped
// before the child starts again, so that no two workers of one child ever
// run side by side.

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/post.hpp>

#include "supervisor/legacy/pid_file.hpp"
#include "supervisor/legacy/shim_banner.hpp"
#include "supervisor/legacy/survivors.hpp"
#include "supervisor/runtime/runtime.hpp"

namespace supervise::runtime {
namespace {

/// At most this long between SIGTERM and SIGKILL for what an earlier shim
/// left running, however long the child's shutdown timeout: the loop waits
/// meanwhile.
constexpr std::chrono::milliseconds kSurvivorGrace{5'000};

/// What an earlier start left is killed again this often until it is gone,
/// and given up on (the start fails) after kLeftoverDeadline.
constexpr std::chrono::milliseconds kLeftoverRound{20};
constexpr std::chrono::milliseconds kLeftoverDeadline{10'000};

}  // namespace

void Runtime::stop_leftovers(const std::string& child, const AttemptPtr& attempt,
                             std::chrono::steady_clock::time_point since) {
  const auto left = leftovers_.find(child);
  if (left == leftovers_.end()) {
    continue_start(child, attempt);
    return;
  }
  if (!attempt->leftovers) {
    attempt->leftovers = WorkerContainment::create(io_, background_.get_executor(),
                                                   cgroup_removals_, left->second.scope);
  }
  attempt->leftovers->sweep([this, child, attempt, since](std::size_t found) {
    if (!attempt_current(child, attempt)) {
      return;
    }
    if (found == 0) {
      const auto record = leftovers_.find(child);
      if (record != leftovers_.end()) {
        remove_record_of_start(child, record->second.scope.start_id);
        leftovers_.erase(record);
      }
      attempt->leftovers.reset();
      continue_start(child, attempt);
      return;
    }
    spdlog::warn("{}: killing {} process(es) left by its worker of an earlier run", child, found);
    if (std::chrono::steady_clock::now() - since > kLeftoverDeadline) {
      end_attempt(child, attempt,
                  core::SpawnFailed{child, fmt::format("{} process(es) left by its earlier worker "
                                                       "survive SIGKILL; not starting another "
                                                       "beside them",
                                                       found)});
      return;
    }
    attempt->leftover_timer = std::make_unique<boost::asio::steady_timer>(io_, kLeftoverRound);
    attempt->leftover_timer->async_wait(
        [this, child, attempt, since](const boost::system::error_code& ec) {
          if (!ec && attempt_current(child, attempt)) {
            stop_leftovers(child, attempt, since);
          }
        });
  });
}

void Runtime::clear_the_way(const std::string& child, const AttemptPtr& attempt) {
  const auto path = options_.layout.pid_file(child);
  if (!path) {
    launch(child, attempt);  // prepare_worker refuses the id
    return;
  }
  auto previous = previous_shims_[child];
  const auto read = legacy::read_pid_file(*path);
  std::string error;
  if (read.state == legacy::PidFileState::valid) {
    auto adopted = adopt_worker(child, read);
    switch (adopted.failure) {
      case ChildProcess::AdoptFailure::none:
        spdlog::warn(
            "{}: a worker started elsewhere runs (PID {}); adopting it instead of starting "
            "another",
            child, read.pid);
        previous_shims_.erase(child);
        end_attempt(child, attempt, core::Spawned{child, read.pid});
        return;
      case ChildProcess::AdoptFailure::cannot_watch:
        end_attempt(child, attempt,
                    core::SpawnFailed{child, fmt::format("its worker started elsewhere (PID {}) "
                                                         "runs but cannot be watched ({}); not "
                                                         "starting a second one",
                                                         read.pid, adopted.error)});
        return;
      case ChildProcess::AdoptFailure::ended:
      case ChildProcess::AdoptFailure::not_verified:
        previous[read.pid] = read.mtime;
        previous_shims_[child][read.pid] = read.mtime;
        legacy::remove_pid_file_if_unchanged(*path, read, error);
        break;
    }
  } else if (read.state == legacy::PidFileState::garbage) {
    legacy::remove_pid_file_if_unchanged(*path, read, error);
  }
  const auto log_file = options_.layout.log_file(child, options_.document.initiative_id);
  const auto work_dir = options_.layout.work_dir(child);
  std::optional<int> drained;
  if (const auto found = last_drained_.find(child); found != last_drained_.end()) {
    drained = found->second;
  }
  // The log and the process table can be large: read them beside the loop.
  boost::asio::post(
      background_, [this, child, attempt, previous, drained,
                    log_file = log_file ? *log_file : std::filesystem::path(),
                    work_dir = work_dir ? *work_dir : std::filesystem::path()]() mutable {
        if (!log_file.empty()) {
          if (const auto last_run = legacy::find_shim_run(log_file)) {
            previous.try_emplace(last_run->pid);
          }
        }
        std::vector<std::pair<int, legacy::SurvivorSearch>> searches;
        for (const auto& [old_pid, pid_file_mtime] : previous) {
          if (drained == old_pid) {
            continue;  // our own earlier process: its group was emptied when it ended
          }
          // Only what that shim started during its life, in the stream's work
          // dir or marked as the stream's, is its leftover.
          legacy::SurvivorScope scope;
          scope.shim_started = pid_file_mtime;
          scope.work_dir = work_dir;
          if (!log_file.empty()) {
            if (const auto run = legacy::find_shim_run(log_file, old_pid)) {
              if (run->started) {
                scope.shim_started = run->started;
              }
              scope.shim_ended = run->ended;
            }
          }
          searches.emplace_back(old_pid, legacy::find_survivors(old_pid, child, scope));
        }
        boost::asio::post(io_, [this, child, attempt, found = std::move(searches)]() mutable {
          survivors_found(child, attempt, std::move(found));
        });
      });
}

void Runtime::survivors_found(const std::string& child, const AttemptPtr& attempt,
                              std::vector<std::pair<int, legacy::SurvivorSearch>> searches) {
  if (!attempt_current(child, attempt)) {
    return;
  }
  std::vector<legacy::SurvivorTarget> targets;
  std::size_t found = 0;
  std::string sessions;
  for (const auto& [old_pid, search] : searches) {
    if (!search.report.remaining.empty()) {
      end_attempt(child, attempt,
                  core::SpawnFailed{child, fmt::format("{} process(es) left by its previous shim "
                                                       "(session {}) are not ours to stop; not "
                                                       "starting another worker beside them",
                                                       search.report.remaining.size(), old_pid)});
      return;
    }
    found += search.report.found.size();
    if (!search.targets.empty()) {
      sessions += (sessions.empty() ? "" : ", ") + std::to_string(old_pid);
    }
    targets.insert(targets.end(), search.targets.begin(), search.targets.end());
  }
  if (targets.empty()) {
    previous_shims_.erase(child);
    prepare_and_launch(child, attempt);
    return;
  }
  const auto* spec = find_spec(child);
  const auto grace =
      spec == nullptr || spec->shutdown.brutal_kill
          ? std::chrono::milliseconds(0)
          : std::min<std::chrono::milliseconds>(spec->shutdown.timeout, kSurvivorGrace);
  attempt->survivors = SurvivorStop::start(
      io_, targets, grace, [this, child, attempt, found, sessions](std::vector<int> remaining) {
        attempt->survivors.reset();
        if (!attempt_current(child, attempt)) {
          return;
        }
        if (!remaining.empty()) {
          end_attempt(child, attempt,
                      core::SpawnFailed{child, fmt::format("{} process(es) left by its previous "
                                                           "shim (session {}) could not be "
                                                           "stopped; not starting another worker "
                                                           "beside them",
                                                           remaining.size(), sessions)});
          return;
        }
        spdlog::warn("{}: stopped {} process(es) left by its previous shim (session {})", child,
                     found, sessions);
        previous_shims_.erase(child);
        prepare_and_launch(child, attempt);
      });
}

}  // namespace supervise::runtime
