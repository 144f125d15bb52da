#include "supervisor/runtime/worktree.hpp"

#include <boost/asio/post.hpp>

namespace supervise::runtime {

namespace {

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
    text.pop_back();
  }
  return text;
}

}  // namespace

WorktreeCreation::WorktreeCreation(boost::asio::io_context& io, std::filesystem::path root,
                                   std::filesystem::path path, std::string branch,
                                   std::chrono::steady_clock::time_point deadline,
                                   OrphanReaper* reaper, Handler on_done)
    : io_(io),
      root_(std::move(root)),
      path_(std::move(path)),
      branch_(std::move(branch)),
      deadline_(deadline),
      reaper_(reaper),
      on_done_(std::move(on_done)) {}

std::shared_ptr<WorktreeCreation> WorktreeCreation::start(
    boost::asio::io_context& io, std::filesystem::path root, std::filesystem::path path,
    std::string branch, std::chrono::milliseconds deadline, OrphanReaper* reaper, Handler on_done) {
  auto creation = std::make_shared<WorktreeCreation>(
      io, std::move(root), std::move(path), std::move(branch),
      std::chrono::steady_clock::now() + deadline, reaper, std::move(on_done));
  std::error_code ec;
  if (std::filesystem::is_directory(creation->path_, ec)) {
    WorktreeResult result;
    result.ok = true;
    creation->finish(std::move(result));
  } else if (std::filesystem::exists(creation->path_, ec)) {
    WorktreeResult result;
    result.error = creation->path_.string() + " exists and is not a directory";
    creation->finish(std::move(result));
  } else {
    creation->run(Step::check_branch);
  }
  return creation;
}

void WorktreeCreation::cancel() {
  cancelled_ = true;
  if (running_) {
    running_->cancel();
  }
}

void WorktreeCreation::run(Step step) {
  const auto root = root_.string();
  std::vector<std::string> argv;
  switch (step) {
    case Step::check_branch:
      argv = {"git", "-C", root, "rev-parse", "--verify", "--quiet", "refs/heads/" + branch_};
      break;
    case Step::prune:
      // A worktree git forgot about (its directory was deleted) still
      // blocks a new one on the same path.
      argv = {"git", "-C", root, "worktree", "prune"};
      break;
    case Step::add:
      argv = branch_exists_ ? std::vector<std::string>{"git", "-C",           root,   "worktree",
                                                       "add", path_.string(), branch_}
                            : std::vector<std::string>{"git", "-C", root,    "worktree",
                                                       "add", "-b", branch_, path_.string()};
      break;
  }
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline_ - std::chrono::steady_clock::now());
  AsyncCommand::Options command;
  command.argv = std::move(argv);
  // A credential prompt would wait for a terminal that is not there.
  command.env = {{"GIT_TERMINAL_PROMPT", "0"}};
  command.work_dir = root_;
  command.time_limit = std::max(left, std::chrono::milliseconds(0));
  command.output_limit = 64 * 1024;
  command.reaper = reaper_;
  auto self = shared_from_this();
  running_ = AsyncCommand::start(
      io_, command, [self, step](AsyncCommand::Result outcome) { self->step_done(step, outcome); });
}

void WorktreeCreation::step_done(Step step, const AsyncCommand::Result& outcome) {
  running_.reset();
  WorktreeResult result;
  const char* what = step == Step::add     ? "git worktree add"
                     : step == Step::prune ? "git worktree prune"
                                           : "git rev-parse";
  if (cancelled_ || outcome.cancelled) {
    result.error = std::string(what) + " for " + path_.string() + " was cancelled";
    finish(std::move(result));
    return;
  }
  if (outcome.timed_out) {
    result.error =
        std::string(what) + " for " + path_.string() + " did not finish in time and was killed";
    finish(std::move(result));
    return;
  }
  if (!outcome.started) {
    result.error = trimmed(outcome.output);
    finish(std::move(result));
    return;
  }
  switch (step) {
    case Step::check_branch:
      branch_exists_ = outcome.exit_code == 0;
      run(Step::prune);
      return;
    case Step::prune:
      run(Step::add);
      return;
    case Step::add:
      if (outcome.exit_code != 0) {
        result.error = "git worktree add " + path_.string() + " failed: " + trimmed(outcome.output);
      } else {
        result.ok = true;
        result.created = true;
      }
      finish(std::move(result));
      return;
  }
}

void WorktreeCreation::finish(WorktreeResult result) {
  if (!on_done_) {
    return;
  }
  boost::asio::post(io_,
                    [handler = std::move(on_done_), done = std::move(result)] { handler(done); });
  on_done_ = nullptr;
}

}  // namespace supervise::runtime
