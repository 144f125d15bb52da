#include "supervisor/legacy/monitor_log.hpp"

#include <gtest/gtest.h>
#include <spdlog/logger.h>

#include <fstream>
#include <regex>

#include "tests/support/temp_dir.hpp"

namespace supervise::legacy {
namespace {

using supervise::testing::TempDir;

std::vector<std::string> lines_of(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    lines.push_back(line);
  }
  return lines;
}

const std::regex kLine(
    R"(\[(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{6})\] \[(INFO|SUCCESS|WARNING|ERROR)\] (.*))");

TEST(MonitorLog, WritesTheLegacyLineFormatForEachLevel) {
  TempDir dir;
  {
    MonitorLog log({.file = dir / "monitor.log", .console = false});
    log.info("Monitoring initiative: Checkout");
    log.success("Worker Stream-A restarted (PID: 4242)");
    log.warning("Found 1 dead worker(s): Stream-B");
    log.error("Worker Stream-B has reached max restart limit (2)");
  }
  const auto lines = lines_of(dir / "monitor.log");
  ASSERT_EQ(lines.size(), 4u);
  const std::vector<std::pair<std::string, std::string>> expected{
      {"INFO", "Monitoring initiative: Checkout"},
      {"SUCCESS", "Worker Stream-A restarted (PID: 4242)"},
      {"WARNING", "Found 1 dead worker(s): Stream-B"},
      {"ERROR", "Worker Stream-B has reached max restart limit (2)"},
  };
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::smatch match;
    ASSERT_TRUE(std::regex_match(lines[i], match, kLine)) << lines[i];
    EXPECT_EQ(match[8], expected[i].first);
    EXPECT_EQ(match[9], expected[i].second);
  }
}

TEST(MonitorLog, MessagesAreOneLineWithoutControlBytes) {
  // Initiative names and stream ids come from the databases.
  TempDir dir;
  {
    MonitorLog log({.file = dir / "monitor.log", .console = false});
    log.info("Monitoring initiative: two\nlines \x1b[2J caf\xe9");
  }
  const auto lines = lines_of(dir / "monitor.log");
  ASSERT_EQ(lines.size(), 1u);
  std::smatch match;
  ASSERT_TRUE(std::regex_match(lines[0], match, kLine)) << lines[0];
  EXPECT_EQ(match[9], "Monitoring initiative: two\\x0alines \\x1b[2J caf\\xe9");
}

TEST(MonitorLog, TimestampIsLocalTimeNow) {
  TempDir dir;
  const std::time_t before = std::time(nullptr);
  {
    MonitorLog log({.file = dir / "monitor.log", .console = false});
    log.info("now");
  }
  const std::time_t after = std::time(nullptr);
  const auto lines = lines_of(dir / "monitor.log");
  ASSERT_EQ(lines.size(), 1u);
  std::smatch match;
  ASSERT_TRUE(std::regex_match(lines[0], match, kLine));
  std::tm local{};
  local.tm_year = std::stoi(match[1]) - 1900;
  local.tm_mon = std::stoi(match[2]) - 1;
  local.tm_mday = std::stoi(match[3]);
  local.tm_hour = std::stoi(match[4]);
  local.tm_min = std::stoi(match[5]);
  local.tm_sec = std::stoi(match[6]);
  local.tm_isdst = -1;
  const std::time_t logged = std::mktime(&local);
  EXPECT_GE(logged, before - 1);
  EXPECT_LE(logged, after + 1);
}

TEST(MonitorLog, AppendsToAnExistingLog) {
  TempDir dir;
  std::ofstream(dir / "monitor.log") << "an older line\n";
  {
    MonitorLog log({.file = dir / "monitor.log", .console = false});
    log.info("first");
  }
  {
    MonitorLog log({.file = dir / "monitor.log", .console = false});
    log.info("second");
  }
  const auto lines = lines_of(dir / "monitor.log");
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0], "an older line");
  EXPECT_TRUE(lines[2].ends_with("[INFO] second"));
}

TEST(MonitorLog, LinesReachTheFileBeforeTheLogCloses) {
  TempDir dir;
  MonitorLog log({.file = dir / "monitor.log", .console = false});
  log.warning("visible at once");
  const auto lines = lines_of(dir / "monitor.log");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_TRUE(lines[0].ends_with("[WARNING] visible at once"));
}

TEST(MonitorLog, ConsoleLinesArePrefixedAndPlainWithoutColor) {
  TempDir dir;
  ::testing::internal::CaptureStdout();
  {
    MonitorLog log({.file = dir / "monitor.log", .console = true, .color = false});
    log.info("All workers healthy");
    log.error("Failed to query streams: boom");
  }
  EXPECT_EQ(::testing::internal::GetCapturedStdout(),
            "[MONITOR] All workers healthy\n[MONITOR] Failed to query streams: boom\n");
}

TEST(MonitorLog, ConsoleColoursEachLevel) {
  ::testing::internal::CaptureStdout();
  {
    MonitorLog log({.file = {}, .console = true, .color = true});
    log.info("i");
    log.success("s");
    log.warning("w");
    log.error("e");
  }
  EXPECT_EQ(::testing::internal::GetCapturedStdout(),
            "\x1b[34m[MONITOR] i\x1b[0m\n\x1b[32m[MONITOR] s\x1b[0m\n"
            "\x1b[33m[MONITOR] w\x1b[0m\n\x1b[31m[MONITOR] e\x1b[0m\n");
}

TEST(MonitorLog, QuietPrintsNothingButStillLogs) {
  TempDir dir;
  ::testing::internal::CaptureStdout();
  {
    MonitorLog log({.file = dir / "monitor.log", .console = false});
    log.info("All workers healthy");
  }
  EXPECT_EQ(::testing::internal::GetCapturedStdout(), "");
  EXPECT_EQ(lines_of(dir / "monitor.log").size(), 1u);
}

TEST(MonitorLog, UnwritableFileIsReportedAndTheConsoleStillWorks) {
  TempDir dir;
  std::filesystem::create_directory(dir / "monitor.log");  // a directory: cannot be opened
  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();
  {
    MonitorLog log({.file = dir / "monitor.log", .console = true});
    EXPECT_FALSE(log.file_error().empty());
    log.info("still here");
  }
  EXPECT_EQ(::testing::internal::GetCapturedStdout(), "[MONITOR] still here\n");
  EXPECT_NE(::testing::internal::GetCapturedStderr().find("monitor log"), std::string::npos);
}

TEST(MonitorLevel, NamesAreTheLegacyLabels) {
  EXPECT_EQ(to_string(MonitorLevel::info), "INFO");
  EXPECT_EQ(to_string(MonitorLevel::success), "SUCCESS");
  EXPECT_EQ(to_string(MonitorLevel::warning), "WARNING");
  EXPECT_EQ(to_string(MonitorLevel::error), "ERROR");
}

TEST(MonitorLog, SpdlogLevelsHaveTheirLegacyNames) {
  EXPECT_EQ(legacy_level_name(spdlog::level::info), "INFO");
  EXPECT_EQ(legacy_level_name(spdlog::level::warn), "WARNING");
  EXPECT_EQ(legacy_level_name(spdlog::level::err), "ERROR");
  EXPECT_EQ(legacy_level_name(spdlog::level::critical), "ERROR");
  EXPECT_EQ(legacy_level_name(spdlog::level::debug), "DEBUG");
}

TEST(MonitorLog, TheSupervisorsLoggerWritesTheSameLinesThroughTheSameSink) {
  TempDir dir;
  {
    // What `supervise up` does: a logger of its own name on this sink.
    spdlog::logger logger("supervise", make_monitor_log_sink(dir / "logs" / "monitor.log"));
    logger.set_level(spdlog::level::info);
    logger.info("Spec reloaded; {} child(ren) kept running", 2);
    logger.warn("Stream-A: stalled");
    logger.error("cannot signal Stream-B");
    logger.debug("not written below info");
    logger.flush();
  }
  const auto lines = lines_of(dir / "logs" / "monitor.log");
  ASSERT_EQ(lines.size(), 3u);
  const std::vector<std::pair<std::string, std::string>> expected{
      {"INFO", "Spec reloaded; 2 child(ren) kept running"},
      {"WARNING", "Stream-A: stalled"},
      {"ERROR", "cannot signal Stream-B"},
  };
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::smatch match;
    ASSERT_TRUE(std::regex_match(lines[i], match, kLine)) << lines[i];
    EXPECT_EQ(match[8], expected[i].first);
    EXPECT_EQ(match[9], expected[i].second);
  }
}

TEST(MonitorLog, UnopenableFileThrowsNamingIt) {
  TempDir dir;
  std::filesystem::create_directory(dir / "monitor.log");
  EXPECT_THROW(make_monitor_log_sink(dir / "monitor.log"), spdlog::spdlog_ex);
}

}  // namespace
}  // namespace supervise::legacy
