#include "supervisor/process/session_scan.hpp"

#include <algorithm>
#include <system_error>

namespace supervise::process {

namespace {

bool all_digits(const std::string& name) {
  return !name.empty() &&
         std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool matches(const ProcStat& stat, ScanKey key, int id) {
  switch (key) {
    case ScanKey::session:
      return stat.session == id;
    case ScanKey::process_group:
      return stat.pgrp == id;
    case ScanKey::session_or_group:
      return stat.session == id || stat.pgrp == id;
  }
  return false;
}

}  // namespace

std::string_view to_string(ScanKey value) {
  switch (value) {
    case ScanKey::session:
      return "session";
    case ScanKey::process_group:
      return "process_group";
    case ScanKey::session_or_group:
      return "session_or_group";
  }
  return "unknown";
}

namespace {

std::vector<ProcStat> scan(ScanKey key, int id, bool include_ended,
                           const std::filesystem::path& proc_root) {
  std::vector<ProcStat> found;
  if (id < 2) {
    return found;
  }
  std::error_code error;
  std::filesystem::directory_iterator it(proc_root, error);
  if (error) {
    return found;
  }
  for (const std::filesystem::directory_iterator end; it != end; it.increment(error)) {
    if (error) {
      break;
    }
    const std::string name = it->path().filename().string();
    if (!all_digits(name) || name.size() > 9) {
      continue;  // not a process (PIDs are below 2^22)
    }
    const auto stat = read_proc_stat(std::stoi(name), proc_root);
    if (!stat || (!include_ended && stat->has_ended()) || !matches(*stat, key, id)) {
      continue;  // ended since the directory was listed, or not a match
    }
    found.push_back(*stat);
  }
  std::sort(found.begin(), found.end(),
            [](const ProcStat& a, const ProcStat& b) { return a.pid < b.pid; });
  return found;
}

}  // namespace

std::vector<ProcStat> live_processes_with(ScanKey key, int id,
                                          const std::filesystem::path& proc_root) {
  return scan(key, id, false, proc_root);
}

std::vector<ProcStat> processes_with(ScanKey key, int id, const std::filesystem::path& proc_root) {
  return scan(key, id, true, proc_root);
}

}  // namespace supervise::process
