#include "supervisor/process/proc_reader.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include "tests/support/spawned_process.hpp"

namespace supervise::process {
namespace {

using supervise::testing::SpawnedProcess;
using namespace std::chrono_literals;

constexpr const char* kStat =
    "4242 (bash) S 1 4242 4242 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 987654 1 2 3";

TEST(ParseProcStat, ReadsTheFieldsWeUse) {
  const auto stat = parse_proc_stat(kStat);
  ASSERT_TRUE(stat);
  EXPECT_EQ(stat->pid, 4242);
  EXPECT_EQ(stat->comm, "bash");
  EXPECT_EQ(stat->state, 'S');
  EXPECT_EQ(stat->ppid, 1);
  EXPECT_EQ(stat->pgrp, 4242);
  EXPECT_EQ(stat->session, 4242);
  EXPECT_EQ(stat->start_ticks, 987654u);
  EXPECT_EQ(stat->vsize_bytes, 1u);
  EXPECT_EQ(stat->rss_pages, 2);
  EXPECT_FALSE(stat->is_zombie());
}

TEST(ParseProcStat, ContentEndingAtTheStartTimeHasNoMemorySizes) {
  const auto stat =
      parse_proc_stat("4242 (bash) S 1 4242 4242 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 987654");
  ASSERT_TRUE(stat);
  EXPECT_EQ(stat->start_ticks, 987654u);
  EXPECT_FALSE(stat->vsize_bytes);
  EXPECT_FALSE(stat->rss_pages);
}

TEST(ParseProcStat, CommWithSpacesAndParenthesesUsesTheLastParenthesis) {
  const auto stat =
      parse_proc_stat("77 (a) Z 9 (b) c) Z 5 77 77 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 555 0 0");
  ASSERT_TRUE(stat);
  EXPECT_EQ(stat->comm, "a) Z 9 (b) c");
  EXPECT_EQ(stat->state, 'Z');
  EXPECT_EQ(stat->ppid, 5);
  EXPECT_EQ(stat->start_ticks, 555u);
  EXPECT_TRUE(stat->is_zombie());
}

TEST(ParseProcStat, RefusesMalformedContent) {
  for (const char* content :
       {"", "4242", "4242 (bash", "4242 bash) S 1", "x (bash) S 1 2 3", "4242 (bash) S 1 2 3 4 5",
        "4242 (bash) SS 1 4242 4242 0 -1 0 0 0 0 "
        "0 0 0 0 0 20 0 1 0 9 1"}) {
    EXPECT_FALSE(parse_proc_stat(content)) << content;
  }
}

TEST(ParseCmdline, SplitsAtNuls) {
  using namespace std::string_literals;
  EXPECT_EQ(parse_cmdline("bash\0/x/worker-wrapper.sh\0Stream-A\0\0"s),
            (std::vector<std::string>{"bash", "/x/worker-wrapper.sh", "Stream-A", ""}));
  EXPECT_TRUE(parse_cmdline("").empty());
}

TEST(ReadProcess, DescribesThisProcess) {
  const auto self = read_process(::getpid());
  ASSERT_TRUE(self);
  EXPECT_EQ(self->stat.pid, ::getpid());
  EXPECT_EQ(self->stat.ppid, ::getppid());
  EXPECT_EQ(self->stat.pgrp, ::getpgrp());
  EXPECT_EQ(self->stat.session, ::getsid(0));
  EXPECT_EQ(self->uid, ::getuid());
  EXPECT_EQ(self->stat.state, 'R');
  ASSERT_FALSE(self->argv.empty());
  EXPECT_NE(self->argv[0].find("process_test"), std::string::npos) << self->argv[0];
  const auto now = WallClock::now();
  EXPECT_LE(self->start_time, now);
  EXPECT_GT(self->start_time, now - 10min);
}

TEST(ReadProcCgroup, ThisProcessHasOneAndNoProcessNone) {
  const auto own = read_proc_cgroup(::getpid());
  ASSERT_TRUE(own);
  EXPECT_FALSE(own->empty());
  EXPECT_FALSE(read_proc_cgroup(0));
  EXPECT_FALSE(read_proc_cgroup(system_pid_max() + 1));
}

TEST(ReadProcFile, ReadsAWholeFile) {
  const auto stat = read_proc_file("/proc/self/stat");
  ASSERT_TRUE(stat);
  EXPECT_EQ(parse_proc_stat(*stat)->pid, ::getpid());
}

TEST(ReadProcFile, AReadThatFailsAfterTheOpenIsNulloptNotAnException) {
  // The open of a directory succeeds and its read fails (EISDIR), as the
  // read of /proc/<pid>/stat fails with ESRCH when the process ends in
  // between; libstdc++'s filebuf threw there, out of a session scan.
  EXPECT_EQ(read_proc_file("/proc/self"), std::nullopt);
  EXPECT_EQ(read_proc_file("/proc/self/no-such-file"), std::nullopt);
}

TEST(ReadProcess, NoSuchProcessIsNullopt) {
  EXPECT_FALSE(read_process(0));
  EXPECT_FALSE(read_process(-1));
  EXPECT_FALSE(read_process(system_pid_max() + 1));
}

TEST(Clock, TicksConvertToWallClockAroundNow) {
  // Each conversion reads two clocks one after the other; a pause between
  // the reads (the test was descheduled) shifts its result by at most the
  // pause, so two conversions agree to within the time both took.
  const auto before = std::chrono::steady_clock::now();
  const auto self = read_process(::getpid());
  ASSERT_TRUE(self);
  const auto converted = ticks_to_wall_clock(self->stat.start_ticks);
  const auto took = std::chrono::steady_clock::now() - before;
  EXPECT_LE(std::chrono::abs(converted - self->start_time), took + 1us);
  EXPECT_GT(clock_ticks_per_second(), 0);
  EXPECT_LT(boot_time(), WallClock::now());
}

}  // namespace
}  // namespace supervise::process
