#pragma once

// The supervisor's log: every line to `<orchestrator>/logs/monitor.log` in
// the legacy monitor's format, `[<local ISO time, microseconds>] [<LEVEL>]
// <message>` with LEVEL one of INFO, WARNING, ERROR (DEBUG below info), so
// the old tools and people reading that file see one format; and a short
// copy on stderr, coloured on a terminal only.

#include <spdlog/logger.h>

#include <filesystem>
#include <memory>
#include <string>

namespace supervise::runtime {

enum class ConsoleLog {
  never,   ///< the file only (`up --quiet`, tests)
  always,  ///< on stderr too, coloured only on a terminal
};

/// The pattern of monitor.log lines (the `%*` flag prints the legacy level).
inline constexpr const char* kMonitorLogPattern = "[%Y-%m-%dT%H:%M:%S.%f] [%*] %v";

/// A logger writing monitor.log (appending; the directory is created) and the
/// console per `console`. Nullptr with `error` set when the file cannot be
/// opened.
std::shared_ptr<spdlog::logger> make_supervisor_logger(const std::filesystem::path& monitor_log,
                                                       ConsoleLog console, std::string& error);

/// The legacy name of a level: INFO, WARNING, ERROR, DEBUG.
std::string_view legacy_level_name(spdlog::level::level_enum level);

}  // namespace supervise::runtime
