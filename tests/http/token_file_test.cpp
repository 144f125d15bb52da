// The token of `up --http`: random, 256 bits, new at each start, mode 0600
// whatever was there before, gone when `up` ends.

#include "supervisor/http/token_file.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "tests/support/temp_dir.hpp"

namespace supervise::http {
namespace {

std::string read(const std::filesystem::path& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

mode_t mode_of(const std::filesystem::path& path) {
  struct stat info {};
  EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
  return info.st_mode & 07777;
}

TEST(TokenFile, HoldsA256BitTokenReadableByItsOwnerOnly) {
  supervise::testing::TempDir dir;
  const auto path = dir / "http-token";
  std::ofstream(path) << "an old token\n";
  std::filesystem::permissions(path, std::filesystem::perms(0644));
  const mode_t old_umask = ::umask(0);  // the file's mode must not depend on it
  std::string error;
  auto file = TokenFile::create(path, error);
  ::umask(old_umask);
  ASSERT_TRUE(file) << error;
  EXPECT_TRUE(std::regex_match(file->token(), std::regex("[0-9a-f]{64}"))) << file->token();
  EXPECT_EQ(read(path), file->token() + "\n");
  EXPECT_EQ(mode_of(path), 0600u);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()),
                          std::filesystem::directory_iterator()),
            1)
      << "no temporary file left beside it";
}

TEST(TokenFile, IsNewAtEachStartAndRemovedAtTheEnd) {
  supervise::testing::TempDir dir;
  const auto path = dir / "http-token";
  std::string error;
  std::string first;
  {
    auto file = TokenFile::create(path, error);
    ASSERT_TRUE(file) << error;
    first = file->token();
  }
  EXPECT_FALSE(std::filesystem::exists(path));
  auto second = TokenFile::create(path, error);
  ASSERT_TRUE(second) << error;
  EXPECT_NE(second->token(), first);
}

TEST(TokenFile, LeavesAFileAnotherSupervisorWroteSince) {
  supervise::testing::TempDir dir;
  const auto path = dir / "http-token";
  std::string error;
  {
    auto file = TokenFile::create(path, error);
    ASSERT_TRUE(file) << error;
    std::ofstream(path) << "someone else's\n";
  }
  EXPECT_EQ(read(path), "someone else's\n");
}

TEST(TokenFile, AnUnwritableDirectoryIsAnErrorNamingTheFile) {
  supervise::testing::TempDir dir;
  const auto path = dir / "missing" / "http-token";
  std::string error;
  EXPECT_FALSE(TokenFile::create(path, error));
  EXPECT_NE(error.find((dir / "missing").string()), std::string::npos) << error;
}

}  // namespace
}  // namespace supervise::http
