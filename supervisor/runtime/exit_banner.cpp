#include "supervisor/runtime/exit_banner.hpp"

#include "supervisor/legacy/shim_banner.hpp"

namespace supervise::runtime {

namespace {
constexpr std::uintmax_t kExitBannerSearch = 1024 * 1024;
}  // namespace

core::ExitStatus exit_status_from_log(const std::filesystem::path& log_file, int shim_pid) {
  // The exit banner is the log's last lines: a bounded tail is enough, and
  // this runs on the event loop.
  const auto run = legacy::find_shim_run(log_file, shim_pid, kExitBannerSearch);
  if (!run || !run->exit_code || *run->exit_code < 0 || *run->exit_code > 255) {
    return core::ExitStatus::unknown();
  }
  return core::ExitStatus::exited(*run->exit_code);
}

}  // namespace supervise::runtime
