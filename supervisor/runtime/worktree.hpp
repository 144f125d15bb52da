#pragma once

// The git worktree of a stream (LEGACY_CONTRACT.md §4), created without
// waiting: a hung git must not stop the loop.

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "supervisor/legacy/worktree.hpp"
#include "supervisor/runtime/async_command.hpp"

namespace supervise::runtime {

/// What a creation ended with: the same as the legacy monitor's.
using WorktreeResult = legacy::WorktreeResult;

/// legacy::ensure_worktree() beside the event loop, for the runtime: each git step is
/// an AsyncCommand, and the whole creation has one deadline, after which the
/// running step is killed and the result names the step that hung.
class WorktreeCreation : public std::enable_shared_from_this<WorktreeCreation> {
 public:
  using Handler = std::function<void(WorktreeResult)>;

  /// `on_done` runs once on `io` (at once, posted, when `path` is a directory
  /// already). `reaper` is told of each git (AsyncCommand::Options::reaper).
  static std::shared_ptr<WorktreeCreation> start(boost::asio::io_context& io,
                                                 std::filesystem::path root,
                                                 std::filesystem::path path, std::string branch,
                                                 std::chrono::milliseconds deadline,
                                                 OrphanReaper* reaper, Handler on_done);
  /// Kills the running git step; `on_done` then runs with an error.
  void cancel();

  WorktreeCreation(boost::asio::io_context& io, std::filesystem::path root,
                   std::filesystem::path path, std::string branch,
                   std::chrono::steady_clock::time_point deadline, OrphanReaper* reaper,
                   Handler on_done);

 private:
  enum class Step { check_branch, prune, add };
  void run(Step step);
  void step_done(Step step, const AsyncCommand::Result& outcome);
  void finish(WorktreeResult result);

  boost::asio::io_context& io_;
  std::filesystem::path root_;
  std::filesystem::path path_;
  std::string branch_;
  std::chrono::steady_clock::time_point deadline_;
  OrphanReaper* reaper_;
  Handler on_done_;
  bool branch_exists_ = false;
  bool cancelled_ = false;
  std::shared_ptr<AsyncCommand> running_;
};

}  // namespace supervise::runtime
