#pragma once

// Runs `exec` hooks beside the loop: at most `max_running` at once, the rest
// waiting in a bounded queue (when it is full the oldest waiting run is
// dropped, and the log says how many were). A hook that fails, hangs past
// its time limit or cannot start is logged, a run of failures of one hook
// in few lines (journal/failure_log.hpp); nothing a hook does is fatal.

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "supervisor/journal/failure_log.hpp"
#include "supervisor/notify/bounded_queue.hpp"
#include "supervisor/runtime/async_command.hpp"

namespace supervise::notify {

struct ExecHookRunnerOptions {
  std::size_t max_running = 4;
  std::size_t max_queued = 100;
  std::filesystem::path work_dir;
  /// Passed to every hook's AsyncCommand; may be null.
  runtime::OrphanReaper* reaper = nullptr;
  /// While a hook keeps failing, one summary line per this period at most.
  std::chrono::milliseconds failure_summary_every{60'000};
};

struct ExecHookStats {
  std::uint64_t started = 0;
  std::uint64_t succeeded = 0;  ///< exited 0 within its time limit
  std::uint64_t failed = 0;     ///< could not start, exited non-zero, or was killed
  std::uint64_t timed_out = 0;  ///< of the failed: killed at the time limit
  std::uint64_t dropped = 0;    ///< pushed out of a full queue before they ran
};

class ExecHookRunner {
 public:
  /// One run of one hook.
  struct Run {
    std::string label;  ///< names the hook in the log, e.g. "notify[0] (notify-send)"
    std::vector<std::string> argv;
    std::string input;
    std::map<std::string, std::string> env;
    std::chrono::milliseconds time_limit{10'000};
  };

  ExecHookRunner(boost::asio::io_context& io, ExecHookRunnerOptions options);
  /// Kills the groups of the hooks still running.
  ~ExecHookRunner();
  ExecHookRunner(const ExecHookRunner&) = delete;
  ExecHookRunner& operator=(const ExecHookRunner&) = delete;

  /// Starts `run` now, or queues it when `max_running` run already.
  void submit(Run run);
  /// Kills every running hook and forgets the queued ones.
  void cancel_all();

  /// Nothing runs or waits.
  bool idle() const { return running_.empty() && queue_.empty(); }
  std::size_t running() const { return running_.size(); }
  std::size_t queued() const { return queue_.size(); }
  const ExecHookStats& stats() const { return stats_; }

 private:
  void start_next();
  void finished(std::uint64_t id, const Run& run, const runtime::AsyncCommand::Result& result);
  journal::FailureLog& failure_log(const std::string& label);

  boost::asio::io_context& io_;
  ExecHookRunnerOptions options_;
  BoundedQueue<Run> queue_;
  std::map<std::uint64_t, std::shared_ptr<runtime::AsyncCommand>> running_;
  std::uint64_t next_id_ = 1;
  std::map<std::string, journal::FailureLog> failures_;
  ExecHookStats stats_;
  /// Completions posted before this runner went away find it gone.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace supervise::notify
