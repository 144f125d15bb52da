#include "supervisor/runtime/process_metrics.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

namespace supervise::runtime {

namespace {

std::string read_all(const std::filesystem::path& path) {
  std::ifstream file(path);
  return std::string(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
}

/// The fields of /proc/<pid>/stat after the command name (which may hold
/// spaces and parentheses): index 0 is field 3, `state`.
std::vector<std::string> stat_fields(const std::string& stat) {
  const auto close = stat.rfind(')');
  std::vector<std::string> fields;
  if (close == std::string::npos) {
    return fields;
  }
  std::istringstream rest(stat.substr(close + 1));
  for (std::string field; rest >> field;) {
    fields.push_back(field);
  }
  return fields;
}

std::optional<double> boot_time_seconds(const std::filesystem::path& proc_root) {
  std::istringstream lines(read_all(proc_root / "stat"));
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("btime ", 0) == 0) {
      return std::stod(line.substr(6));
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<status::ProcessMetrics> read_process_metrics(const std::filesystem::path& proc_root) {
  const auto self = proc_root / "self";
  const auto fields = stat_fields(read_all(self / "stat"));
  // starttime is field 22, vsize 23, rss 24 (pages).
  if (fields.size() < 22) {
    return std::nullopt;
  }
  status::ProcessMetrics metrics;
  try {
    const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
    const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
    metrics.virtual_memory_bytes = std::stod(fields[20]);
    metrics.resident_memory_bytes = std::stod(fields[21]) * page;
    if (const auto boot = boot_time_seconds(proc_root)) {
      metrics.start_time_seconds = *boot + std::stod(fields[19]) / ticks;
    }
  } catch (const std::exception&) {
    return std::nullopt;
  }
  rusage usage{};
  if (getrusage(RUSAGE_SELF, &usage) == 0) {
    const auto seconds = [](const timeval& t) {
      return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
    };
    metrics.cpu_seconds = seconds(usage.ru_utime) + seconds(usage.ru_stime);
  }
  std::error_code error;
  double open = 0;
  for (std::filesystem::directory_iterator it(self / "fd", error), end; !error && it != end;
       it.increment(error)) {
    ++open;
  }
  metrics.open_fds = open;
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
    metrics.max_fds = static_cast<double>(limit.rlim_cur);
  }
  return metrics;
}

}  // namespace supervise::runtime
