#include "supervisor/runtime/exit_banner.hpp"

#include <charconv>
#include <fstream>
#include <sstream>
#include <string>

#include "supervisor/legacy/shim_banner.hpp"
#include "supervisor/logs/rotated_names.hpp"

namespace supervise::runtime {

namespace {
constexpr std::uintmax_t kExitBannerSearch = 1024 * 1024;
/// An exit banner is five short lines.
constexpr std::uintmax_t kExitBannerTail = 4096;

core::ExitStatus status_of(std::optional<int> code) {
  if (!code || *code < 0 || *code > 255) {
    return core::ExitStatus::unknown();
  }
  return core::ExitStatus::exited(*code);
}

/// The `Exit code: N` of an exit banner among the last lines of `log_file`,
/// when no start banner follows it there.
std::optional<int> trailing_exit_code(const std::filesystem::path& log_file) {
  std::ifstream in(log_file, std::ios::binary);
  std::error_code ec;
  const auto size = std::filesystem::file_size(log_file, ec);
  if (!in || ec) {
    return std::nullopt;
  }
  const auto from = size > kExitBannerTail ? size - kExitBannerTail : 0;
  in.seekg(static_cast<std::streamoff>(from));
  std::stringstream text;
  text << in.rdbuf();
  std::istringstream lines(text.str());
  std::optional<int> code;
  int since_exit_line = -1;
  std::string line;
  while (std::getline(lines, line)) {
    if (line.starts_with("Worker started: ")) {
      code.reset();
      since_exit_line = -1;
    } else if (line.starts_with("Worker exited: ")) {
      since_exit_line = 0;
    } else if (since_exit_line >= 0 && ++since_exit_line <= 8 && line.starts_with("Exit code: ")) {
      int value = 0;
      const std::string_view number = std::string_view(line).substr(11);
      const auto [end, status] =
          std::from_chars(number.data(), number.data() + number.size(), value);
      if (status == std::errc() && end == number.data() + number.size()) {
        code = value;
      }
    }
  }
  return code;
}

}  // namespace

core::ExitStatus exit_status_from_log(const std::filesystem::path& log_file, int shim_pid) {
  // The exit banner is the log's last lines: a bounded tail is enough, and
  // this runs on the event loop.
  if (const auto run = legacy::find_shim_run(log_file, shim_pid, kExitBannerSearch)) {
    return status_of(run->exit_code);
  }
  // Rotated while the shim ran: its start banner went to `.1`. The shim is
  // the last one that started (it ran until now), so when the current file
  // holds no start banner and `.1`'s last one is the shim's, the exit banner
  // at the end of the current file is its own.
  if (legacy::find_shim_run(log_file, std::nullopt, kExitBannerSearch)) {
    return core::ExitStatus::unknown();
  }
  const auto rotated =
      legacy::find_shim_run(logs::rotated_name(log_file, 1), std::nullopt, kExitBannerSearch);
  if (!rotated || rotated->pid != shim_pid) {
    return core::ExitStatus::unknown();
  }
  return status_of(trailing_exit_code(log_file));
}

}  // namespace supervise::runtime
