// monitor.log's sink rotates between lines: no line lost among the kept
// files, none torn, none past max_size.

#include "supervisor/legacy/append_file_sink.hpp"

#include <gtest/gtest.h>
#include <spdlog/logger.h>

#include <fstream>
#include <sstream>

#include "supervisor/logs/rotated_names.hpp"
#include "tests/support/process_files.hpp"
#include "tests/support/temp_dir.hpp"

namespace supervise::legacy {
namespace {

using supervise::testing::read_text;
TEST(AppendFileSink, RotatesBetweenLinesAndKeepsTheNewest) {
  supervise::testing::TempDir dir;
  const auto path = dir / "logs" / "monitor.log";
  core::LogRotation rotation;
  rotation.max_size = 1024;
  rotation.keep = 2;
  auto sink = std::make_shared<AppendFileSink>(path, rotation);
  sink->set_pattern("%v");
  spdlog::logger logger("test", sink);
  logger.flush_on(spdlog::level::info);
  for (int i = 1; i <= 1000; ++i) {
    logger.info("line {}", i);
  }
  logger.flush();
  EXPECT_FALSE(std::filesystem::exists(logs::rotated_name(path, 3)));
  int expected = -1;
  for (const auto& file : {logs::rotated_name(path, 2), logs::rotated_name(path, 1), path}) {
    const auto text = read_text(file);
    EXPECT_LE(text.size(), 1024u) << file;
    ASSERT_TRUE(!text.empty() && text.back() == '\n') << file;
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
      ASSERT_TRUE(line.starts_with("line ")) << line;
      const int number = std::stoi(line.substr(5));
      ASSERT_TRUE(expected < 0 || number == expected) << file << ": " << line;
      expected = number + 1;
    }
  }
  EXPECT_EQ(expected, 1001);
}

TEST(AppendFileSink, ALaterRotationAppliesFromTheNextLine) {
  supervise::testing::TempDir dir;
  const auto path = dir / "monitor.log";
  std::ofstream(path) << std::string(2000, 'x') << "\n";  // an earlier run's lines
  auto sink = std::make_shared<AppendFileSink>(path);
  sink->set_pattern("%v");
  spdlog::logger logger("test", sink);
  logger.info("under the default limit");
  logger.flush();
  EXPECT_FALSE(std::filesystem::exists(logs::rotated_name(path, 1)));
  core::LogRotation small;
  small.max_size = 1024;
  small.keep = 1;
  sink->set_rotation(small);
  logger.info("starts the next file");
  logger.flush();
  EXPECT_EQ(read_text(path), "starts the next file\n");
  EXPECT_EQ(read_text(logs::rotated_name(path, 1)),
            std::string(2000, 'x') + "\nunder the default limit\n");
}

}  // namespace
}  // namespace supervise::legacy
