#include "supervisor/runtime/supervisor_log.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <unistd.h>

#include <vector>

#include "supervisor/legacy/append_file_sink.hpp"

namespace supervise::runtime {
namespace {

class LegacyLevelFlag : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& message, const std::tm&,
              spdlog::memory_buf_t& destination) override {
    const auto name = legacy_level_name(message.level);
    destination.append(name.data(), name.data() + name.size());
  }

  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<LegacyLevelFlag>();
  }
};

}  // namespace

std::string_view legacy_level_name(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
    case spdlog::level::debug:
      return "DEBUG";
    case spdlog::level::info:
      return "INFO";
    case spdlog::level::warn:
      return "WARNING";
    case spdlog::level::err:
    case spdlog::level::critical:
      return "ERROR";
    case spdlog::level::off:
    case spdlog::level::n_levels:
      break;
  }
  return "INFO";
}

std::shared_ptr<spdlog::logger> make_supervisor_logger(const std::filesystem::path& monitor_log,
                                                       ConsoleLog console, std::string& error) {
  std::vector<spdlog::sink_ptr> sinks;
  try {
    auto file = std::make_shared<legacy::AppendFileSink>(monitor_log);
    auto formatter = std::make_unique<spdlog::pattern_formatter>();
    formatter->add_flag<LegacyLevelFlag>('*').set_pattern(kMonitorLogPattern);
    file->set_formatter(std::move(formatter));
    sinks.push_back(std::move(file));
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

}  // namespace supervise::runtime
