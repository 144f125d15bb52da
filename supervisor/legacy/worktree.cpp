#include "supervisor/legacy/worktree.hpp"

#include "supervisor/process/run_command.hpp"

namespace supervise::legacy {

WorktreeResult ensure_worktree(const std::filesystem::path& root, const std::filesystem::path& path,
                               const std::string& branch) {
  WorktreeResult result;
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    result.ok = true;
    return result;
  }
  if (std::filesystem::exists(path, ec)) {
    result.error = path.string() + " exists and is not a directory";
    return result;
  }
  const auto root_text = root.string();
  const auto exists = process::run_command(
      {"git", "-C", root_text, "rev-parse", "--verify", "--quiet", "refs/heads/" + branch}, root);
  if (!exists.started) {
    result.error = exists.output;
    return result;
  }
  // A worktree git forgot about (its directory was deleted) still blocks a
  // new one on the same path.
  process::run_command({"git", "-C", root_text, "worktree", "prune"}, root);
  const auto add =
      exists.exit_code == 0
          ? process::run_command({"git", "-C", root_text, "worktree", "add", path.string(), branch},
                                 root)
          : process::run_command(
                {"git", "-C", root_text, "worktree", "add", "-b", branch, path.string()}, root);
  if (add.exit_code != 0) {
    result.error = "git worktree add " + path.string() + " failed: " + add.output;
    while (!result.error.empty() && result.error.back() == '\n') {
      result.error.pop_back();
    }
    return result;
  }
  result.ok = true;
  result.created = true;
  return result;
}

}  // namespace supervise::legacy
