#pragma once

// The git worktree of a stream (LEGACY_CONTRACT.md §4): a restart into a
// missing work dir must create a worktree, never a plain directory inside
// the main checkout.

#include <filesystem>
#include <string>

namespace supervise::runtime {

struct WorktreeResult {
  bool ok = false;
  bool created = false;  ///< it was missing and is a new worktree now
  std::string error;     ///< git's own words when !ok
};

/// Makes `path` a git worktree of the repository at `root` on branch
/// `branch`, unless `path` is a directory already. The branch is created
/// from the current HEAD when it does not exist yet.
WorktreeResult ensure_worktree(const std::filesystem::path& root, const std::filesystem::path& path,
                               const std::string& branch);

}  // namespace supervise::runtime
