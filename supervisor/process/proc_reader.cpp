#include "supervisor/process/proc_reader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <fstream>
#include <system_error>

namespace supervise::process {

namespace {

constexpr int kKernelPidLimit = 4'194'304;  // PID_MAX_LIMIT on 64-bit Linux

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
  constexpr std::size_t kVsizeIndex = 23 - 3;
  constexpr std::size_t kRssIndex = 24 - 3;
  if (fields.size() > kRssIndex) {
    std::uint64_t vsize = 0;
    std::int64_t rss = 0;
    if (parse_int(fields[kVsizeIndex], vsize) && parse_int(fields[kRssIndex], rss)) {
      stat.vsize_bytes = vsize;
      stat.rss_pages = rss;
    }
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
  const auto stat_text = read_proc_file(dir / "stat");
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
  if (const auto status = read_proc_file(dir / "status")) {
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
  if (const auto cmdline = read_proc_file(dir / "cmdline")) {
    info.argv = parse_cmdline(*cmdline);
  }
  return info;
}

std::optional<ProcStat> read_proc_stat(int pid, const std::filesystem::path& proc_root) {
  if (pid <= 0) {
    return std::nullopt;
  }
  const auto content = read_proc_file(proc_root / std::to_string(pid) / "stat");
  if (!content) {
    return std::nullopt;
  }
  return parse_proc_stat(*content);
}

std::optional<std::string> read_proc_file(const std::filesystem::path& path) {
  // POSIX reads, not an ifstream: a process that ends between the open and
  // the read makes read() fail with ESRCH, which libstdc++'s filebuf turns
  // into an exception that an istreambuf_iterator lets through.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return std::nullopt;
  }
  std::string content;
  char buffer[4096];
  for (;;) {
    const ssize_t got = ::read(fd, buffer, sizeof buffer);
    if (got > 0) {
      content.append(buffer, static_cast<std::size_t>(got));
    } else if (got == 0) {
      break;
    } else if (errno != EINTR) {
      ::close(fd);
      return std::nullopt;
    }
  }
  ::close(fd);
  return content;
}

std::optional<std::string> read_proc_cgroup(int pid) {
  if (pid <= 0) {
    return std::nullopt;
  }
  return read_proc_file(std::filesystem::path("/proc") / std::to_string(pid) / "cgroup");
}

std::vector<int> own_child_pids() {
  std::vector<int> children;
  std::error_code ec;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task", ec)) {
    std::ifstream file(task.path() / "children");
    int pid = 0;
    while (file >> pid) {
      children.push_back(pid);
    }
  }
  return children;
}

int system_pid_max() {
  std::ifstream in("/proc/sys/kernel/pid_max");
  long long value = 0;
  if (in >> value && value >= 2 && value <= kKernelPidLimit) {
    return static_cast<int>(value);
  }
  return kKernelPidLimit;
}

}  // namespace supervise::process
