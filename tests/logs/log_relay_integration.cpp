// The built supervise-log-relay with real pipes, files and writers: what it
// keeps after many rotations, when it ends, and what it costs a writer.

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "supervisor/logs/log_follower.hpp"
#include "supervisor/logs/rotated_names.hpp"
#include "tests/logs/relay_process.hpp"
#include "tests/support/process_files.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/wait_for.hpp"

namespace supervise::logs {
namespace {

using supervise::testing::read_text;
using supervise::testing::RelayProcess;
using supervise::testing::TempDir;
using supervise::testing::wait_for;

/// The kept files, oldest first, then the current one.
std::vector<std::filesystem::path> kept_files(const std::filesystem::path& log, int keep) {
  std::vector<std::filesystem::path> files;
  for (int index = keep + 3; index >= 1; --index) {
    if (std::filesystem::exists(rotated_name(log, index))) {
      files.push_back(rotated_name(log, index));
    }
  }
  files.push_back(log);
  return files;
}

/// Checks that the kept files hold whole lines "<n>" numbered one after
/// the other up to `last`; returns the first number kept.
long check_contiguous(const std::vector<std::filesystem::path>& files, long last) {
  long expected = -1;
  for (const auto& file : files) {
    const auto text = read_text(file);
    EXPECT_TRUE(text.empty() || text.back() == '\n') << file << " ends inside a line";
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
      const long number = std::stol(line);
      EXPECT_EQ(std::to_string(number), line) << "a torn line in " << file;
      if (expected >= 0) {
        EXPECT_EQ(number, expected) << "in " << file;
        if (number != expected) {
          return -1;
        }
      } else {
        expected = number;
      }
      ++expected;
    }
  }
  EXPECT_EQ(expected - 1, last);
  return expected;
}

TEST(LogRelayProcess, TwoHundredThousandLinesKeepTwoWholeContiguousFiles) {
  TempDir dir;
  const auto log = dir / "worker.log";
  constexpr std::uint64_t kMax = 1024 * 1024;
  RelayProcess relay(log, kMax, 2);
  ASSERT_GT(relay.pid(), 0);
  // A real writer process: seq prints 1..200000 (1.3 MB) in stdio-sized
  // writes that do not respect line boundaries.
  const pid_t writer = ::fork();
  if (writer == 0) {
    ::dup2(relay.writer(), STDOUT_FILENO);
    ::execlp("seq", "seq", "1", "200000", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  relay.close_writer();
  int status = 0;
  ::waitpid(writer, &status, 0);
  ASSERT_EQ(status, 0);
  const int relay_status = relay.wait();
  EXPECT_TRUE(WIFEXITED(relay_status) && WEXITSTATUS(relay_status) == 0);

  const auto files = kept_files(log, 2);
  EXPECT_LE(files.size(), 3u);
  EXPECT_FALSE(std::filesystem::exists(rotated_name(log, 3)));
  for (const auto& file : files) {
    EXPECT_LT(std::filesystem::file_size(file), kMax + 4096) << file;
  }
  check_contiguous(files, 200000);
  const auto current = read_text(log);
  EXPECT_TRUE(current.ends_with("\n200000\n")) << current.substr(current.size() - 20);
}

TEST(LogRelayProcess, ManyRotationsWithKeepOneLoseNothingOfWhatIsKept) {
  TempDir dir;
  const auto log = dir / "worker.log";
  RelayProcess relay(log, 4096, 1);
  std::string all;
  for (int i = 1; i <= 20000; ++i) {
    all += std::to_string(i) + "\n";
  }
  ASSERT_TRUE(relay.write(all));
  relay.close_writer();
  relay.wait();
  const auto files = kept_files(log, 1);
  EXPECT_EQ(files.size(), 2u);
  check_contiguous(files, 20000);
}

TEST(LogRelayProcess, EndsOnlyWhenEveryWriterHasClosedThePipe) {
  TempDir dir;
  const auto log = dir / "worker.log";
  RelayProcess relay(log, 1024 * 1024, 1);
  // A second writer (a worker's child) holds the pipe after the first ends.
  int release[2];
  ASSERT_EQ(::pipe(release), 0);
  const pid_t second = ::fork();
  if (second == 0) {
    ::close(release[1]);
    char byte = 0;
    [[maybe_unused]] auto got = ::read(release[0], &byte, 1);  // until the test lets go
    const char last[] = "the last line, from the child\n";
    [[maybe_unused]] auto put = ::write(relay.writer(), last, sizeof last - 1);
    ::_exit(0);
  }
  ::close(release[0]);
  ASSERT_TRUE(relay.write("from the worker\n"));
  relay.close_writer();
  // The relay must still be running: the child holds the pipe.
  EXPECT_TRUE(wait_for([&] { return read_text(log) == "from the worker\n"; }));
  EXPECT_FALSE(relay.exited());
  ::close(release[1]);
  ::waitpid(second, nullptr, 0);
  EXPECT_TRUE(wait_for([&] { return relay.exited(); }));
  EXPECT_EQ(read_text(log), "from the worker\nthe last line, from the child\n");
}

TEST(LogRelayProcess, IgnoresTerminationSignalsAndWritesTheLastLine) {
  TempDir dir;
  const auto log = dir / "worker.log";
  RelayProcess relay(log, 1024 * 1024, 1);
  ASSERT_TRUE(relay.write("before\n"));
  ASSERT_TRUE(wait_for([&] { return read_text(log) == "before\n"; }));
  for (const int signal : {SIGTERM, SIGINT, SIGHUP}) {
    ::kill(relay.pid(), signal);
  }
  ASSERT_TRUE(relay.write("after the signals, no newline"));
  relay.close_writer();
  const int status = relay.wait();
  EXPECT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(read_text(log), "before\nafter the signals, no newline");
}

TEST(LogRelayProcess, AppendsToAnExistingLogAndCountsIt) {
  TempDir dir;
  const auto log = dir / "worker.log";
  std::ofstream(log) << std::string(1020, 'x') << "\n";
  RelayProcess relay(log, 1024, 1);
  ASSERT_TRUE(relay.write("next\n"));
  relay.close_writer();
  relay.wait();
  EXPECT_EQ(read_text(log), "next\n");
  EXPECT_EQ(read_text(rotated_name(log, 1)), std::string(1020, 'x') + "\n");
}

TEST(LogRelayProcess, AFollowerSeesEveryLineAcrossRotations) {
  TempDir dir;
  const auto log = dir / "worker.log";
  // Enough files kept that none the follower still has to read is dropped,
  // however far behind a loaded machine puts it.
  RelayProcess relay(log, 4096, 100);
  constexpr int kLines = 30000;
  std::string seen;
  std::atomic<std::size_t> seen_bytes{0};
  std::atomic<bool> done{false};
  std::thread follower([&] {
    follow_log(
        log,
        [&](std::string_view bytes) {
          seen.append(bytes);
          seen_bytes = seen.size();
          if (seen.ends_with("\n" + std::to_string(kLines) + "\n")) {
            done = true;
          }
          return true;
        },
        [&] { return done.load(); }, FollowOptions{std::chrono::milliseconds(1)});
  });
  // Like `logs -f`, the follower reads from where the log is when it starts:
  // the first line, read before any rotation, shows it has started.
  ASSERT_TRUE(relay.write("1\n"));
  ASSERT_TRUE(wait_for([&] { return seen_bytes.load() >= 2; }, std::chrono::seconds(20)));
  for (int i = 2; i <= kLines; i += 500) {
    std::string chunk;
    for (int j = i; j < std::min(i + 500, kLines + 1); ++j) {
      chunk += std::to_string(j) + "\n";
    }
    ASSERT_TRUE(relay.write(chunk));
    std::this_thread::yield();
  }
  relay.close_writer();
  relay.wait();
  const bool finished = wait_for([&] { return done.load(); }, std::chrono::seconds(20));
  done = true;
  follower.join();
  ASSERT_TRUE(finished);
  std::string expected;
  for (int i = 1; i <= kLines; ++i) {
    expected += std::to_string(i) + "\n";
  }
  EXPECT_TRUE(seen == expected)
      << "first difference at byte "
      << std::mismatch(seen.begin(), seen.end(), expected.begin(), expected.end()).first -
             seen.begin();
}

/// Seconds to write `total` bytes of 100-byte lines to `fd`.
double time_writes(int fd, std::size_t total) {
  std::string chunk;
  while (chunk.size() < 64 * 1024) {
    chunk += std::string(99, 'x') + "\n";
  }
  const auto start = std::chrono::steady_clock::now();
  std::size_t written = 0;
  while (written < total) {
    const auto n = ::write(fd, chunk.data(), chunk.size());
    if (n <= 0) {
      return -1;
    }
    written += static_cast<std::size_t>(n);
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

TEST(LogRelayProcess, AWriterIsNotSlowedByMoreThanTheDisk) {
  TempDir dir;
  constexpr std::size_t kTotal = 6 * 1024 * 1024;
  // Straight to a file, as the shim did.
  const int direct = ::open((dir / "direct.log").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  ASSERT_GE(direct, 0);
  const double direct_seconds = time_writes(direct, kTotal);
  ::fsync(direct);
  ::close(direct);
  // Through the relay, rotating at 1 MB; the writer's time covers the
  // relay's work too (until the relay has written everything).
  const auto log = dir / "relayed.log";
  RelayProcess relay(log, 1024 * 1024, 2);
  const auto start = std::chrono::steady_clock::now();
  ASSERT_GE(time_writes(relay.writer(), kTotal), 0);
  const double writer_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  relay.close_writer();
  relay.wait();
  const double relayed_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "6 MB: direct %.1f ms (%.0f MB/s); through the relay: writer done in %.1f ms, "
      "all on disk in %.1f ms (%.0f MB/s)\n",
      direct_seconds * 1000, 6 / direct_seconds, writer_seconds * 1000, relayed_seconds * 1000,
      6 / relayed_seconds);
  for (const auto& file : kept_files(log, 2)) {
    EXPECT_LE(std::filesystem::file_size(file), 1024u * 1024) << file;
  }
  EXPECT_TRUE(std::filesystem::exists(rotated_name(log, 2)));
  // A generous bound: a shared machine varies, a relay that blocked its
  // writer (a lost wakeup, a sleep) would take seconds.
  EXPECT_LT(relayed_seconds, 2.0 + 10 * direct_seconds);
}

}  // namespace
}  // namespace supervise::logs
