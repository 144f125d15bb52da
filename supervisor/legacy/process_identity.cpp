#include "supervisor/legacy/process_identity.hpp"

#include <errno.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <charconv>
#include <fstream>
#include <iterator>

namespace supervise::legacy {

namespace {

constexpr auto kStartTolerance = std::chrono::milliseconds(50);
constexpr auto kCoarseFileSystemTolerance = std::chrono::seconds(2);
constexpr std::string_view kShimName = "worker-wrapper.sh";

template <typename Int>
bool parse_int(std::string_view text, Int& out) {
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc() && ptr == end;
}

std::vector<std::string_view> split_spaces(std::string_view text) {
  std::vector<std::string_view> fields;
  std::size_t pos = 0;
  while (pos < text.size()) {
    while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\n')) {
      ++pos;
    }
    const std::size_t start = pos;
    while (pos < text.size() && text[pos] != ' ' && text[pos] != '\n') {
      ++pos;
    }
    if (pos > start) {
      fields.push_back(text.substr(start, pos - start));
    }
  }
  return fields;
}

/// Reads a whole /proc file; nullopt when it cannot be opened.
std::optional<std::string> slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return std::nullopt;
  }
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) {
    return std::nullopt;
  }
  return content;
}

std::optional<uid_t> real_uid_from_status(std::string_view status) {
  std::size_t pos = 0;
  while (pos < status.size()) {
    std::size_t end = status.find('\n', pos);
    if (end == std::string_view::npos) {
      end = status.size();
    }
    const std::string_view line = status.substr(pos, end - pos);
    if (line.starts_with("Uid:")) {
      // "Uid:\t<real>\t<effective>\t<saved>\t<fs>"
      std::string_view rest = line.substr(4);
      while (!rest.empty() && (rest.front() == '\t' || rest.front() == ' ')) {
        rest.remove_prefix(1);
      }
      rest = rest.substr(0, rest.find_first_of("\t "));
      std::uint32_t uid = 0;
      if (parse_int(rest, uid)) {
        return static_cast<uid_t>(uid);
      }
      return std::nullopt;
    }
    pos = end + 1;
  }
  return std::nullopt;
}

std::string basename_of(std::string_view path) {
  const std::size_t slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

}  // namespace

std::optional<ProcStat> parse_proc_stat(std::string_view content) {
  const std::size_t open = content.find('(');
  const std::size_t close = content.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) {
    return std::nullopt;
  }
  ProcStat stat;
  std::string_view pid_text = content.substr(0, open);
  while (!pid_text.empty() && pid_text.back() == ' ') {
    pid_text.remove_suffix(1);
  }
  if (!parse_int(pid_text, stat.pid)) {
    return std::nullopt;
  }
  stat.comm = std::string(content.substr(open + 1, close - open - 1));
  // Fields after the name, numbered as in proc(5): [0] is field 3 (state).
  const auto fields = split_spaces(content.substr(close + 1));
  constexpr std::size_t kStartTimeIndex = 22 - 3;
  if (fields.size() <= kStartTimeIndex || fields[0].size() != 1) {
    return std::nullopt;
  }
  stat.state = fields[0][0];
  if (!parse_int(fields[1], stat.ppid) || !parse_int(fields[2], stat.pgrp) ||
      !parse_int(fields[3], stat.session) ||
      !parse_int(fields[kStartTimeIndex], stat.start_ticks)) {
    return std::nullopt;
  }
  return stat;
}

std::vector<std::string> parse_cmdline(std::string_view content) {
  std::vector<std::string> argv;
  std::size_t pos = 0;
  while (pos < content.size()) {
    std::size_t end = content.find('\0', pos);
    if (end == std::string_view::npos) {
      end = content.size();
    }
    argv.emplace_back(content.substr(pos, end - pos));
    pos = end + 1;
  }
  return argv;
}

long clock_ticks_per_second() {
  static const long ticks = [] {
    const long value = ::sysconf(_SC_CLK_TCK);
    return value > 0 ? value : 100;
  }();
  return ticks;
}

WallClock::time_point boot_time() {
  struct timespec real {};
  struct timespec boot {};
  ::clock_gettime(CLOCK_REALTIME, &real);
  ::clock_gettime(CLOCK_BOOTTIME, &boot);
  const auto real_ns = std::chrono::seconds(real.tv_sec) + std::chrono::nanoseconds(real.tv_nsec);
  const auto boot_ns = std::chrono::seconds(boot.tv_sec) + std::chrono::nanoseconds(boot.tv_nsec);
  return WallClock::time_point(std::chrono::duration_cast<WallClock::duration>(real_ns - boot_ns));
}

WallClock::time_point ticks_to_wall_clock(std::uint64_t ticks) {
  const long hz = clock_ticks_per_second();
  const auto since_boot = std::chrono::seconds(ticks / hz) +
                          std::chrono::nanoseconds((ticks % hz) * 1'000'000'000 / hz);
  return boot_time() + std::chrono::duration_cast<WallClock::duration>(since_boot);
}

std::optional<ProcessInfo> read_process(int pid) {
  if (pid <= 0) {
    return std::nullopt;
  }
  const std::filesystem::path dir = std::filesystem::path("/proc") / std::to_string(pid);
  const auto stat_text = slurp(dir / "stat");
  if (!stat_text) {
    return std::nullopt;
  }
  auto stat = parse_proc_stat(*stat_text);
  if (!stat || stat->pid != pid) {
    return std::nullopt;
  }
  ProcessInfo info;
  info.stat = std::move(*stat);
  info.start_time = ticks_to_wall_clock(info.stat.start_ticks);

  std::optional<uid_t> uid;
  if (const auto status = slurp(dir / "status")) {
    uid = real_uid_from_status(*status);
  }
  if (!uid) {
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0) {
      return std::nullopt;
    }
    uid = st.st_uid;
  }
  info.uid = *uid;
  if (const auto cmdline = slurp(dir / "cmdline")) {
    info.argv = parse_cmdline(*cmdline);
  }
  return info;
}

std::string_view to_string(WorkerVerdict value) {
  switch (value) {
    case WorkerVerdict::verified:
      return "verified";
    case WorkerVerdict::no_such_process:
      return "no_such_process";
    case WorkerVerdict::zombie:
      return "zombie";
    case WorkerVerdict::other_user:
      return "other_user";
    case WorkerVerdict::not_the_shim:
      return "not_the_shim";
    case WorkerVerdict::recycled:
      return "recycled";
    case WorkerVerdict::invalid_pid:
      return "invalid_pid";
  }
  return "unknown";
}

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
bool is_session_leading_shim_of(const ProcessInfo& process, std::string_view stream_id,
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

WorkerVerdict judge_worker(const ProcessInfo& process, uid_t our_uid, std::string_view stream_id,
                           WallClock::time_point pid_file_mtime,
                           const std::filesystem::path& pid_file) {
  if (process.stat.has_ended()) {
    return WorkerVerdict::zombie;
  }
  if (process.uid != our_uid) {
    return WorkerVerdict::other_user;
  }
  // The start time is checked before the command line: for a recycled PID
  // both fail, and "recycled" names the cause.
  const auto tolerance = is_session_leading_shim_of(process, stream_id, pid_file)
                             ? std::chrono::nanoseconds(kWallClockStepTolerance)
                             : start_tolerance(pid_file_mtime);
  if (process.start_time > pid_file_mtime + tolerance) {
    return WorkerVerdict::recycled;
  }
  if (!is_shim_for(process.argv, stream_id)) {
    return WorkerVerdict::not_the_shim;
  }
  return WorkerVerdict::verified;
}

namespace {

/// The checks every verification starts with; nullopt means "go on".
std::optional<WorkerVerdict> probe(int pid) {
  if (pid < 2 || pid > system_pid_max()) {
    return WorkerVerdict::invalid_pid;
  }
  if (::kill(pid, 0) != 0) {
    return errno == EPERM ? WorkerVerdict::other_user : WorkerVerdict::no_such_process;
  }
  return std::nullopt;
}

}  // namespace

WorkerVerdict verify_worker(int pid, std::string_view stream_id,
                            WallClock::time_point pid_file_mtime,
                            const std::filesystem::path& pid_file) {
  if (const auto early = probe(pid)) {
    return *early;
  }
  const auto process = read_process(pid);
  if (!process) {
    return WorkerVerdict::no_such_process;
  }
  return judge_worker(*process, ::getuid(), stream_id, pid_file_mtime, pid_file);
}

WorkerVerdict verify_process(int pid, std::uint64_t expected_start_ticks) {
  if (const auto early = probe(pid)) {
    return *early;
  }
  const auto process = read_process(pid);
  if (!process) {
    return WorkerVerdict::no_such_process;
  }
  if (process->stat.start_ticks != expected_start_ticks) {
    return WorkerVerdict::recycled;
  }
  if (process->stat.has_ended()) {
    return WorkerVerdict::zombie;
  }
  if (process->uid != ::getuid()) {
    return WorkerVerdict::other_user;
  }
  return WorkerVerdict::verified;
}

}  // namespace supervise::legacy
