#pragma once

// The supervisor's log: every line to `<orchestrator>/logs/monitor.log` in
// the legacy monitor's format, `[<local ISO time, microseconds>] [<LEVEL>]
// <message>` with LEVEL one of INFO, WARNING, ERROR (DEBUG below info), so
// the old tools and people reading that file see one format (written by
// legacy's make_monitor_log_sink, the monitor's own writer); and a short
// copy on stderr, coloured on a terminal only.

#include <spdlog/logger.h>

#include <filesystem>
#include <memory>
#include <string>

#include "supervisor/core/child_spec.hpp"

namespace supervise::runtime {

enum class ConsoleLog {
  never,   ///< the file only (`up --quiet`, tests)
  always,  ///< on stderr too, coloured only on a terminal
};

/// A logger writing monitor.log (appending; the directory is created) and the
/// console per `console`. Nullptr with `error` set when the file cannot be
/// opened.
std::shared_ptr<spdlog::logger> make_supervisor_logger(const std::filesystem::path& monitor_log,
                                                       ConsoleLog console, std::string& error);

/// Rotates the logger's monitor.log by `rotation` from its next line on.
void set_log_rotation(spdlog::logger& logger, const core::LogRotation& rotation);

}  // namespace supervise::runtime
