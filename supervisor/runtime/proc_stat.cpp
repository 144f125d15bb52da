#include "supervisor/runtime/proc_stat.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <system_error>

namespace supervise::runtime {

std::optional<legacy::ProcStat> read_proc_stat(int pid) {
  if (pid <= 0) {
    return std::nullopt;
  }
  std::ifstream file("/proc/" + std::to_string(pid) + "/stat");
  if (!file) {
    return std::nullopt;
  }
  std::stringstream content;
  content << file.rdbuf();
  return legacy::parse_proc_stat(content.str());
}

std::vector<legacy::ProcStat> group_members(int pgid) {
  std::vector<legacy::ProcStat> members;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const auto name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) {
      continue;
    }
    const auto stat = read_proc_stat(std::stoi(name));
    if (stat && stat->pgrp == pgid) {
      members.push_back(*stat);
    }
  }
  return members;
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

}  // namespace supervise::runtime
