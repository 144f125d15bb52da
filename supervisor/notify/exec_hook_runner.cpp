#include "supervisor/notify/exec_hook_runner.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace supervise::notify {

namespace {

/// What of a hook's output a failure's log line quotes.
constexpr std::size_t kHookOutputLimit = 4096;

std::string describe_failure(const runtime::AsyncCommand::Result& result,
                             std::chrono::milliseconds time_limit) {
  std::string text;
  if (!result.started) {
    text = result.output;
  } else if (result.timed_out) {
    text = fmt::format("killed after its time limit of {} ms", time_limit.count());
  } else if (result.cancelled) {
    text = "killed: the supervisor is stopping";
  } else if (result.signal != 0) {
    text = fmt::format("killed by signal {}", result.signal);
  } else if (result.exit_code >= 0) {
    text = fmt::format("exited with status {}", result.exit_code);
  } else {
    text = "ended (status unknown)";
  }
  if (result.started && !result.output.empty()) {
    std::string output = result.output;
    while (!output.empty() && (output.back() == '\n' || output.back() == '\r')) {
      output.pop_back();
    }
    if (output.size() > 300) {
      output = output.substr(0, 300) + "...";
    }
    text += "; its output: " + output;
  }
  return text;
}

}  // namespace

ExecHookRunner::ExecHookRunner(boost::asio::io_context& io, ExecHookRunnerOptions options)
    : io_(io), options_(std::move(options)), queue_(options_.max_queued) {}

ExecHookRunner::~ExecHookRunner() {
  *alive_ = false;
  cancel_all();
}

void ExecHookRunner::submit(Run run) {
  if (queue_.push(std::move(run))) {
    stats_.dropped += 1;
  }
  if (const auto dropped = queue_.take_unreported(); dropped > 0) {
    spdlog::warn("notify: more than {} hook runs waiting; dropped the oldest ({} so far)",
                 queue_.capacity(), stats_.dropped);
  }
  start_next();
}

void ExecHookRunner::cancel_all() {
  queue_.clear();
  for (auto& [id, process] : running_) {
    process->cancel();
  }
  running_.clear();
}

void ExecHookRunner::start_next() {
  while (running_.size() < std::max<std::size_t>(options_.max_running, 1) && !queue_.empty()) {
    Run run = queue_.take();
    const std::uint64_t id = next_id_++;
    runtime::AsyncCommand::Options process;
    process.argv = run.argv;
    process.input = run.input;
    process.env = run.env;
    process.work_dir = options_.work_dir;
    process.time_limit = run.time_limit;
    process.output_limit = kHookOutputLimit;
    process.reaper = options_.reaper;
    ++stats_.started;
    std::weak_ptr<bool> alive = alive_;
    auto started = runtime::AsyncCommand::start(
        io_, process,
        [this, alive, id, done = std::move(run)](runtime::AsyncCommand::Result result) {
          if (alive.expired() || !*alive.lock()) {
            return;
          }
          finished(id, done, result);
        });
    running_.emplace(id, std::move(started));
  }
}

void ExecHookRunner::finished(std::uint64_t id, const Run& run,
                              const runtime::AsyncCommand::Result& result) {
  running_.erase(id);
  const auto now = journal::FailureLog::Clock::now();
  auto& log = failure_log(run.label);
  const bool ok = result.succeeded();
  if (ok) {
    ++stats_.succeeded;
    if (auto line = log.succeeded(now)) {
      spdlog::info("{}", *line);
    }
  } else {
    ++stats_.failed;
    if (result.timed_out) {
      ++stats_.timed_out;
    }
    if (!result.cancelled) {
      if (auto line = log.failed(describe_failure(result, run.time_limit), now)) {
        spdlog::warn("{}", *line);
      }
    }
  }
  start_next();
}

journal::FailureLog& ExecHookRunner::failure_log(const std::string& label) {
  auto found = failures_.find(label);
  if (found == failures_.end()) {
    found = failures_
                .emplace(label,
                         journal::FailureLog("notify: hook " + label,
                                             options_.failure_summary_every, "repeats are counted"))
                .first;
  }
  return found->second;
}

}  // namespace supervise::notify
