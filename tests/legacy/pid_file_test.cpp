#include "supervisor/legacy/pid_file.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <fstream>

#include "supervisor/process/proc_reader.hpp"
#include "tests/support/process_files.hpp"
#include "tests/support/temp_dir.hpp"

namespace supervise::legacy {
namespace {

using process::system_pid_max;
using supervise::testing::read_text;

using supervise::testing::TempDir;

void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

PidFileRead read_content(const TempDir& dir, const std::string& content) {
  const auto path = dir / "Stream-A.pid";
  write_text(path, content);
  return read_pid_file(path);
}

TEST(ParsePid, AcceptsAPlainPidWithOrWithoutNewline) {
  EXPECT_EQ(parse_pid("1234\n", 32768).pid, 1234);
  EXPECT_EQ(parse_pid("1234", 32768).pid, 1234);
  EXPECT_EQ(parse_pid("2", 32768).pid, 2);
  EXPECT_EQ(parse_pid("32768", 32768).pid, 32768);
}

TEST(ParsePid, RefusesEveryGarbageForm) {
  for (const char* content :
       {"", "\n", "abc", "12ab", "0", "-1", "1", "+5", " 123", "123 ", "12 34", "123\n\n",
        "123\r\n", "0123", "1e3", "99999999999999999999", "4294967297", "32769"}) {
    const ParsedPid parsed = parse_pid(content, 32768);
    EXPECT_FALSE(parsed.ok()) << "content: '" << content << "'";
    EXPECT_FALSE(parsed.reason.empty()) << "content: '" << content << "'";
  }
}

TEST(ParsePid, TheReasonQuotesTheContentEscaped) {
  const ParsedPid parsed = parse_pid("\x1b[2J\xff", 32768);
  EXPECT_EQ(parsed.reason, "not a plain decimal number: '\\x1b[2J\\xff'");
}

TEST(SystemPidMax, IsWithinTheKernelLimit) {
  const int pid_max = system_pid_max();
  EXPECT_GE(pid_max, 2);
  EXPECT_LE(pid_max, 4'194'304);
}

TEST(ReadPidFile, MissingFileIsMissing) {
  TempDir dir;
  EXPECT_EQ(read_pid_file(dir / "nope.pid").state, PidFileState::missing);
  EXPECT_EQ(read_pid_file(dir / "no-dir" / "nope.pid").state, PidFileState::missing);
}

TEST(ReadPidFile, ValidFileGivesPidAndMtime) {
  TempDir dir;
  const auto path = dir / "Stream-A.pid";
  write_text(path, "4242\n");
  const timespec times[2] = {{1'700'000'000, 123'456'789}, {1'700'000'000, 123'456'789}};
  ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0);

  const PidFileRead read = read_pid_file(path);
  ASSERT_EQ(read.state, PidFileState::valid);
  EXPECT_EQ(read.pid, 4242);
  const auto expected = WallClock::time_point(std::chrono::duration_cast<WallClock::duration>(
      std::chrono::seconds(1'700'000'000) + std::chrono::nanoseconds(123'456'789)));
  EXPECT_EQ(read.mtime, expected);
}

TEST(ReadPidFile, GarbageContentIsGarbageNotACrash) {
  TempDir dir;
  for (const char* content :
       {"", "hello\n", "0\n", "-1\n", "1\n", " 42\n", "42 \n", "99999999999999999999\n"}) {
    const PidFileRead read = read_content(dir, content);
    EXPECT_EQ(read.state, PidFileState::garbage) << "content: '" << content << "'";
    EXPECT_FALSE(read.reason.empty());
  }
}

TEST(ReadPidFile, HugeFileIsGarbage) {
  TempDir dir;
  EXPECT_EQ(read_content(dir, std::string(100'000, '7')).state, PidFileState::garbage);
}

TEST(ReadPidFile, SymlinkIsNeverFollowed) {
  TempDir dir;
  write_text(dir / "target", "4242\n");
  std::filesystem::create_symlink(dir / "target", dir / "Stream-A.pid");
  EXPECT_EQ(read_pid_file(dir / "Stream-A.pid").state, PidFileState::symlink);
}

TEST(ReadPidFile, DanglingSymlinkIsASymlink) {
  TempDir dir;
  std::filesystem::create_symlink(dir / "nowhere", dir / "Stream-A.pid");
  EXPECT_EQ(read_pid_file(dir / "Stream-A.pid").state, PidFileState::symlink);
}

TEST(ReadPidFile, DirectoryIsNotRegular) {
  TempDir dir;
  std::filesystem::create_directory(dir / "Stream-A.pid");
  EXPECT_EQ(read_pid_file(dir / "Stream-A.pid").state, PidFileState::not_regular);
}

TEST(ReadPidFile, FifoIsNotRegularAndDoesNotBlock) {
  TempDir dir;
  ASSERT_EQ(::mkfifo((dir / "Stream-A.pid").c_str(), 0600), 0);
  EXPECT_EQ(read_pid_file(dir / "Stream-A.pid").state, PidFileState::not_regular);
}

TEST(WritePidFile, WritesPidAndNewline) {
  TempDir dir;
  std::string error;
  ASSERT_TRUE(write_pid_file(dir / "Stream-A.pid", 31337, error)) << error;
  EXPECT_EQ(read_text(dir / "Stream-A.pid"), "31337\n");
  const PidFileRead read = read_pid_file(dir / "Stream-A.pid");
  EXPECT_EQ(read.state, PidFileState::valid);
  EXPECT_EQ(read.pid, 31337);
}

TEST(WritePidFile, LeavesNoTemporaryFileBehind) {
  TempDir dir;
  std::string error;
  ASSERT_TRUE(write_pid_file(dir / "Stream-A.pid", 100, error));
  ASSERT_TRUE(write_pid_file(dir / "Stream-A.pid", 200, error));
  int files = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    ++files;
  }
  EXPECT_EQ(files, 1);
  EXPECT_EQ(read_text(dir / "Stream-A.pid"), "200\n");
}

TEST(WritePidFile, ReplacesASymlinkInsteadOfWritingThroughIt) {
  TempDir dir;
  write_text(dir / "victim", "precious\n");
  std::filesystem::create_symlink(dir / "victim", dir / "Stream-A.pid");
  std::string error;
  ASSERT_TRUE(write_pid_file(dir / "Stream-A.pid", 4242, error)) << error;
  EXPECT_EQ(read_text(dir / "victim"), "precious\n");
  EXPECT_FALSE(std::filesystem::is_symlink(dir / "Stream-A.pid"));
  EXPECT_EQ(read_pid_file(dir / "Stream-A.pid").pid, 4242);
}

TEST(WritePidFile, FailsOnADirectoryWithAnError) {
  TempDir dir;
  std::filesystem::create_directory(dir / "Stream-A.pid");
  std::string error;
  EXPECT_FALSE(write_pid_file(dir / "Stream-A.pid", 4242, error));
  EXPECT_FALSE(error.empty());
  EXPECT_TRUE(std::filesystem::is_directory(dir / "Stream-A.pid"));
}

TEST(WritePidFile, FailsWhenTheDirectoryIsMissing) {
  TempDir dir;
  std::string error;
  EXPECT_FALSE(write_pid_file(dir / "missing" / "Stream-A.pid", 4242, error));
  EXPECT_FALSE(error.empty());
}

TEST(RemovePidFileIfHolds, RemovesOurOwnFile) {
  TempDir dir;
  std::string error;
  ASSERT_TRUE(write_pid_file(dir / "Stream-A.pid", 4242, error));
  EXPECT_EQ(remove_pid_file_if_holds(dir / "Stream-A.pid", 4242, error), RemoveOutcome::removed);
  EXPECT_FALSE(std::filesystem::exists(dir / "Stream-A.pid"));
}

TEST(RemovePidFileIfHolds, KeepsANewerWorkersFile) {
  TempDir dir;
  std::string error;
  ASSERT_TRUE(write_pid_file(dir / "Stream-A.pid", 5000, error));
  EXPECT_EQ(remove_pid_file_if_holds(dir / "Stream-A.pid", 4242, error), RemoveOutcome::kept);
  EXPECT_EQ(read_pid_file(dir / "Stream-A.pid").pid, 5000);
}

TEST(RemovePidFileIfHolds, KeepsGarbageSymlinksAndReportsMissing) {
  TempDir dir;
  std::string error;
  write_text(dir / "garbage.pid", "junk");
  EXPECT_EQ(remove_pid_file_if_holds(dir / "garbage.pid", 4242, error), RemoveOutcome::kept);
  write_text(dir / "target", "4242\n");
  std::filesystem::create_symlink(dir / "target", dir / "link.pid");
  EXPECT_EQ(remove_pid_file_if_holds(dir / "link.pid", 4242, error), RemoveOutcome::kept);
  EXPECT_TRUE(std::filesystem::is_symlink(dir / "link.pid"));
  EXPECT_EQ(remove_pid_file_if_holds(dir / "none.pid", 4242, error), RemoveOutcome::missing);
}

TEST(RemovePidFileIfUnchanged, RemovesTheGarbageFileItSaw) {
  TempDir dir;
  const auto path = dir / "Stream-A.pid";
  write_text(path, "junk");
  const PidFileRead seen = read_pid_file(path);
  ASSERT_EQ(seen.state, PidFileState::garbage);
  std::string error;
  EXPECT_EQ(remove_pid_file_if_unchanged(path, seen, error), RemoveOutcome::removed);
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(RemovePidFileIfUnchanged, KeepsAFileRewrittenSinceItWasRead) {
  TempDir dir;
  const auto path = dir / "Stream-A.pid";
  std::string error;
  ASSERT_TRUE(write_pid_file(path, 4242, error));
  const PidFileRead seen = read_pid_file(path);
  ASSERT_TRUE(write_pid_file(path, 4242, error));  // a new shim, same PID, new file
  EXPECT_EQ(remove_pid_file_if_unchanged(path, seen, error), RemoveOutcome::kept);
  EXPECT_TRUE(std::filesystem::exists(path));
}

TEST(RemovePidFileIfUnchanged, NeverRemovesDirectoriesOrSymlinks) {
  TempDir dir;
  std::filesystem::create_directory(dir / "d.pid");
  std::filesystem::create_symlink(dir / "nowhere", dir / "l.pid");
  std::string error;
  EXPECT_EQ(remove_pid_file_if_unchanged(dir / "d.pid", read_pid_file(dir / "d.pid"), error),
            RemoveOutcome::kept);
  EXPECT_EQ(remove_pid_file_if_unchanged(dir / "l.pid", read_pid_file(dir / "l.pid"), error),
            RemoveOutcome::kept);
  EXPECT_TRUE(std::filesystem::exists(dir / "d.pid"));
  EXPECT_TRUE(std::filesystem::is_symlink(dir / "l.pid"));
}

}  // namespace
}  // namespace supervise::legacy
