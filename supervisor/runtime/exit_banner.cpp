#include "supervisor/runtime/exit_banner.hpp"

#include <charconv>
#include <fstream>
#include <sstream>
#include <string>

namespace supervise::runtime {
namespace {

constexpr std::string_view kStarted = "Worker started:";
constexpr std::string_view kExited = "Worker exited:";
constexpr std::string_view kPid = "PID: ";
constexpr std::string_view kExitCode = "Exit code: ";
/// A banner is a handful of lines; a field further away belongs to
/// something else (agent output).
constexpr int kBannerLines = 8;

std::optional<int> parse_number(std::string_view text) {
  int value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || text.empty()) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

std::optional<int> exit_code_after_start_banner(std::string_view content, int shim_pid) {
  enum class In { nothing, start_banner, exit_banner };
  In in = In::nothing;
  int banner_line = 0;
  // Whether the last start banner seen is the one of `shim_pid`.
  bool ours = false;
  std::optional<int> code;
  while (!content.empty()) {
    const auto newline = content.find('\n');
    std::string_view line = content.substr(0, newline);
    content = newline == std::string_view::npos ? std::string_view{} : content.substr(newline + 1);
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    if (line.starts_with(kStarted)) {
      in = In::start_banner;
      banner_line = 0;
      ours = false;
      code.reset();
      continue;
    }
    if (line.starts_with(kExited)) {
      in = In::exit_banner;
      banner_line = 0;
      continue;
    }
    if (in == In::nothing) {
      continue;
    }
    if (++banner_line > kBannerLines) {
      in = In::nothing;
      continue;
    }
    if (in == In::start_banner && line.starts_with(kPid)) {
      ours = parse_number(line.substr(kPid.size())) == shim_pid;
      in = In::nothing;
    } else if (in == In::exit_banner && line.starts_with(kExitCode)) {
      // The first exit banner after our start banner is ours (a shim whose
      // stop trap raced its exit trap may write a second one).
      if (ours && !code) {
        code = parse_number(line.substr(kExitCode.size()));
      }
      in = In::nothing;
    }
  }
  return ours ? code : std::nullopt;
}

core::ExitStatus exit_status_from_log(const std::filesystem::path& log_file, int shim_pid) {
  std::ifstream in(log_file, std::ios::binary);
  if (!in) {
    return core::ExitStatus::unknown();
  }
  std::stringstream content;
  content << in.rdbuf();
  const auto code = exit_code_after_start_banner(content.str(), shim_pid);
  if (!code || *code < 0 || *code > 255) {
    return core::ExitStatus::unknown();
  }
  return core::ExitStatus::exited(*code);
}

}  // namespace supervise::runtime
