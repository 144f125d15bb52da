#include <gtest/gtest.h>

#include <cstdlib>

#include "supervisor/legacy/worktree.hpp"
#include "tests/support/temp_dir.hpp"

namespace supervise::legacy {
namespace {

using supervise::testing::TempDir;

void make_repository(const std::filesystem::path& root) {
  std::filesystem::create_directories(root);
  const auto command = "git -C '" + root.string() + "' init -q && git -C '" + root.string() +
                       "' -c user.email=t@example.com -c user.name=t commit -q --allow-empty -m i";
  ASSERT_EQ(std::system(command.c_str()), 0);
}

TEST(Worktree, AnExistingBranchIsCheckedOutWithoutCreatingIt) {
  TempDir dir;
  make_repository(dir / "repo");
  ASSERT_EQ(std::system(("git -C '" + (dir / "repo").string() + "' branch Stream-X").c_str()), 0);
  const auto result =
      ensure_worktree(dir / "repo", dir / "repo/.claude/worktrees/Stream-X", "Stream-X");
  ASSERT_TRUE(result.ok) << result.error;
  EXPECT_TRUE(result.created);
  const auto again =
      ensure_worktree(dir / "repo", dir / "repo/.claude/worktrees/Stream-X", "Stream-X");
  EXPECT_TRUE(again.ok);
  EXPECT_FALSE(again.created);
}

TEST(Worktree, OutsideARepositoryItFailsWithGitsReason) {
  TempDir dir;
  std::filesystem::create_directories(dir / "plain");
  const auto result = ensure_worktree(dir / "plain", dir / "plain/wt", "Stream-X");
  EXPECT_FALSE(result.ok);
  EXPECT_NE(result.error.find("git worktree add"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir / "plain/wt"));
}

}  // namespace
}  // namespace supervise::legacy
