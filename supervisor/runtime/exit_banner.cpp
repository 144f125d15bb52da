#include "supervisor/runtime/exit_banner.hpp"

#include "supervisor/legacy/shim_banner.hpp"

namespace supervise::runtime {

core::ExitStatus exit_status_from_log(const std::filesystem::path& log_file, int shim_pid) {
  const auto run = legacy::find_shim_run(log_file, shim_pid);
  if (!run || !run->exit_code || *run->exit_code < 0 || *run->exit_code > 255) {
    return core::ExitStatus::unknown();
  }
  return core::ExitStatus::exited(*run->exit_code);
}

}  // namespace supervise::runtime
