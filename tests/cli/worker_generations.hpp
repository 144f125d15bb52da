#pragma once

// The processes `supervise up` started for a child, found from outside by
// the environment every one of them inherits (SUPERVISE_STREAM_ID, and
// SUPERVISE_START_ID, new at each start): how tests prove that nothing runs
// twice and nothing is left behind.

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "supervisor/process/cgroup_v2.hpp"
#include "tests/cli/running_supervisor.hpp"

namespace supervise::testing {

/// The value of `name` in a NUL-separated environment, "" when absent.
inline std::string environ_value(const std::string& environ, const std::string& name) {
  const auto prefix = name + "=";
  for (std::size_t at = 0; at < environ.size();) {
    const auto end = environ.find('\0', at);
    const auto entry = environ.substr(at, end == std::string::npos ? end : end - at);
    if (entry.starts_with(prefix)) {
      return entry.substr(prefix.size());
    }
    if (end == std::string::npos) {
      break;
    }
    at = end + 1;
  }
  return "";
}

/// Live processes started for child `child` (SUPERVISE_STREAM_ID), by the
/// start they belong to (SUPERVISE_START_ID): one entry per generation.
inline std::map<std::string, std::set<int>> generations_of(const std::string& child) {
  std::map<std::string, std::set<int>> generations;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const auto name = entry.path().filename().string();
    int pid = 0;
    const auto [end, error] = std::from_chars(name.data(), name.data() + name.size(), pid);
    if (error != std::errc() || end != name.data() + name.size()) {
      continue;
    }
    const auto environ = read_text(entry.path() / "environ");  // empty for zombies
    if (environ_value(environ, "SUPERVISE_STREAM_ID") == child) {
      generations[environ_value(environ, "SUPERVISE_START_ID")].insert(pid);
    }
  }
  return generations;
}

/// True when every one of `pids` has exec'd `sleep`: the worker's script has
/// finished forking (its short-lived subshell is gone) and the set is final.
inline bool all_sleeping(const std::set<int>& pids) {
  return std::all_of(pids.begin(), pids.end(), [](int pid) {
    return read_text("/proc/" + std::to_string(pid) + "/cmdline").starts_with("sleep");
  });
}

inline std::string describe_generations(const std::map<std::string, std::set<int>>& generations) {
  std::string text;
  for (const auto& [id, pids] : generations) {
    text += "[" + id + ":";
    for (const int pid : pids) {
      text += " " + std::to_string(pid);
    }
    text += "] ";
  }
  return text;
}

/// Cgroups of `child` left in our cgroup (supervise makes them there).
inline std::vector<std::filesystem::path> cgroups_of(const std::string& child) {
  std::vector<std::filesystem::path> found;
  const auto base = process::find_cgroup_base();
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(base.directory, ec)) {
    if (entry.path().filename().string().starts_with("supervise-" + child + "-")) {
      found.push_back(entry.path());
    }
  }
  return found;
}

/// Each cgroup with what its cgroup.procs and cgroup.events say, for a
/// failure message.
inline std::string describe_cgroups(const std::vector<std::filesystem::path>& cgroups) {
  std::string text;
  for (const auto& cgroup : cgroups) {
    const auto read = [&](const char* name) {
      std::ifstream in(cgroup / name);
      std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      std::replace(content.begin(), content.end(), '\n', ' ');
      return content;
    };
    text += cgroup.filename().string() + ": procs [" + read("cgroup.procs") + "] events [" +
            read("cgroup.events") + "]\n";
  }
  return text;
}

}  // namespace supervise::testing
