#include "supervisor/runtime/process_metrics.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <sstream>
#include <string>
#include <vector>

#include "supervisor/process/proc_reader.hpp"

namespace supervise::runtime {

namespace {

std::optional<double> boot_time_seconds(const std::filesystem::path& proc_root) {
  std::istringstream lines(process::read_proc_file(proc_root / "stat").value_or(""));
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
  const auto stat = process::read_proc_stat(static_cast<int>(::getpid()), proc_root);
  if (!stat || !stat->vsize_bytes || !stat->rss_pages) {
    return std::nullopt;
  }
  status::ProcessMetrics metrics;
  try {
    const double ticks = static_cast<double>(process::clock_ticks_per_second());
    const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
    metrics.virtual_memory_bytes = static_cast<double>(*stat->vsize_bytes);
    metrics.resident_memory_bytes = static_cast<double>(*stat->rss_pages) * page;
    if (const auto boot = boot_time_seconds(proc_root)) {
      metrics.start_time_seconds = *boot + static_cast<double>(stat->start_ticks) / ticks;
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
