#include "supervisor/legacy/worker_identity.hpp"

#include <unistd.h>

namespace supervise::legacy {

namespace {

constexpr auto kStartTolerance = std::chrono::milliseconds(50);
constexpr auto kCoarseFileSystemTolerance = std::chrono::seconds(2);
constexpr std::string_view kShimName = "worker-wrapper.sh";

std::string basename_of(std::string_view path) {
  const std::size_t slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

}  // namespace

bool is_shim_for(const std::vector<std::string>& argv, std::string_view stream_id) {
  for (std::size_t i = 0; i < argv.size(); ++i) {
    if (basename_of(argv[i]) == kShimName) {
      return i + 1 < argv.size() && argv[i + 1] == stream_id;
    }
  }
  return false;
}

std::chrono::nanoseconds start_tolerance(WallClock::time_point pid_file_mtime) {
  const auto since_epoch = pid_file_mtime.time_since_epoch();
  const bool whole_seconds =
      since_epoch == std::chrono::duration_cast<std::chrono::seconds>(since_epoch);
  if (whole_seconds) {
    return kCoarseFileSystemTolerance;
  }
  return kStartTolerance;
}

namespace {

/// The shim for `stream_id` whose PID-file argument is `pid_file`, leading
/// its own session: it wrote that file, whatever the clocks say.
bool is_session_leading_shim_of(const process::ProcessInfo& process, std::string_view stream_id,
                                const std::filesystem::path& pid_file) {
  if (pid_file.empty() || process.stat.session != process.stat.pid ||
      !is_shim_for(process.argv, stream_id)) {
    return false;
  }
  for (std::size_t i = 0; i + 2 < process.argv.size(); ++i) {
    if (basename_of(process.argv[i]) == kShimName) {
      return std::filesystem::path(process.argv[i + 2]).lexically_normal() ==
             pid_file.lexically_normal();
    }
  }
  return false;
}

}  // namespace

process::WorkerVerdict judge_worker(const process::ProcessInfo& process, uid_t our_uid,
                                    std::string_view stream_id,
                                    WallClock::time_point pid_file_mtime,
                                    const std::filesystem::path& pid_file) {
  if (process.stat.has_ended()) {
    return process::WorkerVerdict::zombie;
  }
  if (process.uid != our_uid) {
    return process::WorkerVerdict::other_user;
  }
  // The start time is checked before the command line: for a recycled PID
  // both fail, and "recycled" names the cause.
  const auto tolerance = is_session_leading_shim_of(process, stream_id, pid_file)
                             ? std::chrono::nanoseconds(kWallClockStepTolerance)
                             : start_tolerance(pid_file_mtime);
  if (process.start_time > pid_file_mtime + tolerance) {
    return process::WorkerVerdict::recycled;
  }
  if (!is_shim_for(process.argv, stream_id)) {
    return process::WorkerVerdict::not_the_shim;
  }
  return process::WorkerVerdict::verified;
}

process::WorkerVerdict verify_worker(int pid, std::string_view stream_id,
                                     WallClock::time_point pid_file_mtime,
                                     const std::filesystem::path& pid_file) {
  if (const auto early = process::probe_pid(pid)) {
    return *early;
  }
  const auto process = process::read_process(pid);
  if (!process) {
    return process::WorkerVerdict::no_such_process;
  }
  return judge_worker(*process, ::getuid(), stream_id, pid_file_mtime, pid_file);
}

}  // namespace supervise::legacy
