#include "supervisor/runtime/supervisor_log.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <unistd.h>

#include <vector>

#include "supervisor/legacy/append_file_sink.hpp"
#include "supervisor/legacy/monitor_log.hpp"

namespace supervise::runtime {

std::shared_ptr<spdlog::logger> make_supervisor_logger(const std::filesystem::path& monitor_log,
                                                       ConsoleLog console, std::string& error) {
  std::vector<spdlog::sink_ptr> sinks;
  try {
    sinks.push_back(legacy::make_monitor_log_sink(monitor_log));
  } catch (const spdlog::spdlog_ex& failure) {
    error = failure.what();
    return nullptr;
  }
  const bool terminal = ::isatty(STDERR_FILENO) == 1;
  if (console == ConsoleLog::always) {
    auto stderr_sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>(
        terminal ? spdlog::color_mode::automatic : spdlog::color_mode::never);
    stderr_sink->set_pattern("%H:%M:%S %^%-7l%$ %v");
    sinks.push_back(std::move(stderr_sink));
  }
  auto logger = std::make_shared<spdlog::logger>("supervise", sinks.begin(), sinks.end());
  logger->set_level(spdlog::level::info);
  // Each line reaches the file at once: people and tools tail it.
  logger->flush_on(spdlog::level::info);
  return logger;
}

void set_log_rotation(spdlog::logger& logger, const core::LogRotation& rotation) {
  for (const auto& sink : logger.sinks()) {
    if (const auto file = std::dynamic_pointer_cast<legacy::AppendFileSink>(sink)) {
      file->set_rotation(rotation);
    }
  }
}

}  // namespace supervise::runtime
