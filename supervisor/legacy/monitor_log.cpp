#include "supervisor/legacy/monitor_log.hpp"

#include <spdlog/logger.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>

#include <cstdio>
#include <iostream>
#include <mutex>

#include "supervisor/core/printable_text.hpp"
#include "supervisor/legacy/append_file_sink.hpp"

namespace supervise::legacy {

namespace {

constexpr MonitorLevel kLevels[] = {MonitorLevel::info, MonitorLevel::success,
                                    MonitorLevel::warning, MonitorLevel::error};

spdlog::level::level_enum severity(MonitorLevel level) {
  switch (level) {
    case MonitorLevel::info:
    case MonitorLevel::success:
      return spdlog::level::info;
    case MonitorLevel::warning:
      return spdlog::level::warn;
    case MonitorLevel::error:
      return spdlog::level::err;
  }
  return spdlog::level::info;
}

std::string_view color_of(std::string_view label) {
  if (label == to_string(MonitorLevel::success)) {
    return "\x1b[32m";  // green
  }
  if (label == to_string(MonitorLevel::warning)) {
    return "\x1b[33m";  // yellow
  }
  if (label == to_string(MonitorLevel::error)) {
    return "\x1b[31m";  // red
  }
  return "\x1b[34m";  // blue
}

/// `[MONITOR] message` on stdout; the level comes from the logger's name.
class ConsoleSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit ConsoleSink(bool color) : color_(color) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    const std::string_view label(msg.logger_name.data(), msg.logger_name.size());
    const std::string_view text(msg.payload.data(), msg.payload.size());
    std::string line;
    if (color_) {
      line.append(color_of(label));
    }
    line.append("[MONITOR] ").append(text);
    if (color_) {
      line.append("\x1b[0m");
    }
    line.push_back('\n');
    std::fwrite(line.data(), 1, line.size(), stdout);
  }
  void flush_() override { std::fflush(stdout); }

 private:
  bool color_;
};

/// `%*`: the logger's name when it is a monitor label, else the legacy name
/// of the message's level.
class LegacyLevelFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& message, const std::tm&,
              spdlog::memory_buf_t& destination) override {
    const std::string_view logger(message.logger_name.data(), message.logger_name.size());
    std::string_view label = legacy_level_name(message.level);
    for (const MonitorLevel level : kLevels) {
      if (logger == to_string(level)) {
        label = logger;
      }
    }
    destination.append(label.data(), label.data() + label.size());
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

std::shared_ptr<spdlog::sinks::sink> make_monitor_log_sink(const std::filesystem::path& file) {
  auto sink = std::make_shared<AppendFileSink>(file);
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  formatter->add_flag<LegacyLevelFlag>('*').set_pattern(kMonitorLogPattern);
  sink->set_formatter(std::move(formatter));
  return sink;
}

std::string_view to_string(MonitorLevel value) {
  switch (value) {
    case MonitorLevel::info:
      return "INFO";
    case MonitorLevel::success:
      return "SUCCESS";
    case MonitorLevel::warning:
      return "WARNING";
    case MonitorLevel::error:
      return "ERROR";
  }
  return "INFO";
}

MonitorLog::MonitorLog(const MonitorLogOptions& options) {
  std::vector<spdlog::sink_ptr> sinks;
  if (!options.file.empty()) {
    try {
      sinks.push_back(make_monitor_log_sink(options.file));
    } catch (const spdlog::spdlog_ex& error) {
      file_error_ = error.what();
      std::cerr << "supervise: cannot write the monitor log " << options.file << ": " << file_error_
                << "\n";
    }
  }
  if (options.console) {
    sinks.push_back(std::make_shared<ConsoleSink>(options.color));
  }
  for (const MonitorLevel level : kLevels) {
    auto logger =
        std::make_shared<spdlog::logger>(std::string(to_string(level)), sinks.begin(), sinks.end());
    logger->set_level(spdlog::level::trace);
    // Every line reaches the file at once: a crash or a kill -9 of the
    // monitor loses nothing, and readers (tests, `tail -f`) see it now.
    logger->flush_on(spdlog::level::trace);
    loggers_.push_back(std::move(logger));
  }
}

MonitorLog::~MonitorLog() = default;

void MonitorLog::write(MonitorLevel level, std::string_view message) {
  auto& logger = loggers_.at(static_cast<std::size_t>(level));
  try {
    // Messages quote stream ids, initiative names and paths from the
    // databases: one line each, nothing a terminal would obey.
    logger->log(severity(level), "{}", core::printable_text(message));
  } catch (const std::exception&) {
    // A full disk must not stop the monitor; spdlog reports through its own
    // error handler, which the loggers keep at the default (stderr).
  }
}

}  // namespace supervise::legacy
