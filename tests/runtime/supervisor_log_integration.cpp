#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <vector>

#include "supervisor/runtime/supervisor_log.hpp"
#include "tests/support/temp_dir.hpp"

namespace supervise::runtime {
namespace {

using supervise::testing::TempDir;

std::vector<std::string> lines_of(const std::filesystem::path& path) {
  std::ifstream file(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(file, line);) {
    lines.push_back(line);
  }
  return lines;
}

TEST(SupervisorLog, WritesTheLegacyMonitorLogFormat) {
  TempDir dir;
  const auto path = dir / "logs" / "monitor.log";
  std::string error;
  auto logger = make_supervisor_logger(path, ConsoleLog::never, error);
  ASSERT_TRUE(logger) << error;
  logger->info("Monitoring initiative: {}", "Checkout");
  logger->warn("Found 1 dead worker(s): Stream-B");
  logger->error("boom");
  logger->debug("not written at the default level");

  const auto lines = lines_of(path);
  ASSERT_EQ(lines.size(), 3u);
  const std::regex stamp(R"(\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\] )");
  for (const auto& line : lines) {
    EXPECT_TRUE(std::regex_search(line, stamp, std::regex_constants::match_continuous)) << line;
  }
  EXPECT_TRUE(lines[0].ends_with("] [INFO] Monitoring initiative: Checkout")) << lines[0];
  EXPECT_TRUE(lines[1].ends_with("] [WARNING] Found 1 dead worker(s): Stream-B")) << lines[1];
  EXPECT_TRUE(lines[2].ends_with("] [ERROR] boom")) << lines[2];
}

TEST(SupervisorLog, AppendsToAnExistingLog) {
  TempDir dir;
  std::ofstream(dir / "monitor.log") << "[old] [INFO] kept\n";
  std::string error;
  auto logger = make_supervisor_logger(dir / "monitor.log", ConsoleLog::never, error);
  ASSERT_TRUE(logger);
  logger->info("new");
  const auto lines = lines_of(dir / "monitor.log");
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "[old] [INFO] kept");
}

TEST(SupervisorLog, AnUnwritableLogIsAnErrorValue) {
  TempDir dir;
  std::filesystem::create_directory(dir / "monitor.log");  // a directory, not a file
  std::string error;
  EXPECT_FALSE(make_supervisor_logger(dir / "monitor.log", ConsoleLog::never, error));
  EXPECT_FALSE(error.empty());
}

}  // namespace
}  // namespace supervise::runtime
