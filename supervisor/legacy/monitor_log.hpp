#pragma once

// The monitor's log (LEGACY_CONTRACT.md §5): `<orchestrator>/logs/monitor.log`
// gets `[2026-01-13T10:30:30.456789] [WARNING] message` (local time,
// microseconds, no zone), one line per message, appended; the console gets
// `[MONITOR] message`, coloured by level on a terminal, nothing when quiet.

#include <spdlog/common.h>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace spdlog {
class logger;
namespace sinks {
class sink;
}
}  // namespace spdlog

namespace supervise::legacy {

/// The monitor's four levels. spdlog has no SUCCESS level, so each level is
/// a logger of its own, named by the label and sharing the sinks: the file
/// pattern prints the logger name as the level, the console sink picks the
/// colour by it. The spdlog severities (info, info, warn, err) only filter.
enum class MonitorLevel {
  info,
  success,
  warning,
  error,
};

/// "INFO", "SUCCESS", "WARNING", "ERROR".
std::string_view to_string(MonitorLevel value);

struct MonitorLogOptions {
  /// The monitor log; empty writes no file.
  std::filesystem::path file;
  /// Print `[MONITOR] message` on stdout.
  bool console = true;
  /// Colour the console lines (the caller decides: a terminal or not).
  bool color = false;
};

class MonitorLog {
 public:
  /// Never throws: a log file that cannot be opened is reported once on
  /// stderr and the console still works (`file_error()` tells).
  explicit MonitorLog(const MonitorLogOptions& options);
  ~MonitorLog();
  MonitorLog(const MonitorLog&) = delete;
  MonitorLog& operator=(const MonitorLog&) = delete;

  void write(MonitorLevel level, std::string_view message);
  void info(std::string_view message) { write(MonitorLevel::info, message); }
  void success(std::string_view message) { write(MonitorLevel::success, message); }
  void warning(std::string_view message) { write(MonitorLevel::warning, message); }
  void error(std::string_view message) { write(MonitorLevel::error, message); }

  /// Why the log file could not be opened; empty when it is written.
  const std::string& file_error() const { return file_error_; }

 private:
  std::vector<std::shared_ptr<spdlog::logger>> loggers_;  ///< by MonitorLevel
  std::string file_error_;
};

/// The pattern of a monitor.log line, for spdlog (`%*` is the legacy level,
/// see make_monitor_log_sink).
inline constexpr const char* kMonitorLogPattern = "[%Y-%m-%dT%H:%M:%S.%f] [%*] %v";

/// The legacy name of an spdlog level: INFO, WARNING, ERROR, DEBUG (below
/// info).
std::string_view legacy_level_name(spdlog::level::level_enum level);

/// The one writer of monitor.log's line format, for the monitor and for
/// `supervise up`: a sink appending `[<local ISO time, microseconds>]
/// [<LEVEL>] <message>` lines to `file` (created with its directory). LEVEL
/// is the logger's name when that is one of the monitor's labels (its
/// loggers, one per MonitorLevel, carry them: spdlog has no SUCCESS level),
/// else the legacy name of the message's level. Throws spdlog::spdlog_ex
/// naming the file when it cannot be opened.
std::shared_ptr<spdlog::sinks::sink> make_monitor_log_sink(const std::filesystem::path& file);

}  // namespace supervise::legacy
