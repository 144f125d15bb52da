#pragma once

// The git worktree of a stream (LEGACY_CONTRACT.md §4): a restart into a
// missing work dir must create a worktree, never a plain directory inside
// the main checkout (the shim would commit the main checkout's edits).

#include <filesystem>
#include <string>

namespace supervise::legacy {

struct WorktreeResult {
  bool ok = false;
  bool created = false;  ///< it was missing and is a new worktree now
  std::string error;     ///< git's own words when !ok
};

/// Makes `path` a git worktree of the repository at `root` on branch
/// `branch`, unless `path` is a directory already. The branch is created
/// from the current HEAD when it does not exist yet. Waits for git: for the
/// monitor, which restarts one worker at a time; the runtime creates
/// worktrees with WorktreeCreation, beside its loop.
WorktreeResult ensure_worktree(const std::filesystem::path& root, const std::filesystem::path& path,
                               const std::string& branch);

}  // namespace supervise::legacy
